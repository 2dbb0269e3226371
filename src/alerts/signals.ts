import type { Connection } from 'mongoose';
import type { Logger } from 'pino';

/** What alert rules count, per channel and time bucket. */
export const SIGNALS = ['inbound', 'messages', 'upset', 'deliveryFailed', 'deadLettered', 'processingFailed', 'authFailed'] as const;
export type Signal = (typeof SIGNALS)[number];
export type SignalCounts = Partial<Record<Signal, number>>;

/**
 * `alert_signals`: one row per minute (`m:2026-12-03T12:43`) and per hour (`h:2026-12-03T12`), each holding
 * `c.<channel>.<signal>` counters. Rules read a window as a handful of point reads by `_id` (the stand-in answers
 * those from its index, whatever the history), the minutes for short windows and the hours for baselines.
 */
export interface SignalRow {
  _id: string;
  at: Date;
  grain: 'm' | 'h';
  c: Record<string, SignalCounts>;
}

export const SIGNALS_COLLECTION = 'alert_signals';
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** Minute rows are kept for two days, hour rows for 15 (the longest baseline is 14 days). */
const KEEP = { m: 2 * 24 * HOUR_MS, h: 15 * 24 * HOUR_MS };

export const minuteId = (t: number) => `m:${new Date(Math.floor(t / MINUTE_MS) * MINUTE_MS).toISOString().slice(0, 16)}`;
export const hourId = (t: number) => `h:${new Date(Math.floor(t / HOUR_MS) * HOUR_MS).toISOString().slice(0, 13)}`;

/** Field names may not contain "." or start with "$"; channel ids are checked elsewhere, but a key is a key. */
export const channelKey = (channelId: string) => channelId.replace(/[^A-Za-z0-9_-]/g, (c) => `~${c.charCodeAt(0).toString(16)}`);

/**
 * Counts signals in this process and adds them to the shared rows every few seconds: one `$inc` per bucket, not
 * one write per message on the hot path. A flush the store refuses keeps its counts for the next one; a crash
 * loses at most the last few seconds of counts, which an alert's window of minutes does not notice.
 */
export class SignalRecorder {
  private pending = new Map<string, { at: Date; grain: 'm' | 'h'; counts: Map<string, number> }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly clock: () => Date,
    private readonly log: Pick<Logger, 'warn'>,
  ) {}

  count(channelId: string, signal: Signal, by = 1): void {
    const t = this.clock().getTime();
    const field = `c.${channelKey(channelId)}.${signal}`;
    for (const [id, grain, start] of [
      [minuteId(t), 'm', Math.floor(t / MINUTE_MS) * MINUTE_MS],
      [hourId(t), 'h', Math.floor(t / HOUR_MS) * HOUR_MS],
    ] as const) {
      let bucket = this.pending.get(id);
      if (!bucket) this.pending.set(id, (bucket = { at: new Date(start), grain, counts: new Map() }));
      bucket.counts.set(field, (bucket.counts.get(field) ?? 0) + by);
    }
  }

  /** Flushes every `everyMs` until `stop`. */
  start(everyMs: number): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Writes what was counted since the last flush (the evaluator calls it first, so its own counts are in). */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async write(): Promise<void> {
    const batch = this.pending;
    if (batch.size === 0) return;
    this.pending = new Map();
    const rows = this.connection.collection<SignalRow>(SIGNALS_COLLECTION);
    for (const [id, bucket] of batch) {
      try {
        await rows.updateOne({ _id: id }, { $inc: Object.fromEntries(bucket.counts), $setOnInsert: { at: bucket.at, grain: bucket.grain } }, { upsert: true });
      } catch (err) {
        // Keep the counts for the next flush rather than lose them (the store may be back by then).
        const again = this.pending.get(id) ?? { ...bucket, counts: new Map<string, number>() };
        for (const [field, n] of bucket.counts) again.counts.set(field, (again.counts.get(field) ?? 0) + n);
        this.pending.set(id, again);
        this.log.warn({ err: (err as Error).message }, 'alert signals not written; kept for the next flush');
      }
    }
  }
}

/** Reads signal rows by `_id` and sums them per channel. */
export class SignalReader {
  constructor(private readonly connection: Connection) {}

  /** Per channel key, the counts of the minutes in [from, to). */
  async minutes(from: number, to: number): Promise<Map<string, SignalCounts>> {
    return this.sum(bucketIds(MINUTE_MS, minuteId, from, to));
  }

  /** Per channel key, the counts of the whole hours in [from, to). */
  async hours(from: number, to: number): Promise<Map<string, SignalCounts>> {
    return this.sum(bucketIds(HOUR_MS, hourId, from, to));
  }

  /** Per hour start in [from, to), the counts per channel key. */
  async hourly(from: number, to: number): Promise<Map<number, Map<string, SignalCounts>>> {
    const ids = bucketIds(HOUR_MS, hourId, from, to);
    const rows = await this.connection
      .collection<SignalRow>(SIGNALS_COLLECTION)
      .find({ _id: { $in: ids } })
      .toArray();
    return new Map(rows.map((row) => [row.at.getTime(), new Map(Object.entries(row.c ?? {}))]));
  }

  /** Deletes rows past their keep time (TTL indexes do not run on the stand-in). */
  async prune(now: number): Promise<void> {
    const rows = this.connection.collection<SignalRow>(SIGNALS_COLLECTION);
    await rows.deleteMany({ grain: 'm', at: { $lt: new Date(now - KEEP.m) } });
    await rows.deleteMany({ grain: 'h', at: { $lt: new Date(now - KEEP.h) } });
  }

  private async sum(ids: string[]): Promise<Map<string, SignalCounts>> {
    const totals = new Map<string, SignalCounts>();
    if (ids.length === 0) return totals;
    const rows = await this.connection
      .collection<SignalRow>(SIGNALS_COLLECTION)
      .find({ _id: { $in: ids } })
      .toArray();
    for (const row of rows) {
      for (const [channel, counts] of Object.entries(row.c ?? {})) {
        const total = totals.get(channel) ?? {};
        for (const signal of SIGNALS) if (counts[signal]) total[signal] = (total[signal] ?? 0) + counts[signal]!;
        totals.set(channel, total);
      }
    }
    return totals;
  }
}

/** The ids of the buckets of `sizeMs` that overlap [from, to). */
function bucketIds(sizeMs: number, idOf: (t: number) => string, from: number, to: number): string[] {
  const ids: string[] = [];
  for (let t = Math.floor(from / sizeMs) * sizeMs; t < to; t += sizeMs) ids.push(idOf(t));
  return ids;
}

/** All channels' counts added up. */
export function sumAll(byChannel: Map<string, SignalCounts>): SignalCounts {
  const total: SignalCounts = {};
  for (const counts of byChannel.values()) for (const signal of SIGNALS) if (counts[signal]) total[signal] = (total[signal] ?? 0) + counts[signal]!;
  return total;
}
