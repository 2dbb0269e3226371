import type { Logger } from 'pino';
import type { Models } from '../../conversations/models';
import type { GatewayMetrics } from './metrics';
import { storeTimeout } from '../store/timeout';

export interface QueueDepthOptions {
  /** How long one reading serves scrapes: several Prometheus servers scraping every process must not each cost three counts. */
  cacheMs: number;
  /** A count that takes longer is abandoned: a scrape must answer even when the store is slow or gone. */
  timeoutMs: number;
  /** Whether the store is known to be down (StoreAvailability): then nothing is asked of it. */
  storeAvailable: () => boolean;
  log: Logger;
  now?: () => number;
}

interface Reading {
  at: number;
  counts?: { process: number; deliver: number; deadLetters: number };
}

/**
 * Queue depth read from MongoDB at scrape time, so every process reports the same cluster-wide figure (aggregate
 * with max(), not sum()). Three `countDocuments` on indexed fields, cached for `cacheMs`; concurrent scrapes share
 * one reading. While the store cannot be read the depth series are left out rather than frozen at a stale value,
 * and `switchboard_store_reachable` says 0.
 */
export class QueueDepth {
  private last: Reading = { at: -Infinity };
  private inFlight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(
    private readonly models: Pick<Models, 'Job' | 'Message'>,
    private readonly metrics: GatewayMetrics,
    private readonly options: QueueDepthOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Brings the gauges up to date (called by the `/metrics` route before rendering). */
  async refresh(): Promise<void> {
    if (this.now() - this.last.at >= this.options.cacheMs) {
      this.inFlight ??= this.read().finally(() => {
        this.inFlight = undefined;
      });
      await this.inFlight;
    }
    this.apply();
  }

  private async read(): Promise<void> {
    if (!this.options.storeAvailable()) {
      this.last = { at: this.now() };
      return;
    }
    const { Job, Message } = this.models;
    const maxTimeMS = this.options.timeoutMs;
    try {
      // Jobs hold only in-flight work (the claim index's `kind` prefix); `delivery.status` is indexed on messages.
      const [process, deliver, deadLetters] = await storeTimeout(
        Promise.all([
          Job.countDocuments({ kind: 'process' }).maxTimeMS(maxTimeMS),
          Job.countDocuments({ kind: 'deliver' }).maxTimeMS(maxTimeMS),
          Message.countDocuments({ 'delivery.status': 'failed' }).maxTimeMS(maxTimeMS),
        ]),
        this.options.timeoutMs,
      );
      this.last = { at: this.now(), counts: { process, deliver, deadLetters } };
    } catch (err) {
      this.options.log.warn({ err }, 'queue depth not read for /metrics');
      this.last = { at: this.now() };
    }
  }

  private apply(): void {
    const { metrics } = this;
    const counts = this.last.counts;
    metrics.storeReachable.set(counts ? 1 : 0);
    // A labelled gauge's reset drops its series: absent, not a stale or made-up zero.
    metrics.queueDepth.reset();
    if (!counts) return;
    metrics.queueDepth.set({ queue: 'process' }, counts.process);
    metrics.queueDepth.set({ queue: 'delivery' }, counts.deliver);
    metrics.queueDepth.set({ queue: 'dead_letter' }, counts.deadLetters);
  }
}

