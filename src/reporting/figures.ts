import type { Connection } from 'mongoose';
import { dayRange } from './rollups';
import { fromStoredFast, type StoredRollup } from './seconds-codec';
import type { Dimension, DurationFigure, Figures, Overview, ReportQuery } from './figure-types';
import { COLLECTIONS, type DailyRollup, type Dimensions } from './types';

export type { Dimension, DurationFigure, Figures, Overview, ReportQuery } from './figure-types';

export const DIMENSIONS: Dimension[] = ['channelKind', 'channelId', 'team', 'intent', 'language'];

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);

/** Nearest-rank percentile of an ascending list. */
export function percentileOf(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** Rollups per read batch (a 30-day overview reads a few thousand small documents). */
export const READ_BATCH = 10_000;

const NO_DURATION: DurationFigure = { median: null, p90: null, n: 0 };

function duration(lists: ArrayLike<number>[]): DurationFigure {
  let n = 0;
  for (const l of lists) n += l.length;
  // A typed array sorts numerically in native code: a 30-day period can hold a few hundred thousand durations.
  const all = new Int32Array(n);
  let at = 0;
  for (const l of lists) {
    all.set(l, at);
    at += l.length;
  }
  all.sort();
  const at_ = (p: number) => (n === 0 ? null : all[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))]!);
  return { median: at_(0.5), p90: at_(0.9), n };
}

/** The figures of some rollups; `durations: false` skips the medians (chart series and breakdowns do not show them). */
export function figuresOf(rows: DailyRollup[], options: { durations?: boolean } = {}): Figures {
  const withDurations = options.durations !== false;
  const sum = (k: keyof DailyRollup) => rows.reduce((n, r) => n + (r[k] as number), 0);
  const conversations = sum('conversations');
  const involved = sum('involved');
  const aiResolved = sum('aiResolved');
  const handedOff = sum('handedOff');
  const reasons = new Map<string, number>();
  for (const r of rows) for (const { k, v } of r.handoffReasons) reasons.set(k, (reasons.get(k) ?? 0) + v);
  const helpful = sum('helpfulRatings');
  const unhelpful = sum('unhelpfulRatings');
  const csatCount = sum('csatCount');
  return {
    conversations,
    involved,
    aiResolved,
    handedOff,
    resolved: sum('resolved'),
    involvementRate: ratio(involved, conversations),
    aiResolutionRate: ratio(aiResolved, involved),
    automationRate: ratio(aiResolved, conversations),
    deflectionRate: ratio(conversations - handedOff, conversations),
    handoffRate: ratio(handedOff, conversations),
    handoffReasons: [...reasons.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([reason, count]) => ({ reason, count, rate: count / conversations })),
    firstBotResponse: withDurations ? duration(rows.map((r) => r.firstBotResponseS)) : NO_DURATION,
    firstHumanResponse: withDurations ? duration(rows.map((r) => r.firstHumanResponseS)) : NO_DURATION,
    resolutionTime: withDurations ? duration(rows.map((r) => r.resolutionS)) : NO_DURATION,
    // `?? []`: rollups built before business hours were recorded have no such lists.
    firstHumanResponseBusiness: withDurations ? duration(rows.map((r) => r.firstHumanResponseBusinessS ?? [])) : NO_DURATION,
    resolutionTimeBusiness: withDurations ? duration(rows.map((r) => r.resolutionBusinessS ?? [])) : NO_DURATION,
    csat: ratio(sum('csatSum'), csatCount),
    csatResponses: csatCount,
    csatResponseRate: ratio(csatCount, sum('surveyAsked')),
    helpfulAnswerRate: ratio(helpful, helpful + unhelpful),
    durableRate: ratio(sum('durable'), sum('durableKnown')),
    deliveryFailures: sum('deliveryFailures'),
  };
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A projection leaving out a rollup's duration lists (most of its bytes): for reads that show no durations. */
export const NO_DURATION_LISTS = { firstBotResponseS: 0, firstHumanResponseS: 0, resolutionS: 0, firstHumanResponseBusinessS: 0, resolutionBusinessS: 0 } as const;

const DAY_MS = 86_400_000;
export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;

/** Every figure of the overview, from the daily rollups only (never the raw events): fast at any history size. */
export class ReportFigures {
  constructor(private readonly connection: Connection) {}

  /** The rollups of the days `from` … `to` matching `filter`; without their duration lists unless `durations`. */
  async rollups(from: string, to: string, filter: Partial<Dimensions>, durations = true): Promise<DailyRollup[]> {
    const stored = await this.connection
      .collection<StoredRollup>(COLLECTIONS.daily)
      // One batch: the driver's default (101 documents, then getMores) would make a 30-day read ~30 round trips.
      .find({ _id: { $gte: dayRange(from).$gte, $lt: dayRange(to).$lt } }, { batchSize: READ_BATCH, ...(durations ? {} : { projection: NO_DURATION_LISTS }) })
      .toArray();
    // Without the lists projected in, they read as empty. Typed arrays as stored: the percentiles copy them anyway.
    const rows = stored.map(fromStoredFast);
    return rows.filter((r) => DIMENSIONS.every((d) => filter[d] === undefined || r[d] === filter[d]));
  }

  async overview(query: ReportQuery): Promise<Overview> {
    const span = daysBetween(query.from, query.to);
    const previous = { from: dayOf(Date.parse(query.from) - span * DAY_MS), to: dayOf(Date.parse(query.from) - DAY_MS) };
    // The previous period is shown as deltas of rates and counts only: its duration lists are not read.
    const [rows, before] = await Promise.all([this.rollups(query.from, query.to, query.filter), this.rollups(previous.from, previous.to, query.filter, false)]);
    const byDay = new Map<string, DailyRollup[]>();
    for (const r of rows) pushTo(byDay, r.day, r);
    const series = Array.from({ length: span }, (_, i) => dayOf(Date.parse(query.from) + i * DAY_MS)).map((day) => ({ day, ...figuresOf(byDay.get(day) ?? [], { durations: false }) }));
    const breakdowns = Object.fromEntries(
      DIMENSIONS.map((d) => {
        const groups = new Map<string, DailyRollup[]>();
        for (const r of rows) pushTo(groups, r[d], r);
        return [d, [...groups.entries()].map(([key, list]) => ({ key, ...figuresOf(list, { durations: false }) })).sort((a, b) => b.conversations - a.conversations)];
      }),
    ) as Overview['breakdowns'];
    return { from: query.from, to: query.to, previous, totals: figuresOf(rows), previousTotals: figuresOf(before, { durations: false }), series, breakdowns };
  }
}
