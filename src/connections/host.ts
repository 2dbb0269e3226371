import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ChannelInstance, ChannelKind, InboundEvent } from '../../adapters/types';
import type { Store } from '../../conversations';
import type { InboundOutcome } from '../pipeline/inbound';
import { EventSpool } from './spool';
import { storeTimeout } from '../store/timeout';

/** A platform connection that must be open in exactly one process: a Discord gateway session, Slack Socket Mode. */
export interface StatefulConnection {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `onEvent` persists (or hands to the desk) one event and resolves with what happened, including a desk's answer
 * to a command, for transports that answer in their acknowledgement (Slack Socket Mode).
 */
export type ConnectionFactory = (channel: ChannelInstance, onEvent: (event: InboundEvent) => Promise<ConnectionOutcome>) => StatefulConnection;

/** What the store made of an event, or `held`: it is in the local spool and will be stored when the store is back. */
export type ConnectionOutcome = InboundOutcome | { kind: 'held' };

export interface ConnectionHostOptions {
  /** This process's lease owner id. */
  owner: string;
  /** Lease time to live; renewed every third of it, so two missed renewals still leave time before it lapses. */
  leaseMs: number;
  factories: Partial<Record<ChannelKind, ConnectionFactory>>;
  /**
   * Which enabled channels of those kinds need a connection (default: all). Slack needs one only in Socket Mode;
   * a channel that stops needing one is disconnected and its lease released, like a disabled one.
   */
  needsConnection?: (channel: ChannelInstance) => boolean;
  /** Attempts per event before it is logged and dropped (the ingest store may be briefly unreachable). */
  ingestAttempts?: number;
  ingestRetryMs?: number;
  /**
   * Kinds whose platform cannot redeliver an event we failed to store (Discord's gateway, WhatsApp Web): after one
   * failed attempt their events are held in a local spool under `dir` and drained into the store, in order, with
   * back-off from `retryMs` up to `maxRetryMs`. Other kinds (Slack Socket Mode, IMAP) withhold their ack instead.
   */
  spool?: {
    dir: string;
    kinds: ChannelKind[];
    retryMs?: number;
    maxRetryMs?: number;
    /**
     * How long the one attempt may take before the event is held anyway (default 2 s): a store that is down makes the
     * driver wait (mongoose buffers for 10 s, server selection 30 s), and until the event is on disk a crash loses it.
     * An attempt that still lands later is harmless: the held copy's replay finds it stored (ingest is idempotent).
     */
    attemptTimeoutMs?: number;
  };
}

/** The longest a process waits before trying a connection that keeps failing to start again. */
const MAX_START_BACKOFF_MS = 5 * 60_000;

export const connectionLeaseName = (channelId: string, kind: ChannelKind) => `connection:${kind}:${channelId}`;

interface Held {
  channel: ChannelInstance;
  fingerprint: string;
  connection: StatefulConnection;
  /** Where this process's lease ends as far as it knows: past it, an unconfirmed renewal means stop. */
  leaseUntil: number;
  fencing: number;
  /** Set while `start()` runs. */
  starting?: Promise<void> | undefined;
}

/**
 * Keeps every enabled channel that needs a stateful connection (its kind has a factory; `needsConnection` agrees)
 * connected from exactly one gateway process. Each tick (a third of the lease) re-reads the channels, renews the
 * leases this process holds and tries to take the others: a lease that is free, expired or released is taken
 * and its connection started; a renewal that fails
 * stops the connection at once, because another process has it now. A clean `stop` releases the leases so
 * another process takes over on its next tick; a process that dies is replaced once its leases expire.
 *
 * Events: 'acquired' (channelId, fencing), 'started' (channelId), 'lost' (channelId), 'stopped' (channelId),
 * 'tick' (after each pass).
 */
export class ConnectionHost extends EventEmitter {
  private readonly held = new Map<string, Held>();
  /** Channels whose connection failed to start here: consecutive failures, and when this process may try again. */
  private readonly backoff = new Map<string, { failures: number; notBefore: number }>();
  /** The channels that needed a connection at the last pass (held here or elsewhere). */
  private wanted: ChannelInstance[] = [];
  /** Per channel, the tail of its ingest chain: gateway events are persisted in the order they arrived. */
  private readonly queues = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private readonly spool: EventSpool | undefined;
  /** Per channel with held events: the next drain's timer and the current back-off. */
  private readonly drains = new Map<string, { timer: NodeJS.Timeout | undefined; delayMs: number }>();
  private running = false;
  private pass: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Store,
    /** The inbound router: the desk first, then ingest (src/pipeline/inbound.ts). */
    private readonly ingestor: { ingest(channel: ChannelInstance, event: InboundEvent): Promise<InboundOutcome> },
    private readonly options: ConnectionHostOptions,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
    this.spool = options.spool ? new EventSpool(options.spool.dir) : undefined;
  }

  get kinds(): ChannelKind[] {
    return Object.keys(this.options.factories) as ChannelKind[];
  }

  /** Channel ids whose connection this process runs. */
  get connected(): string[] {
    return [...this.held.keys()];
  }

  /** Whether this process runs the channel's connection now. */
  holds(channelId: string): boolean {
    return this.held.has(channelId);
  }

  /** Channels (matching `filter`) that needed a connection at the last pass and are not held by this process. */
  heldElsewhere(filter: (channel: ChannelInstance) => boolean): string[] {
    return this.wanted.filter((c) => filter(c) && !this.held.has(c.id)).map((c) => c.id);
  }

  /** The enabled channels that need a connection, read from the store (every process computes the same list). */
  async required(): Promise<ChannelInstance[]> {
    const channels = (await Promise.all(this.kinds.map((kind) => this.store.channels.listEnabled(kind)))).flat();
    const needs = this.options.needsConnection;
    return needs ? channels.filter((c) => needs(c)) : channels;
  }

  /** Per channel that needed a connection at the last pass: whether this process holds it (the metrics' gauge). */
  states(): { channelId: string; kind: ChannelKind; held: boolean }[] {
    return this.wanted.map((c) => ({ channelId: c.id, kind: c.kind, held: this.held.has(c.id) }));
  }

  start(): void {
    if (this.running || this.kinds.length === 0) return;
    this.running = true;
    this.schedule(0);
    // Events held by an earlier run (one that crashed or stopped while the store was down) go in first.
    void this.spool
      ?.channels()
      .then((ids) => ids.forEach((id) => this.scheduleDrain(id, 0)))
      .catch((err: unknown) => this.log.error({ err }, 'held connection events could not be listed'));
  }

  /**
   * Stops every connection; with `release` (the default) also gives the leases up so another process takes over
   * on its next tick. `release: false` is what a crash looks like to the others (tests use it): they wait for expiry.
   */
  async stop(options: { release?: boolean } = {}): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    for (const drain of this.drains.values()) clearTimeout(drain.timer);
    this.drains.clear();
    await this.pass;
    await Promise.all([...this.held.keys()].map((id) => this.drop(id, options.release === false ? 'halt' : 'release')));
    await Promise.all(this.queues.values());
  }

  /** One pass now (tests, and the first pass after start). */
  tick(): Promise<void> {
    this.pass = this.pass.then(() => this.run()).catch((err: unknown) => this.log.error({ err }, 'connection host pass failed'));
    return this.pass;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      void this.tick().then(() => {
        if (this.running) this.schedule(Math.max(50, Math.floor(this.options.leaseMs / 3)));
      });
    }, delayMs);
  }

  private async run(): Promise<void> {
    if (!this.running) return;
    let channels: ChannelInstance[];
    try {
      channels = await this.required();
    } catch (err) {
      // The store is unreachable: keep what runs until its lease may have lapsed, then stop it (see renew).
      this.log.warn({ err }, 'connection host could not list channels');
      channels = [...this.held.values()].map((h) => h.channel);
    }
    this.wanted = channels;
    const wanted = new Map(channels.map((c) => [c.id, c]));
    // Disabled or deleted channels: disconnect and let the lease go.
    for (const id of this.held.keys()) if (!wanted.has(id)) await this.drop(id, 'release');
    for (const channel of channels) {
      if (!this.running) break;
      try {
        if (this.held.has(channel.id)) await this.renew(channel);
        else await this.acquire(channel);
      } catch (err) {
        this.log.error({ err, channel: channel.id }, 'connection lease pass failed');
      }
    }
    this.emit('tick');
  }

  private async renew(channel: ChannelInstance): Promise<void> {
    const held = this.held.get(channel.id)!;
    const now = this.clock();
    let ours: boolean;
    try {
      ours = await this.store.leases.renew(connectionLeaseName(channel.id, channel.kind), this.options.owner, this.options.leaseMs, now);
    } catch (err) {
      // Unconfirmed: keep running while the last confirmed lease lasts, never beyond it.
      this.log.warn({ err, channel: channel.id }, 'connection lease renewal failed');
      if (now.getTime() < held.leaseUntil) return;
      ours = false;
    }
    if (!ours) {
      this.log.warn({ channel: channel.id }, 'connection lease lost: disconnecting');
      await this.drop(channel.id, 'lost');
      return;
    }
    held.leaseUntil = now.getTime() + this.options.leaseMs;
    // Changed secrets or settings (a new token): reconnect with them, keeping the lease.
    if (fingerprint(channel) !== held.fingerprint) {
      await this.stopConnection(channel.id, held);
      await this.connect(channel, held.fencing, held.leaseUntil);
    }
  }

  private async acquire(channel: ChannelInstance): Promise<void> {
    const now = this.clock();
    // A connection that keeps failing to start (no network, a revoked token, a missing browser) is retried less and
    // less often by this process; other processes keep their own count, so a healthy one can still take it.
    if (now.getTime() < (this.backoff.get(channel.id)?.notBefore ?? 0)) return;
    const name = connectionLeaseName(channel.id, channel.kind);
    const lease = await this.store.leases.acquire(name, this.options.owner, this.options.leaseMs, now);
    if (!lease) return;
    this.log.info({ channel: channel.id, fencing: lease.fencing }, 'connection lease acquired');
    this.emit('acquired', channel.id, lease.fencing);
    await this.connect(channel, lease.fencing, now.getTime() + this.options.leaseMs);
  }

  /**
   * Starts the connection without holding up the pass: a slow handshake must not delay the renewal of the other
   * leases this process holds. A connection that fails to start gives its lease back, so any process (this one
   * included) retries on its next tick.
   */
  private async connect(channel: ChannelInstance, fencing: number, leaseUntil: number): Promise<void> {
    const factory = this.options.factories[channel.kind]!;
    const connection = factory(channel, (event) => this.enqueue(channel, event));
    const held: Held = { channel, fingerprint: fingerprint(channel), connection, leaseUntil, fencing };
    this.held.set(channel.id, held);
    held.starting = connection
      .start()
      .then(
        () => {
          this.backoff.delete(channel.id);
          if (this.held.get(channel.id) === held) this.emit('started', channel.id);
        },
        async (err: unknown) => {
          const failures = (this.backoff.get(channel.id)?.failures ?? 0) + 1;
          const tickMs = Math.max(50, Math.floor(this.options.leaseMs / 3));
          const delayMs = Math.min(tickMs * 2 ** (failures - 1), MAX_START_BACKOFF_MS);
          this.backoff.set(channel.id, { failures, notBefore: this.clock().getTime() + delayMs });
          this.log.error({ err, channel: channel.id, failures, retryInMs: delayMs }, 'connection failed to start');
          if (this.held.get(channel.id) !== held) return;
          this.held.delete(channel.id);
          await connection.stop().catch(() => {});
          await this.store.leases.release(connectionLeaseName(channel.id, channel.kind), this.options.owner).catch(() => false);
        },
      )
      .finally(() => {
        held.starting = undefined;
      });
  }

  private async drop(channelId: string, why: 'lost' | 'release' | 'halt'): Promise<void> {
    const held = this.held.get(channelId);
    if (!held) return;
    this.held.delete(channelId);
    // Let a start in flight finish first: stopping a half-open client races its handshake.
    await held.starting;
    await this.stopConnection(channelId, held);
    if (why === 'lost') this.emit('lost', channelId);
    if (why === 'release') {
      await this.store.leases
        .release(connectionLeaseName(channelId, held.channel.kind), this.options.owner)
        .catch((err: unknown) => this.log.warn({ err, channel: channelId }, 'connection lease release failed; it will expire'));
    }
  }

  private async stopConnection(channelId: string, held: Held): Promise<void> {
    try {
      await held.connection.stop();
    } catch (err) {
      this.log.warn({ err, channel: channelId }, 'connection did not stop cleanly');
    }
    this.emit('stopped', channelId);
  }

  /**
   * Persists one event behind the channel's earlier ones. A failing store is retried a few times; then an event of
   * a spooled kind is held on local disk (resolving `held`: the caller may acknowledge it), any other is logged and
   * the promise rejects, for callers that can still refuse an acknowledgement so the platform redelivers (Slack
   * Socket Mode, IMAP, a Discord button click's interaction ack). Nothing may throw into the connection.
   */
  private enqueue(channel: ChannelInstance, event: InboundEvent): Promise<ConnectionOutcome> {
    const spooled = this.spool && this.options.spool!.kinds.includes(channel.kind) ? this.spool : undefined;
    // One attempt before holding: the spool retries with its own back-off and survives a restart; memory does not.
    const attempts = spooled ? 1 : (this.options.ingestAttempts ?? 4);
    const retryMs = this.options.ingestRetryMs ?? 200;
    return this.inOrder(channel.id, async (): Promise<ConnectionOutcome> => {
      // Held events first: a new one goes behind them, so a conversation's messages keep their order.
      if (spooled && (await spooled.has(channel.id))) return this.hold(spooled, channel.id, event);
      for (let attempt = 1; ; attempt++) {
        try {
          return await (spooled ? storeTimeout(this.ingestor.ingest(channel, event), this.options.spool!.attemptTimeoutMs ?? 2_000) : this.ingestor.ingest(channel, event));
        } catch (err) {
          if (attempt >= attempts) {
            if (spooled) {
              this.log.warn({ err, channel: channel.id, event: describe(event) }, 'inbound event not stored: held in the local spool');
              return this.hold(spooled, channel.id, event);
            }
            this.log.error({ err, channel: channel.id, event: describe(event) }, 'inbound event could not be stored: dropped');
            throw err;
          }
          this.log.warn({ err, channel: channel.id, attempt }, 'inbound event not stored yet: retrying');
          await new Promise((resolve) => setTimeout(resolve, retryMs * 2 ** (attempt - 1)));
        }
      }
    });
  }

  private async hold(spool: EventSpool, channelId: string, event: InboundEvent): Promise<ConnectionOutcome> {
    try {
      await spool.append(channelId, event);
    } catch (err) {
      // Neither the store nor the local disk took it: the one way left to lose an event, and it is said loudly.
      this.log.error({ err, channel: channelId, event: describe(event) }, 'inbound event could not be stored or held: dropped');
      throw err;
    }
    this.emit('held', channelId, event);
    if (!this.drains.has(channelId)) this.scheduleDrain(channelId, this.options.spool!.retryMs ?? 500);
    return { kind: 'held' };
  }

  private scheduleDrain(channelId: string, delayMs: number): void {
    const drain = this.drains.get(channelId) ?? { timer: undefined, delayMs };
    clearTimeout(drain.timer);
    drain.delayMs = delayMs;
    drain.timer = setTimeout(() => void this.inOrder(channelId, () => this.drain(channelId)), delayMs);
    this.drains.set(channelId, drain);
  }

  /**
   * Stores the channel's held events in order, on the channel's queue (new events wait behind). What the store
   * refuses stays held and is tried again later, waiting twice as long each time, up to `maxRetryMs`.
   */
  private async drain(channelId: string): Promise<void> {
    const spool = this.spool!;
    const settings = this.options.spool!;
    if (!this.running || !this.drains.has(channelId)) return;
    let events: InboundEvent[] = [];
    let stored = 0;
    try {
      events = await spool.read(channelId);
      const channel = events.length ? await this.store.channels.get(channelId) : undefined;
      // Not (yet) defined in this store, e.g. a restart against a cluster still being set up: kept, never guessed at.
      if (events.length && !channel) throw new Error(`channel ${channelId} is not defined in the store`);
      for (const event of events) {
        await this.ingestor.ingest(channel!, event);
        stored++;
      }
      await spool.keep(channelId, []);
      this.drains.delete(channelId);
      if (events.length) this.log.info({ channel: channelId, events: events.length }, 'held connection events stored');
      this.emit('drained', channelId, events.length);
    } catch (err) {
      await spool.keep(channelId, events.slice(stored)).catch((e: unknown) => this.log.error({ err: e, channel: channelId }, 'held events not rewritten; stored ones will be replayed once (ingest deduplicates)'));
      const delayMs = Math.min((this.drains.get(channelId)?.delayMs || (settings.retryMs ?? 500)) * 2, settings.maxRetryMs ?? 30_000);
      this.log.warn({ err, channel: channelId, held: events.length - stored, retryInMs: delayMs }, 'held connection events not stored yet');
      if (this.running) this.scheduleDrain(channelId, delayMs);
    }
  }

  /** Runs `task` after the channel's earlier events and drains: one chain per channel keeps arrival order. */
  private inOrder<T>(channelId: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(channelId) ?? Promise.resolve();
    const result = previous.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(channelId, tail);
    void tail.then(() => {
      if (this.queues.get(channelId) === tail) this.queues.delete(channelId);
    });
    return result;
  }
}


function fingerprint(channel: ChannelInstance): string {
  return JSON.stringify([channel.kind, channel.settings, channel.secrets]);
}

function describe(event: InboundEvent): string {
  return event.kind === 'unsupported' ? `unsupported: ${event.reason}` : `${event.kind} ${event.externalId}`;
}
