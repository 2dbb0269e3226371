import type { ChangeStream } from 'mongodb';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';

/** An empty read of a stream returns no sooner than this: the stand-in answers getMore at once, without awaiting. */
const MIN_EMPTY_READ_MS = 200;
/** Streams close after this long without anyone waiting on them: nobody has the console open. */
const IDLE_MS = 60_000;

/**
 * Wakes the console's long polls when what they show may have changed. With change streams (a replica set, Atlas,
 * or the stand-in with its oplog) a waiting request re-reads as soon as a watched collection changes; without them
 * (`streaming` is false) the caller polls. Streams are opened when a long poll first wants them and closed when
 * nobody has waited for a minute, so a gateway nobody watches holds no cursors. A sequence number closes the gap
 * between a read and the wait: a change that lands while a request is reading makes its wait return at once.
 */
export class StoreChanges {
  private seq = 0;
  private streams: ChangeStream[] = [];
  private live = false;
  private opening: Promise<void> | undefined;
  private closed = false;
  private wantedAt = 0;
  private retryAfter = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private readonly connection: Connection,
    private readonly collections: string[],
    private readonly log: Pick<Logger, 'info' | 'debug'>,
    /** After a stream fails (or the store has none), try again this much later. */
    private readonly retryMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A long poll is waiting: keep the streams open (opening them if needed; until open, callers poll). */
  want(): void {
    this.wantedAt = this.now();
    if (this.closed || this.live || this.opening || this.now() < this.retryAfter) return;
    this.opening = this.open().finally(() => {
      this.opening = undefined;
    });
  }

  /** Settles when an opening under way has opened the streams or given up; true while streaming. */
  async ready(): Promise<boolean> {
    await this.opening;
    return this.live;
  }

  /** True while every watched collection's stream is open. */
  get streaming(): boolean {
    return this.live;
  }

  /** The current change number: pass it to `wait` to wait for anything after it. */
  get version(): number {
    return this.seq;
  }

  /** Resolves when a change after `version` arrives (at once if one already did), or after `ms`. */
  wait(version: number, ms: number): Promise<void> {
    this.want();
    if (this.seq !== version) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening;
    await this.stop();
    for (const wake of [...this.waiters]) wake();
  }

  /**
   * Opens one stream per collection and reads each once (`tryNext` sends the `$changeStream` aggregate): from then
   * on no change is missed. A store without change streams (a standalone server, the stand-in without its oplog)
   * refuses here.
   */
  private async open(): Promise<void> {
    const streams = this.collections.map((name) => this.connection.collection(name).watch([], { maxAwaitTimeMS: 1_000, batchSize: 100 }));
    this.streams = streams;
    try {
      const first = await Promise.all(streams.map((s) => s.tryNext()));
      if (first.some((change) => change !== null)) this.changed();
    } catch (err) {
      await this.failed(err);
      return;
    }
    if (this.closed) return;
    this.live = true;
    this.log.debug({ collections: this.collections }, 'console: live updates follow change streams');
    for (const stream of streams) void this.follow(stream);
  }

  private async follow(stream: ChangeStream): Promise<void> {
    try {
      while (this.live && !stream.closed) {
        const startedAt = this.now();
        if (await stream.tryNext()) {
          this.changed();
          continue;
        }
        if (this.waiters.size === 0 && this.now() - this.wantedAt > IDLE_MS) {
          await this.stop();
          return;
        }
        const spent = this.now() - startedAt;
        if (spent < MIN_EMPTY_READ_MS) await new Promise((resolve) => setTimeout(resolve, MIN_EMPTY_READ_MS - spent));
      }
    } catch (err) {
      if (this.live && !stream.closed) await this.failed(err);
    }
  }

  private changed(): void {
    this.seq += 1;
    for (const wake of [...this.waiters]) wake();
  }

  private async failed(err: unknown): Promise<void> {
    if (this.closed) return;
    // Not available here, or lost: poll, and try again later.
    this.log.info({ err: err instanceof Error ? err.message : err }, 'console: change streams unavailable; live updates poll the store');
    this.retryAfter = this.now() + this.retryMs;
    await this.stop();
    // Wake everyone: they were waiting on a stream that will not tell them anything now.
    this.changed();
  }

  private async stop(): Promise<void> {
    this.live = false;
    const streams = this.streams;
    this.streams = [];
    await Promise.all(streams.map((s) => s.close().catch(() => undefined)));
  }
}
