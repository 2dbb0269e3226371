import type { Connection } from 'mongoose';
import type { IngestProgress, IngestReport } from '../knowledge/ingest';

/** One re-ingest of the knowledge folder as any gateway process reports it: who started it and how far it is. */
export interface IngestJob {
  _id: string;
  status: 'running' | 'done' | 'failed';
  startedAt: Date;
  startedBy: string;
  /** The process running it, and when it last said so: a job whose holder stopped reporting is abandoned. */
  holder: string;
  heartbeatAt: Date;
  total: number | null;
  done: number;
  currentFile: string | null;
  finishedAt?: Date;
  report?: IngestReport;
  error?: string;
}

const COLLECTION = 'knowledge_jobs';
const ID = 'reingest';
/** A running job that has not reported for this long lost its process (a crash, a restart): it may be started again. */
export const ABANDONED_AFTER_MS = 60_000;

export class IngestRunning extends Error {}

/**
 * The folder re-ingest as a job in MongoDB, so the console can show its progress from any process and two admins
 * (or two processes) cannot run it at once. Starting is one atomic upsert on a fixed id: it matches only a job
 * that is finished or abandoned, and loses with a duplicate key to a running one.
 */
export class IngestJobs {
  constructor(
    private readonly connection: Connection,
    private readonly holder: string,
    private readonly clock: () => Date,
  ) {}

  private get jobs() {
    return this.connection.collection<IngestJob>(COLLECTION);
  }

  async current(): Promise<IngestJob | null> {
    return this.jobs.findOne({ _id: ID });
  }

  /**
   * Starts `run` in the background and returns the job as stored; throws IngestRunning while another runs. The
   * progress callback it gets writes to the job row (each file is one small update; ingestion is per file anyway).
   */
  async start(by: string, run: (onProgress: (event: IngestProgress) => void) => Promise<IngestReport>): Promise<IngestJob> {
    const now = this.clock();
    const job: Omit<IngestJob, '_id'> = { status: 'running', startedAt: now, startedBy: by, holder: this.holder, heartbeatAt: now, total: null, done: 0, currentFile: null };
    try {
      await this.jobs.updateOne(
        { _id: ID, $or: [{ status: { $ne: 'running' } }, { heartbeatAt: { $lt: new Date(now.getTime() - ABANDONED_AFTER_MS) } }] },
        { $set: job, $unset: { finishedAt: '', report: '', error: '' } },
        { upsert: true },
      );
    } catch (err) {
      if ((err as { code?: number }).code === 11000) throw new IngestRunning('the knowledge folder is being ingested already: wait for it to finish');
      throw err;
    }
    const mine = { _id: ID, holder: this.holder, startedAt: now };
    let writes = Promise.resolve();
    // Progress updates are chained so they land in order, and never after the final state.
    const onProgress = (event: IngestProgress) => {
      const set: Partial<IngestJob> =
        event.kind === 'start' ? { total: event.total } : event.kind === 'file' ? { done: event.done, total: event.total, currentFile: event.file } : {};
      writes = writes.then(() => this.jobs.updateOne(mine, { $set: { ...set, heartbeatAt: this.clock() } })).then(
        () => undefined,
        () => undefined,
      );
    };
    // A long file (a big PDF being embedded) sends no progress for a while: the heartbeat says the holder is alive.
    const heartbeat = setInterval(() => {
      writes = writes.then(() => this.jobs.updateOne(mine, { $set: { heartbeatAt: this.clock() } })).then(
        () => undefined,
        () => undefined,
      );
    }, ABANDONED_AFTER_MS / 4);
    heartbeat.unref();
    void (async () => {
      let final: Partial<IngestJob>;
      try {
        const report = await run(onProgress);
        final = { status: 'done', report, currentFile: null };
      } catch (err) {
        final = { status: 'failed', error: err instanceof Error ? err.message : String(err) };
      }
      clearInterval(heartbeat);
      await writes;
      await this.jobs.updateOne(mine, { $set: { ...final, finishedAt: this.clock(), heartbeatAt: this.clock() } }).catch(() => undefined);
    })();
    return { _id: ID, ...job };
  }
}
