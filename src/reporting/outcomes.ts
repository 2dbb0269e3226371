import type { Connection } from 'mongoose';
import type { Types } from 'mongoose';
import { foldOutcome } from './outcome';
import { COLLECTIONS, type OutcomeRow, type ReportEventRow, type ReportSettings } from './types';

/** The events of one episode: one `_id` range, which every engine answers from the primary index. */
export function episodeRange(conversationId: string, episode: number): { $gte: string; $lt: string } {
  const prefix = `${conversationId}:${episode}:`;
  return { $gte: prefix, $lt: `${prefix}\uffff` };
}

/**
 * Outcome rows kept in step with the events: each new event folds its episode again (src/reporting/outcome.ts)
 * and marks the episode's day for its rollup to be rebuilt; an outcome that may change with time alone (the
 * AI-resolution window, durability) is queued to be folded again when that time comes.
 */
export class OutcomeStore {
  constructor(
    private readonly connection: Connection,
    private readonly settings: ReportSettings,
    private readonly clock: () => Date,
  ) {}

  private get events() {
    return this.connection.collection<ReportEventRow>(COLLECTIONS.events);
  }
  private get outcomes() {
    return this.connection.collection<OutcomeRow>(COLLECTIONS.outcomes);
  }

  async refresh(conversationId: Types.ObjectId | string, episode: number): Promise<OutcomeRow | null> {
    const events = await this.events.find({ _id: episodeRange(String(conversationId), episode) }).toArray();
    const row = foldOutcome(events, this.settings, this.clock());
    if (!row) return null;
    try {
      // A refresh that saw fewer events (a concurrent one on another process) never replaces one that saw more.
      await this.outcomes.replaceOne({ _id: row._id, events: { $lte: row.events } }, row, { upsert: true });
    } catch (err) {
      if ((err as { code?: number }).code !== 11000) throw err;
      return row;
    }
    await this.connection.collection<{ _id: string; at: Date }>(COLLECTIONS.dirtyDays).updateOne({ _id: row.day }, { $set: { at: this.clock() } }, { upsert: true });
    if (row.recheckAt) {
      await this.connection
        .collection<{ _id: string; conversationId: Types.ObjectId; episode: number }>(COLLECTIONS.rechecks)
        .updateOne({ _id: `${row.recheckAt.toISOString()}|${row._id}` }, { $set: { conversationId: row.conversationId, episode: row.episode } }, { upsert: true });
    }
    return row;
  }

  /** Folds again the outcomes whose time has come (oldest first, up to `limit`); returns how many. */
  async sweepRechecks(limit = 500): Promise<number> {
    const rechecks = this.connection.collection<{ _id: string; conversationId: Types.ObjectId; episode: number }>(COLLECTIONS.rechecks);
    const due = await rechecks.find({ _id: { $lt: `${this.clock().toISOString()}|\uffff` } }).sort({ _id: 1 }).limit(limit).toArray();
    for (const row of due) {
      await this.refresh(row.conversationId, row.episode);
      await rechecks.deleteOne({ _id: row._id });
    }
    return due.length;
  }
}
