import type { Logger } from 'pino';

/**
 * A polling loop that runs `tick` until it reports no work, then sleeps `pollMs` or until `wake()`.
 * Polling (not change streams) is the portable default: it behaves the same on the stand-in and on any cluster.
 */
export class LeaseLoop {
  private running = false;
  private sleeping: { timer: NodeJS.Timeout; resolve: () => void } | undefined;
  private loop: Promise<void> | undefined;
  private woken = false;

  constructor(
    readonly name: string,
    private readonly tick: () => Promise<boolean>,
    private readonly pollMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Started and not stopped: `tick` failures are logged and retried, so a running loop stays alive (`/ready`). */
  get isRunning(): boolean {
    return this.running;
  }

  get isSleeping(): boolean {
    return this.sleeping !== undefined;
  }

  wake(): void {
    this.woken = true;
    if (this.sleeping) {
      clearTimeout(this.sleeping.timer);
      this.sleeping.resolve();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      let worked = false;
      try {
        this.woken = false;
        worked = await this.tick();
        failures = 0;
      } catch (err) {
        failures += 1;
        this.log.error({ err, loop: this.name }, 'worker tick failed');
      }
      if (!this.running) break;
      if (!worked && !this.woken) {
        // Back off on repeated store errors, so an outage is not hammered by every process.
        const delay = failures > 0 ? Math.min(this.pollMs * 2 ** failures, 10_000) : this.pollMs;
        await new Promise<void>((resolve) => {
          this.sleeping = { timer: setTimeout(resolve, delay), resolve };
        });
        this.sleeping = undefined;
      }
    }
  }
}

/**
 * Wakes one loop of a pool for one unit of new work: a sleeping one if any, otherwise the next busy one is told
 * not to sleep after its current tick. Waking every loop would send them all to claim one job.
 */
export function wakeOne(loops: LeaseLoop[]): () => void {
  let next = 0;
  return () => {
    if (loops.length === 0) return;
    const sleeping = loops.find((l) => l.isSleeping);
    if (sleeping) return sleeping.wake();
    loops[next++ % loops.length]!.wake();
  };
}
