import { toStored, type StoredRollup } from './seconds-codec';
import type { Connection } from 'mongoose';
import { COLLECTIONS, type DailyRollup, type Dimensions, type OutcomeRow } from './types';

/** What a drill-down shows of an episode, per flag bit; kept per day in `report_day_rows`. */
export const FLAGS = { involved: 1, aiResolved: 2, handedOff: 4, resolved: 8, notDurable: 16, surveyed: 32, unhelpful: 64, deliveryFailed: 128, aiConfirmed: 256 } as const;

export interface DrillRow {
  id: string;
  conversationId: string;
  startedAt: number;
  channelKind: string;
  channelId: string;
  team: string;
  intent: string;
  language: string;
  flags: number;
  handoffReason: string | null;
  csat: number | null;
}

export interface DayRows {
  _id: string;
  rows: DrillRow[];
}

export function drillRowOf(o: OutcomeRow): DrillRow {
  const flags =
    (o.involved ? FLAGS.involved : 0) |
    (o.aiResolved ? FLAGS.aiResolved : 0) |
    (o.handedOff ? FLAGS.handedOff : 0) |
    (o.resolved ? FLAGS.resolved : 0) |
    (o.durable === false ? FLAGS.notDurable : 0) |
    (o.csat !== null ? FLAGS.surveyed : 0) |
    (o.unhelpfulRatings > 0 ? FLAGS.unhelpful : 0) |
    (o.deliveryFailures > 0 ? FLAGS.deliveryFailed : 0) |
    (o.aiResolution === 'confirmed' ? FLAGS.aiConfirmed : 0);
  return {
    id: o._id, conversationId: String(o.conversationId), startedAt: o.startedAt.getTime(), channelKind: o.channelKind, channelId: o.channelId, team: o.team,
    intent: o.intent, language: o.language, flags, handoffReason: o.handoffReason, csat: o.csat,
  };
}

/** All of one day's rows in a collection whose ids start with the day. */
export function dayRange(day: string): { $gte: string; $lt: string } {
  return { $gte: `${day}|`, $lt: `${day}|\uffff` };
}

const seconds = (ms: number | null) => (ms === null ? undefined : Math.max(0, Math.round(ms / 1000)));

/** Sums outcome rows into one rollup per combination of dimensions (pure: the check recomputes with it). */
export function rollUp(day: string, outcomes: OutcomeRow[], builtAt: Date): DailyRollup[] {
  const groups = new Map<string, DailyRollup>();
  for (const o of outcomes) {
    const dims: Dimensions = { channelKind: o.channelKind, channelId: o.channelId, team: o.team, intent: o.intent, language: o.language };
    const id = [day, dims.channelKind, dims.channelId, dims.team, dims.intent, dims.language].join('|');
    let r = groups.get(id);
    if (!r) {
      r = {
        _id: id, day, ...dims, conversations: 0, involved: 0, aiResolved: 0, aiConfirmed: 0, handedOff: 0, handoffReasons: [], resolved: 0, durableKnown: 0,
        durable: 0, reopened: 0, surveyAsked: 0, csatCount: 0, csatSum: 0, helpfulRatings: 0, unhelpfulRatings: 0, deliveryFailures: 0,
        firstBotResponseS: [], firstHumanResponseS: [], resolutionS: [], firstHumanResponseBusinessS: [], resolutionBusinessS: [], builtAt,
      };
      groups.set(id, r);
    }
    r.conversations += 1;
    if (o.involved) r.involved += 1;
    if (o.aiResolved) r.aiResolved += 1;
    if (o.aiResolution === 'confirmed') r.aiConfirmed += 1;
    if (o.handedOff) {
      r.handedOff += 1;
      const reason = o.handoffReason ?? 'unknown';
      const entry = r.handoffReasons.find((e) => e.k === reason);
      if (entry) entry.v += 1;
      else r.handoffReasons.push({ k: reason, v: 1 });
    }
    if (o.resolved) r.resolved += 1;
    if (o.durable !== null) {
      r.durableKnown += 1;
      if (o.durable) r.durable += 1;
    }
    if (o.reopened) r.reopened += 1;
    if (o.surveyAsked) r.surveyAsked += 1;
    if (o.csat !== null) {
      r.csatCount += 1;
      r.csatSum += o.csat;
    }
    r.helpfulRatings += o.helpfulRatings;
    r.unhelpfulRatings += o.unhelpfulRatings;
    r.deliveryFailures += o.deliveryFailures;
    const push = (list: number[], ms: number | null) => {
      const s = seconds(ms);
      if (s !== undefined) list.push(s);
    };
    push(r.firstBotResponseS, o.firstBotResponseMs);
    push(r.firstHumanResponseS, o.firstHumanResponseMs);
    push(r.resolutionS, o.resolutionMs);
    // `?? null`: outcome rows folded before business hours were recorded have no such field.
    push(r.firstHumanResponseBusinessS, o.firstHumanResponseBusinessMs ?? null);
    push(r.resolutionBusinessS, o.resolutionBusinessMs ?? null);
  }
  const out = [...groups.values()];
  for (const r of out) {
    r.firstBotResponseS.sort((a, b) => a - b);
    r.firstHumanResponseS.sort((a, b) => a - b);
    r.resolutionS.sort((a, b) => a - b);
    r.firstHumanResponseBusinessS.sort((a, b) => a - b);
    r.resolutionBusinessS.sort((a, b) => a - b);
    r.handoffReasons.sort((a, b) => (a.k < b.k ? -1 : 1));
  }
  return out.sort((a, b) => (a._id < b._id ? -1 : 1));
}

/**
 * Daily rollups: a day whose outcome rows changed is marked dirty (src/reporting/outcomes.ts) and rebuilt whole
 * from them here, so a rollup is always the sum of its day's rows as they were when it was built. Claiming a
 * dirty day deletes its mark first: an outcome that changes during the rebuild marks it again.
 */
export class Rollups {
  constructor(
    private readonly connection: Connection,
    private readonly clock: () => Date,
  ) {}

  async rebuildDay(day: string): Promise<number> {
    const outcomes = await this.connection.collection<OutcomeRow>(COLLECTIONS.outcomes).find({ _id: dayRange(day) }).toArray();
    const rows = rollUp(day, outcomes, this.clock());
    const daily = this.connection.collection<StoredRollup>(COLLECTIONS.daily);
    for (const row of rows) await daily.replaceOne({ _id: row._id }, toStored(row), { upsert: true });
    // Combinations that no longer occur that day (an episode moved team): gone.
    const keep = new Set(rows.map((r) => r._id));
    const stale = (await daily.find({ _id: dayRange(day) }, { projection: { _id: 1 } }).toArray()).map((r) => r._id).filter((id) => !keep.has(id));
    if (stale.length) await daily.deleteMany({ _id: { $in: stale } });
    // The day's drill-down index: one small document read by its id (a point read on every engine).
    await this.connection.collection<DayRows>(COLLECTIONS.dayRows).replaceOne({ _id: day }, { rows: outcomes.map(drillRowOf) }, { upsert: true });
    return rows.length;
  }

  /** Rebuilds up to `limit` dirty days; true when there may be more. */
  async rollDirty(limit = 20): Promise<boolean> {
    const dirty = this.connection.collection<{ _id: string }>(COLLECTIONS.dirtyDays);
    for (let i = 0; i < limit; i++) {
      const next = await dirty.findOneAndDelete({}, { sort: { _id: 1 } });
      if (!next) return false;
      try {
        await this.rebuildDay(next._id);
      } catch (err) {
        await dirty.updateOne({ _id: next._id }, { $set: { at: this.clock() } }, { upsert: true });
        throw err;
      }
    }
    return true;
  }
}
