import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { EmbeddedMongo, StandInExitEvent } from './embedded-mongo';

export type StoreState =
  | { available: true }
  | { available: false; reason: string; since: Date; /** For `Retry-After`. */ retryAfterSeconds: number };

/** When nothing says when the store is back (a lost MONGODB_URI cluster): what clients are told to wait. */
const DEFAULT_RETRY_AFTER_S = 5;

/**
 * Whether the store can be reached right now, from the driver's own view of the server (mongoose's `disconnected`
 * and `reconnected`) and, for the embedded store, from the JVM's exit. Routes that need the store answer
 * `503 store_unavailable` at once while it is down, instead of waiting out the driver's server selection (15 s)
 * and failing with a 500; `/health` and `/ready` report it.
 */
export class StoreAvailability {
  private state: StoreState = { available: true };
  private readonly detach: (() => void)[] = [];

  constructor(
    connection: Connection,
    private readonly log: Logger,
    embedded?: EmbeddedMongo,
  ) {
    const onConnected = () => this.up('the store connection is back');
    this.subscribe(connection, {
      disconnected: () => this.down('lost the connection to the store', DEFAULT_RETRY_AFTER_S),
      reconnected: onConnected,
      connected: onConnected,
    });
    if (embedded) {
      this.subscribe(embedded, {
        exit: (exit: StandInExitEvent) => {
          const how = exit.signal ?? `exit code ${exit.code}`;
          const next = exit.restartInMs === undefined ? 'not restarted' : `restarting in ${seconds(exit.restartInMs)} s`;
          this.down(`embedded MongoDB stand-in exited (${how}); ${next}`, exit.restartInMs === undefined ? DEFAULT_RETRY_AFTER_S : Math.ceil(exit.restartInMs / 1000) + 1, true);
        },
        'restart-failed': (failed: { error: Error; restartInMs: number }) =>
          this.down(`embedded MongoDB stand-in failed to restart (${failed.error.message.split('\n')[0]}); restarting in ${seconds(failed.restartInMs)} s`, Math.ceil(failed.restartInMs / 1000) + 1, true),
        restart: ({ port }: { port: number }) => this.up(`embedded MongoDB stand-in restarted on port ${port}`),
      });
    }
  }

  /** Listens to `emitter` until `close()`. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each listener declares its own event's payload
  private subscribe(emitter: { on(event: string, listener: (...args: any[]) => void): unknown; off(event: string, listener: (...args: any[]) => void): unknown }, listeners: Record<string, (...args: any[]) => void>): void {
    for (const [event, listener] of Object.entries(listeners)) emitter.on(event, listener);
    this.detach.push(() => {
      for (const [event, listener] of Object.entries(listeners)) emitter.off(event, listener);
    });
  }

  get current(): StoreState {
    return this.state;
  }

  close(): void {
    this.detach.splice(0).forEach((off) => off());
  }

  /** `force`: the embedded JVM's own news, more precise than the driver's, replaces the reason already given. */
  private down(reason: string, retryAfterSeconds: number, force = false): void {
    if (!this.state.available && !force) return;
    const since = this.state.available ? new Date() : this.state.since;
    this.state = { available: false, reason, since, retryAfterSeconds };
    this.log.error({ store: 'unavailable', retryAfterSeconds }, `${reason}: requests needing the store answer 503 store_unavailable until it is back`);
  }

  private up(why: string): void {
    if (this.state.available) return;
    const downForMs = Date.now() - this.state.since.getTime();
    this.state = { available: true };
    this.log.warn({ store: 'available', downForMs }, why);
  }
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(ms < 10_000 ? 1 : 0);
}
