import { join } from 'node:path';
import type { Embedder } from '../../knowledge/embedder';
import { HybridRetriever } from '../../knowledge/hybrid';
import { loadMarkdownFolder } from '../../knowledge/load';
import { retrieverPassages } from '../../src/brain/answer/passages';
import { createEmbeddedBrain, loadBrainFiles, type BrainSettings } from '../../src/brain/factory';
import { knowledgeTopics } from '../../src/brain/offtopic';
import type { SupportBrain } from '../../src/brain/support-brain';
import type { BrainContext } from '../../src/brain/types';

const ROOT = join(__dirname, '..', '..');
export const DEMO_SETTINGS: BrainSettings = { ANSWER_MIN_SCORE: 0.35, ANSWER_MIN_CONFIDENCE: 0.75, INTENT_MIN_CONFIDENCE: 0.5, CANNED_ANSWER_MIN_CONFIDENCE: 0.7 };

/** The embedded brain over the demo store's files (help centre, intents, routing), keyword-only unless given an embedder. */
export async function demoBrain(options: { clock?: () => Date; embedder?: Embedder } = {}): Promise<SupportBrain> {
  const chunks = await loadMarkdownFolder(join(ROOT, 'knowledge', 'demo'), 'https://help.example');
  const files = loadBrainFiles({ INTENTS_DIR: join(ROOT, 'knowledge', 'intents'), ROUTING_FILE: join(ROOT, 'knowledge', 'routing.yaml') });
  const retriever = await HybridRetriever.create(chunks, options.embedder ? { embedder: options.embedder } : {});
  return createEmbeddedBrain(DEMO_SETTINGS, {
    ...files,
    passages: retrieverPassages(retriever),
    topics: knowledgeTopics(chunks),
    ...(options.embedder ? { embedder: options.embedder } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

/** A customer message on the API channel from an ordinary contact, as the pipeline would pass it. */
export const brainContext = (text: string, extra: Partial<BrainContext> = {}): BrainContext => ({
  text,
  channelKind: 'api',
  contact: { aiOptOut: false, vip: false },
  conversation: { status: 'bot', unhelpfulTurns: 0 },
  history: [],
  ...extra,
});
