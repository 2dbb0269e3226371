import type { Connection } from 'mongoose';
import { DIMENSIONS, NO_DURATION_LISTS, READ_BATCH, daysBetween, dayOf } from './figures';
import type { Dimensions } from './figure-types';
import { dayRange, FLAGS, type DayRows, type DrillRow } from './rollups';
import { COLLECTIONS, type DailyRollup } from './types';

/** Which episodes a drill-down lists (the numerator of the figure clicked), and that numerator from the rollups. */
export const OUTCOME_FILTERS: Record<string, { flag: number; count?: (r: DailyRollup, reason?: string) => number }> = {
  all: { flag: 0, count: (r) => r.conversations },
  involved: { flag: FLAGS.involved, count: (r) => r.involved },
  aiResolved: { flag: FLAGS.aiResolved, count: (r) => r.aiResolved },
  handedOff: { flag: FLAGS.handedOff, count: (r, reason) => (reason ? (r.handoffReasons.find((e) => e.k === reason)?.v ?? 0) : r.handedOff) },
  resolved: { flag: FLAGS.resolved, count: (r) => r.resolved },
  notDurable: { flag: FLAGS.notDurable, count: (r) => r.durableKnown - r.durable },
  surveyed: { flag: FLAGS.surveyed, count: (r) => r.csatCount },
  // No rollup counts these episodes (it counts ratings and failures): counted from the rows.
  unhelpful: { flag: FLAGS.unhelpful },
  deliveryFailed: { flag: FLAGS.deliveryFailed },
};

export interface DrillQuery {
  from: string;
  to: string;
  filter: Partial<Dimensions>;
  outcome: string;
  reason?: string;
  limit: number;
}

/**
 * The episodes behind a figure, newest first, up to `limit`. The total is the figure's own numerator from the
 * rollups (so the list and the number it was opened from agree), and only as many days' drill-down indexes (one
 * point read each) are read as it takes to fill the page.
 */
export async function drillDown(connection: Connection, query: DrillQuery): Promise<{ total: number; rows: DrillRow[] }> {
  const spec = OUTCOME_FILTERS[query.outcome];
  if (!spec) throw new Error(`unknown outcome ${query.outcome}`);
  const inFilter = (r: Pick<DrillRow, keyof Dimensions>) => DIMENSIONS.every((d) => query.filter[d] === undefined || r[d] === query.filter[d]);
  const matches = (r: DrillRow) => inFilter(r) && (spec.flag === 0 || (r.flags & spec.flag) !== 0) && (!query.reason || r.handoffReason === query.reason);
  let total = 0;
  const perDay = new Map<string, number>();
  if (spec.count) {
    const daily = await connection
      .collection<DailyRollup>(COLLECTIONS.daily)
      .find({ _id: { $gte: dayRange(query.from).$gte, $lt: dayRange(query.to).$lt } }, { projection: NO_DURATION_LISTS, batchSize: READ_BATCH })
      .toArray();
    for (const r of daily) if (inFilter(r)) perDay.set(r.day, (perDay.get(r.day) ?? 0) + spec.count(r, query.reason));
    total = [...perDay.values()].reduce((a, b) => a + b, 0);
  }
  const rows: DrillRow[] = [];
  const dayRows = connection.collection<DayRows>(COLLECTIONS.dayRows);
  for (let i = daysBetween(query.from, query.to) - 1; i >= 0; i--) {
    const day = dayOf(Date.parse(query.from) + i * 86_400_000);
    if (spec.count && (!perDay.get(day) || rows.length >= query.limit)) continue;
    const doc = await dayRows.findOne({ _id: day });
    for (const r of doc?.rows ?? []) {
      if (!matches(r)) continue;
      if (!spec.count) total += 1;
      rows.push(r);
    }
  }
  rows.sort((a, b) => b.startedAt - a.startedAt);
  return { total, rows: rows.slice(0, query.limit) };
}
