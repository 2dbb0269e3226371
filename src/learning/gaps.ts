import type { Connection, Types } from 'mongoose';
import { listProposals, type ProposalStatus } from '../../knowledge/proposals';
import type { Models } from '../../conversations/models';
import type { MessageRecord } from '../../conversations/types';
import { redactPii } from '../brain/entities';

/**
 * The knowledge-gap log, read from what the pipeline already records (no second copy to keep in step):
 *  - 👎: bot answers whose `rating` is "unhelpful" (set by `rateLatestBotReply`), with the question they replied
 *    to (`replyTo`) and the section they cited (`annotations.answerSource`, `citations`);
 *  - abstentions: customer messages the brain handed over because the knowledge base had no reliable answer
 *    (`annotations.reason` in ABSTAIN_REASONS: low confidence, or a language the help centre is not written in).
 * Texts are shown with personal data replaced by placeholders. Repeated questions and sources are counted, so the
 * report leads with what is missing most.
 */
export const ABSTAIN_REASONS = ['low_confidence', 'unsupported_language'] as const;

export interface GapItem {
  kind: 'unhelpful' | 'abstained';
  at: Date;
  conversationId: string;
  question: string;
  /** Abstentions: why the bot handed over. */
  reason?: string;
  /** 👎: the rated answer (shortened) and the source it cited. */
  answer?: string;
  source?: { id?: string; title?: string; url?: string };
  /** Abstentions: the retrieval confidence of the best section, when recorded. */
  answerScore?: number;
  /** Abstentions: the entry proposed from an agent's answer in the same conversation, if any (to approve it). */
  proposal?: { id: string; status: ProposalStatus };
}

export interface GapReport {
  since: Date;
  counts: { unhelpful: number; abstained: number; byReason: Record<string, number> };
  /** Sources rated unhelpful, most often first. */
  unhelpfulSources: Array<{ id?: string; title?: string; count: number }>;
  /** The same question (normalised) asked and not answered more than once, most often first. */
  repeatedQuestions: Array<{ question: string; count: number }>;
  /** Newest first, at most `limit`. */
  recent: GapItem[];
}

export async function knowledgeGaps(models: Pick<Models, 'Message'>, options: { since: Date; limit: number }): Promise<GapReport> {
  const { Message } = models;
  const [rated, abstained, proposals] = await Promise.all([
    Message.find({ direction: 'outbound', 'rating.value': 'unhelpful', receivedAt: { $gte: options.since } }).lean<MessageRecord[]>(),
    Message.find({ direction: 'inbound', 'annotations.reason': { $in: [...ABSTAIN_REASONS] }, receivedAt: { $gte: options.since } }).lean<MessageRecord[]>(),
    listProposals(Message.db as Connection),
  ]);
  // Oldest first, so the newest proposal of a conversation wins.
  const proposalOf = new Map(proposals.reverse().map((p) => [p.conversationId, { id: p._id, status: p.status }]));
  const questionIds = rated.map((m) => m.replyTo).filter((id): id is Types.ObjectId => id !== undefined);
  const questions = questionIds.length ? await Message.find({ _id: { $in: questionIds } }, { text: 1 }).lean<Array<Pick<MessageRecord, '_id' | 'text'>>>() : [];
  const questionText = new Map(questions.map((q) => [String(q._id), q.text]));

  const items: GapItem[] = [
    ...rated.map((m): GapItem => {
      const citation = m.citations[0];
      const source = { ...(m.annotations?.answerSource ? { id: m.annotations.answerSource } : {}), ...(citation?.title ? { title: citation.title } : {}), ...(citation?.url ? { url: citation.url } : {}) };
      return {
        kind: 'unhelpful',
        at: m.rating?.at ?? m.receivedAt,
        conversationId: String(m.conversationId),
        question: shown(m.replyTo ? (questionText.get(String(m.replyTo)) ?? '') : ''),
        answer: shorten(shown(m.text), 200),
        ...(Object.keys(source).length ? { source } : {}),
      };
    }),
    ...abstained.map(
      (m): GapItem => ({
        kind: 'abstained',
        at: m.receivedAt,
        conversationId: String(m.conversationId),
        question: shown(m.text),
        reason: m.annotations!.reason!,
        ...(m.annotations?.answerScore !== undefined ? { answerScore: m.annotations.answerScore } : {}),
        ...(proposalOf.has(String(m.conversationId)) ? { proposal: proposalOf.get(String(m.conversationId))! } : {}),
      }),
    ),
  ];
  items.sort((a, b) => b.at.getTime() - a.at.getTime() || (a.conversationId < b.conversationId ? -1 : 1));

  const byReason: Record<string, number> = {};
  for (const m of abstained) byReason[m.annotations!.reason!] = (byReason[m.annotations!.reason!] ?? 0) + 1;
  const sources = new Map<string, { id?: string; title?: string; count: number }>();
  for (const item of items) {
    if (item.kind !== 'unhelpful' || !item.source) continue;
    const key = item.source.id ?? item.source.title ?? '';
    const entry = sources.get(key) ?? { ...(item.source.id ? { id: item.source.id } : {}), ...(item.source.title ? { title: item.source.title } : {}), count: 0 };
    entry.count++;
    sources.set(key, entry);
  }
  const asked = new Map<string, { question: string; count: number }>();
  for (const item of items) {
    const key = normalise(item.question);
    if (!key) continue;
    const entry = asked.get(key) ?? { question: item.question, count: 0 };
    entry.count++;
    asked.set(key, entry);
  }
  return {
    since: options.since,
    counts: { unhelpful: rated.length, abstained: abstained.length, byReason },
    unhelpfulSources: [...sources.values()].sort((a, b) => b.count - a.count),
    repeatedQuestions: [...asked.values()].filter((q) => q.count > 1).sort((a, b) => b.count - a.count),
    recent: items.slice(0, options.limit),
  };
}

function shown(text: string): string {
  return redactPii(text.replace(/\s+/g, ' ').trim()).text;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Case, punctuation and spacing do not make a different question. */
function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
