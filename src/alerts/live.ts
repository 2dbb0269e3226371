import { readFileSync } from 'node:fs';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { LiveAdminFile } from '../admin-file-live';
import { DEFAULT_ALERTS_YAML, parseAlertRules, type AlertConfig } from './rules';

/** alerts.yaml as every gateway process applies it: ALERTS_FILE (or the built-in rules), or the console's version. */
export class LiveAlertRules extends LiveAdminFile<AlertConfig> {
  static async open(connection: Connection, file: string, options: { checkEveryMs: number; log: Pick<Logger, 'warn' | 'info'> }): Promise<LiveAlertRules> {
    let fileSource = DEFAULT_ALERTS_YAML;
    try {
      fileSource = readFileSync(file, 'utf8');
    } catch (err) {
      // No file: the built-in rules, notifying nobody until targets are added.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return LiveAdminFile.openWith(new LiveAlertRules(connection, { id: 'alerts.yaml', fileSource, fileOrigin: file, parse: parseAlertRules, ...options }));
  }

  get config(): AlertConfig {
    return this.value;
  }
}
