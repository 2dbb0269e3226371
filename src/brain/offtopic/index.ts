import type { KnowledgeChunk } from '../../../knowledge/chunk';

export { OffTopicModel, loadOffTopicWeights, type OffTopicWeights } from './model';

/**
 * Off-topic is decided from three pieces of evidence, because each alone misfires: the head's probability (a
 * support question about a stormy delivery scores a little off-topic), the intent model's out-of-scope verdict
 * (it knows only the admin's intents), and whether the knowledge base could answer (weak retrieval alone is just
 * as true of a support question the help centre lacks, which must go to people).
 */
export interface OffTopicEvidence {
  /** P(off-topic) from the head; undefined without the model (then nothing is called off-topic). */
  probability: number | undefined;
  /** The intent model found none of the admin's intents. */
  outOfScope: boolean;
}

/** Before retrieval: only a message the head is sure of and no intent claims skips the search. */
export const SURE_OFF_TOPIC = 0.9;
/** After the knowledge base could not answer: off-topic rather than a hand-over from here on. */
export const LIKELY_OFF_TOPIC = 0.7;
/** So sure that even an intent's weak claim does not make it a support question. */
const OFF_TOPIC_WHATEVER_THE_INTENT = 0.85;

export function clearlyOffTopic(e: OffTopicEvidence): boolean {
  return e.probability !== undefined && e.outOfScope && e.probability >= SURE_OFF_TOPIC;
}

/** For a message the knowledge base could not answer: chit-chat or a general request, not a support question. */
export function offTopicAfterAbstaining(e: OffTopicEvidence): boolean {
  if (e.probability === undefined) return false;
  return e.probability >= OFF_TOPIC_WHATEVER_THE_INTENT || (e.outOfScope && e.probability >= LIKELY_OFF_TOPIC);
}

/**
 * What the help centre is about, for "I can help with …": its articles' titles, in the order the knowledge base
 * holds them, at most `limit`. Whatever help centre is loaded, the assistant describes that one.
 */
export function knowledgeTopics(chunks: Array<Pick<KnowledgeChunk, 'docTitle'>>, limit = 8): string[] {
  const topics: string[] = [];
  for (const chunk of chunks) {
    const article = chunk.docTitle.trim();
    if (article && !topics.some((t) => t.toLowerCase() === article.toLowerCase())) topics.push(article);
    if (topics.length >= limit) break;
  }
  return topics;
}
