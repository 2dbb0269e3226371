import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { LiveAdminFile, readAdminFileOr } from './admin-file-live';
import type { BusinessHours } from './brain/routing/hours';
import { parseRouting, type RoutingConfig } from './brain/routing/rules';

/** Routing rules, teams and business hours as every gateway process applies them (ROUTING_FILE, or the console's). */
export class LiveRouting extends LiveAdminFile<RoutingConfig> {
  static async open(connection: Connection, file: string, options: { checkEveryMs: number; log: Pick<Logger, 'warn' | 'info'> }): Promise<LiveRouting> {
    // A missing file means "everything to the default team, no rules", as loadRouting has it.
    const fileSource = readAdminFileOr(file, '{}');
    return LiveAdminFile.openWith(new LiveRouting(connection, { id: 'routing.yaml', fileSource, fileOrigin: file, parse: parseRouting, ...options }));
  }

  /** The rules in force. */
  get config(): RoutingConfig {
    return this.value;
  }

  /** A team's business hours in force now; null when it has none (or no team): always open. */
  hoursOf(team: string | null): BusinessHours | null {
    return (team === null ? undefined : this.config.teams[team]?.hours) ?? null;
  }

  teams(): string[] {
    const config = this.config;
    return [...new Set([config.defaultTeam, ...Object.keys(config.teams)])];
  }
}
