import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { retryDelayMs } from '../pipeline/backoff';
import type { AlertNotice } from './notify';
import type { AlertTarget } from './rules';

/** `alert_notices`: one row per notice and target, `_id` = `<notice id>|<target>`, so a re-run inserts nothing twice. */
export interface NoticeRow {
  _id: string;
  target: string;
  notice: AlertNotice;
  status: 'queued' | 'sent' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lastError?: string;
  sentAt?: Date;
  createdAt: Date;
}

export const NOTICES_COLLECTION = 'alert_notices';
const MAX_ATTEMPTS = 8;
const RETRY = { baseMs: 30_000, maxMs: 15 * 60_000 };
/** Sent and dead rows are history for the console; kept this long. */
const KEEP_MS = 30 * 24 * 3_600_000;

export type Send = (target: AlertTarget, notice: AlertNotice) => Promise<void>;

/**
 * Notices persist before they are sent and record each attempt on their row (retried with backoff, given up after
 * MAX_ATTEMPTS with the error kept). When the store itself is down, the store-unreachable notice cannot be written:
 * it waits in memory and is sent from there, because that is exactly when it matters.
 */
export class NoticeOutbox {
  private readonly inMemory: NoticeRow[] = [];
  /** Rows sent or given up while the store was away: recorded once it is back, so the console's history is whole. */
  private unrecorded: NoticeRow[] = [];

  constructor(
    private readonly connection: Connection,
    private readonly log: Pick<Logger, 'warn' | 'info'>,
    private readonly random: () => number = Math.random,
  ) {}

  private get rows() {
    return this.connection.collection<NoticeRow>(NOTICES_COLLECTION);
  }

  static rowsFor(notice: AlertNotice, targets: string[], now: Date): NoticeRow[] {
    return targets.map((target) => ({ _id: `${notice.id}|${target}`, target, notice, status: 'queued', attempts: 0, nextAttemptAt: now, createdAt: now }));
  }

  /** Stores the rows; ones already stored (a re-run after a crash) are left as they are. */
  async enqueue(rows: NoticeRow[]): Promise<void> {
    if (rows.length === 0) return;
    try {
      await this.rows.insertMany(rows, { ordered: false });
    } catch (err) {
      // Duplicate keys are the re-run case; anything else is a real failure.
      const writeErrors = (err as { writeErrors?: Array<{ code?: number; err?: { code?: number } }> }).writeErrors;
      const onlyDuplicates = (err as { code?: number }).code === 11000 || (writeErrors?.length && writeErrors.every((e) => (e.code ?? e.err?.code) === 11000));
      if (!onlyDuplicates) throw err;
    }
  }

  /** For when the store cannot take them. */
  keepInMemory(rows: NoticeRow[]): void {
    for (const row of rows) if (!this.inMemory.some((r) => r._id === row._id)) this.inMemory.push(row);
  }

  /** Sends what is due: the in-memory rows first, then the stored ones (if the store answers). */
  async deliver(send: (row: NoticeRow) => Promise<void>, now: Date, storeAvailable: boolean): Promise<number> {
    let sent = 0;
    for (const row of [...this.inMemory]) {
      if (row.nextAttemptAt > now) continue;
      const outcome = await this.attempt(row, send, now);
      Object.assign(row, outcome);
      if (outcome.status !== 'queued') {
        this.inMemory.splice(this.inMemory.indexOf(row), 1);
        this.unrecorded.push(row);
      }
      if (outcome.status === 'sent') sent += 1;
    }
    if (!storeAvailable) return sent;
    if (this.unrecorded.length) {
      const rows = this.unrecorded;
      await this.enqueue(rows);
      this.unrecorded = this.unrecorded.filter((r) => !rows.includes(r));
    }
    const due = await this.rows.find({ status: 'queued', nextAttemptAt: { $lte: now } }).limit(100).toArray();
    for (const row of due) {
      const outcome = await this.attempt(row, send, now);
      await this.rows.updateOne({ _id: row._id, status: 'queued' }, { $set: outcome });
      if (outcome.status === 'sent') sent += 1;
    }
    return sent;
  }

  async recent(limit: number): Promise<NoticeRow[]> {
    return this.rows.find({}).sort({ createdAt: -1 }).limit(limit).toArray();
  }

  async prune(now: Date): Promise<void> {
    await this.rows.deleteMany({ status: { $in: ['sent', 'dead'] }, createdAt: { $lt: new Date(now.getTime() - KEEP_MS) } });
  }

  private async attempt(row: NoticeRow, send: (row: NoticeRow) => Promise<void>, now: Date): Promise<Partial<NoticeRow> & Pick<NoticeRow, 'status'>> {
    const attempts = row.attempts + 1;
    try {
      await send(row);
      return { status: 'sent', attempts, sentAt: now };
    } catch (err) {
      const lastError = err instanceof Error ? err.message : String(err);
      if (attempts >= MAX_ATTEMPTS) {
        this.log.warn({ notice: row._id, attempts, err: lastError }, 'alert notice given up');
        return { status: 'dead', attempts, lastError };
      }
      this.log.warn({ notice: row._id, attempts, err: lastError }, 'alert notice failed; will retry');
      return { status: 'queued', attempts, lastError, nextAttemptAt: new Date(now.getTime() + retryDelayMs(attempts, RETRY, this.random)) };
    }
  }
}
