import { readFileSync } from 'node:fs';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { parseRouting, RoutingConfigError, type RoutingConfig } from './brain/routing/rules';

/** One document: the routing rules as an admin last saved them in the console. */
interface StoredRouting {
  _id: string;
  source: string;
  revision: number;
  updatedAt: Date;
  updatedBy?: string;
}

const COLLECTION = 'admin_files';
const ID = 'routing.yaml';

/**
 * Routing rules, teams and business hours as every gateway process applies them: the ROUTING_FILE until an admin
 * saves a version in the console, then the stored one (MongoDB, so every process follows it). Each process checks
 * the stored revision at most every `checkEveryMs` in the background, like the knowledge base
 * (src/knowledge-live.ts); a saved version is validated with the same parser and messages as the file.
 */
export class LiveRouting {
  private checkedAt = 0;
  private pending: Promise<void> | undefined;

  private constructor(
    private readonly connection: Connection,
    private readonly log: Pick<Logger, 'warn' | 'info'>,
    private readonly checkEveryMs: number,
    private state: { config: RoutingConfig; source: string; revision: number; origin: 'file' | 'console'; updatedAt?: Date; updatedBy?: string },
  ) {}

  static async open(connection: Connection, file: string, options: { checkEveryMs: number; log: Pick<Logger, 'warn' | 'info'> }): Promise<LiveRouting> {
    let fileSource = '{}';
    try {
      fileSource = readFileSync(file, 'utf8');
    } catch (err) {
      // A missing file means "everything to the default team, no rules", as loadRouting has it.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const fromFile = { config: parseRouting(fileSource, file), source: fileSource, revision: 0, origin: 'file' as const };
    const live = new LiveRouting(connection, options.log, options.checkEveryMs, fromFile);
    await live.refresh();
    return live;
  }

  /** The rules in force; a stale check starts in the background (decisions never wait for it). */
  get config(): RoutingConfig {
    if (!this.pending && Date.now() - this.checkedAt >= this.checkEveryMs) void this.refresh();
    return this.state.config;
  }

  get view(): { source: string; revision: number; origin: 'file' | 'console'; updatedAt?: Date; updatedBy?: string } {
    const { config: _config, ...rest } = this.state;
    return rest;
  }

  teams(): string[] {
    const config = this.config;
    return [...new Set([config.defaultTeam, ...Object.keys(config.teams)])];
  }

  /** Validates and stores a new version; throws RoutingConfigError naming the problem, storing nothing. */
  async save(source: string, by: string, now: Date): Promise<{ revision: number; before: string }> {
    parseRouting(source, 'routing');
    const before = this.state.source;
    const row = (await this.connection
      .collection<StoredRouting>(COLLECTION)
      .findOneAndUpdate({ _id: ID }, { $set: { source, updatedAt: now, updatedBy: by }, $inc: { revision: 1 } }, { upsert: true, returnDocument: 'after' })) as StoredRouting | null;
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
    try {
      const row = await this.connection.collection<StoredRouting>(COLLECTION).findOne({ _id: ID });
      if (!row || row.revision === this.state.revision) return;
      this.state = { config: parseRouting(row.source, 'routing (saved in the console)'), source: row.source, revision: row.revision, origin: 'console', updatedAt: row.updatedAt, ...(row.updatedBy ? { updatedBy: row.updatedBy } : {}) };
      this.log.info({ revision: row.revision }, 'routing: the rules saved in the console are in force');
    } catch (err) {
      // Unreadable now, or a stored version this code cannot parse: keep the rules in force.
      this.log.warn({ err: err instanceof RoutingConfigError ? err.message : err }, 'routing: could not load the stored rules; keeping the current ones');
    }
  }
}
