import { readFileSync } from 'node:fs';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';

/** One document: an admin file (routing.yaml, the intent catalog) as an admin last saved it in the console. */
interface StoredAdminFile {
  _id: string;
  source: string;
  revision: number;
  updatedAt: Date;
  updatedBy?: string;
}

const COLLECTION = 'admin_files';

export interface AdminFileView {
  source: string;
  revision: number;
  origin: 'file' | 'console';
  updatedAt?: Date;
  updatedBy?: string;
}

export interface AdminFileOptions<T> {
  /** The stored document's id (the file's name). */
  id: string;
  /** What the file on disk says: in force until an admin saves a version in the console. */
  fileSource: string;
  fileOrigin: string;
  /** The file's own parser: throws an error naming the problem (the same messages as for the file). */
  parse: (source: string, origin: string) => T;
  /**
   * Called with a newly stored version before it is put in force (the intent catalog trains its model here, so
   * the new intents and the model that knows them switch together). A throw keeps the version in force.
   */
  beforeSwitch?: (value: T) => Promise<void>;
  checkEveryMs: number;
  log: Pick<Logger, 'warn' | 'info'>;
}

/**
 * An admin file as every gateway process applies it: the file on disk until an admin saves a version in the
 * console, then the stored one (MongoDB, so every process follows it). Each process checks the stored revision at
 * most every `checkEveryMs` in the background, like the knowledge base (src/knowledge-live.ts); a saved version is
 * validated with the same parser and messages as the file, and a stored version this code cannot parse (saved by
 * a newer release) is logged and skipped, never half applied.
 */
/** An admin file's text on disk, or `whenMissing` if there is no such file (any other read error is thrown). */
export function readAdminFileOr(file: string, whenMissing: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return whenMissing;
  }
}

/** What an editor needs of a live admin file, whatever it parses to. */
export interface SavableAdminFile {
  save(source: string, by: string, now: Date): Promise<{ revision: number; before: string }>;
}

export class LiveAdminFile<T> implements SavableAdminFile {
  private checkedAt = 0;
  private pending: Promise<void> | undefined;
  private state: AdminFileView & { value: T };

  protected constructor(
    private readonly connection: Connection,
    private readonly options: AdminFileOptions<T>,
  ) {
    this.state = { value: options.parse(options.fileSource, options.fileOrigin), source: options.fileSource, revision: 0, origin: 'file' };
  }

  protected static async openWith<L extends { refresh(): Promise<void> }>(live: L): Promise<L> {
    await live.refresh();
    return live;
  }

  /** The version in force; a stale check starts in the background (decisions never wait for it). */
  get value(): T {
    if (!this.pending && Date.now() - this.checkedAt >= this.options.checkEveryMs) void this.refresh();
    return this.state.value;
  }

  get view(): AdminFileView {
    const { value: _value, ...rest } = this.state;
    return rest;
  }

  /** Validates and stores a new version, then puts it in force here; throws the parser's error, storing nothing. */
  async save(source: string, by: string, now: Date): Promise<{ revision: number; before: string }> {
    this.options.parse(source, this.options.id);
    const before = this.state.source;
    const row = (await this.connection
      .collection<StoredAdminFile>(COLLECTION)
      .findOneAndUpdate({ _id: this.options.id }, { $set: { source, updatedAt: now, updatedBy: by }, $inc: { revision: 1 } }, { upsert: true, returnDocument: 'after' })) as StoredAdminFile | null;
    await this.refresh();
    return { revision: row?.revision ?? this.state.revision, before };
  }

  async refresh(): Promise<void> {
    this.pending ??= this.check().finally(() => {
      this.pending = undefined;
      this.checkedAt = Date.now();
    });
    return this.pending;
  }

  private async check(): Promise<void> {
    const { id, log } = this.options;
    try {
      const row = await this.connection.collection<StoredAdminFile>(COLLECTION).findOne({ _id: id });
      if (!row || row.revision === this.state.revision) return;
      const value = this.options.parse(row.source, `${id} (saved in the console)`);
      await this.options.beforeSwitch?.(value);
      this.state = { value, source: row.source, revision: row.revision, origin: 'console', updatedAt: row.updatedAt, ...(row.updatedBy ? { updatedBy: row.updatedBy } : {}) };
      log.info({ revision: row.revision }, `${id}: the version saved in the console is in force`);
    } catch (err) {
      // Unreadable now, or a stored version this code cannot parse: keep the version in force.
      log.warn({ err: err instanceof Error && !('code' in err) ? err.message : err }, `${id}: could not load the stored version; keeping the current one`);
    }
  }
}
