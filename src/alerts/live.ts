import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { LiveAdminFile, readAdminFileOr } from '../admin-file-live';
import { DEFAULT_ALERTS_YAML, parseAlertRules, type AlertConfig } from './rules';

/** alerts.yaml as every gateway process applies it: ALERTS_FILE (or the built-in rules), or the console's version. */
export class LiveAlertRules extends LiveAdminFile<AlertConfig> {
  static async open(connection: Connection, file: string, options: { checkEveryMs: number; log: Pick<Logger, 'warn' | 'info'> }): Promise<LiveAlertRules> {
    // No file: the built-in rules, notifying nobody until targets are added.
    const fileSource = readAdminFileOr(file, DEFAULT_ALERTS_YAML);
    return LiveAdminFile.openWith(new LiveAlertRules(connection, { id: 'alerts.yaml', fileSource, fileOrigin: file, parse: parseAlertRules, ...options }));
  }

  get config(): AlertConfig {
    return this.value;
  }
}
