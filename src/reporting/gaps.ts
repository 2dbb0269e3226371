import { Types, type Connection } from 'mongoose';
import type { Embedder } from '../../knowledge/embedder';
import type { Annotations } from '../../conversations/types';
import { daysBetween, dayOf } from './figures';
import { dayRange } from './rollups';
import type { GapGroup } from './figure-types';
import { COLLECTIONS } from './types';

/** Hand-overs that mean the knowledge base had no good answer (docs/metrics.md, "Knowledge gaps"). */
const GAP_REASONS = new Set(['low_confidence', 'repeated_failure']);

export function isKnowledgeGap(a: Annotations): boolean {
  return a.decision === 'escalate' && a.reason !== undefined && GAP_REASONS.has(a.reason);
}

/** `report_gaps`: `<day>|<message id>`, one row per question the bot could not answer from the knowledge base. */
export interface GapRow {
  _id: string;
  messageId: Types.ObjectId;
  conversationId: Types.ObjectId;
  at: Date;
}

export type { GapGroup } from './figure-types';

export async function recordGap(connection: Connection, messageId: string, conversationId: Types.ObjectId, at: Date): Promise<void> {
  const id = `${dayOf(at.getTime())}|${messageId}`;
  await connection.collection<GapRow>(COLLECTIONS.gaps).updateOne({ _id: id }, { $setOnInsert: { messageId: new Types.ObjectId(messageId), conversationId, at } }, { upsert: true });
}

const cosine = (a: Float32Array, b: Float32Array) => {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
};
/** Words that say nothing about the topic of a question. */
const STOP = new Set('you your are can could would will the for and with have has how what when where which who why does did this that there any not but our from into about please just get got want need'.split(' '));
const words = (text: string) => new Set((text.toLowerCase().match(/\p{L}{3,}/gu) ?? []).filter((w) => !STOP.has(w)));
const jaccard = (a: Set<string>, b: Set<string>) => {
  let both = 0;
  for (const w of a) if (b.has(w)) both += 1;
  return both / Math.max(1, a.size + b.size - both);
};

/**
 * The questions the bot handed over for want of an answer, newest first (at most `limit`), grouped by meaning: with
 * the shared sentence encoder, a question joins the first group whose centroid it is close to (cosine ≥ 0.72, the
 * paraphrase range of MiniLM); without it, by shared topic words (Jaccard ≥ 0.4). Groups come largest first.
 */
export async function knowledgeGaps(connection: Connection, embedder: Embedder | undefined, from: string, to: string, limit = 500): Promise<GapGroup[]> {
  const gaps = connection.collection<GapRow>(COLLECTIONS.gaps);
  const rows: GapRow[] = [];
  for (let i = daysBetween(from, to) - 1; i >= 0 && rows.length < limit; i--) {
    rows.push(...(await gaps.find({ _id: dayRange(dayOf(Date.parse(from) + i * 86_400_000)) }).sort({ _id: -1 }).limit(limit - rows.length).toArray()));
  }
  if (rows.length === 0) return [];
  const messages = await connection
    .collection<{ _id: Types.ObjectId; text: string }>('messages')
    .find({ _id: { $in: rows.map((r) => r.messageId) } }, { projection: { text: 1 } })
    .toArray();
  const text = new Map(messages.map((m) => [String(m._id), m.text.trim()]));
  const items = rows.map((r) => ({ row: r, text: text.get(String(r.messageId)) ?? '' })).filter((i) => i.text.length > 0);

  type Group = { members: typeof items; centroid?: Float32Array; words?: Set<string> };
  const groups: Group[] = [];
  for (const item of items) {
    if (embedder) {
      // One text per call: the int8 encoder quantises per batch, so batching would make a vector depend on its batch-mates.
      const v = (await (embedder.embedQueries?.bind(embedder) ?? embedder.embed.bind(embedder))([item.text.slice(0, 500)]))[0]!;
      const near = groups.find((g) => cosine(g.centroid!, v) >= 0.72);
      if (near) {
        near.members.push(item);
        const n = near.members.length;
        const c = near.centroid!.map((x, i) => x + (v[i]! - x) / n);
        const norm = Math.hypot(...c) || 1;
        near.centroid = c.map((x) => x / norm);
      } else groups.push({ members: [item], centroid: v });
    } else {
      const w = words(item.text);
      const near = groups.find((g) => jaccard(g.words!, w) >= 0.4);
      if (near) near.members.push(item);
      else groups.push({ members: [item], words: w });
    }
  }
  return groups
    .sort((a, b) => b.members.length - a.members.length)
    .slice(0, 30)
    .map((g) => ({
      label: g.members[0]!.text.slice(0, 200),
      count: g.members.length,
      examples: g.members.slice(0, 3).map((m) => ({ text: m.text.slice(0, 300), conversationId: String(m.row.conversationId), at: m.row.at.toISOString() })),
    }));
}
