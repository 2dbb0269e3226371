import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { ReportSink } from '../../conversations/report-events';
import type { Config } from '../config';
import { ReportFigures } from './figures';
import { isKnowledgeGap, recordGap } from './gaps';
import { OutcomeStore } from './outcomes';
import { Rollups } from './rollups';
import { reportSink } from './sink';
import type { ReportSettings } from './types';

export interface Reporting {
  /** Handed to the store: the repositories report facts here as they happen. */
  sink: ReportSink;
  outcomes: OutcomeStore;
  rollups: Rollups;
  figures: ReportFigures;
  settings: ReportSettings;
  /** One round of background work: outcomes whose time came, then dirty days' rollups. True when more is left. */
  tick(): Promise<boolean>;
}

export function reportSettingsOf(config: Pick<Config, 'REPORT_ASSUME_RESOLVED_MINUTES' | 'REPORT_DURABLE_DAYS' | 'REPORT_CONFIRM_INTENTS'>): ReportSettings {
  return {
    assumeResolvedAfterMs: config.REPORT_ASSUME_RESOLVED_MINUTES * 60_000,
    durableAfterMs: config.REPORT_DURABLE_DAYS * 86_400_000,
    confirmIntents: config.REPORT_CONFIRM_INTENTS,
  };
}

/**
 * The reporting model (issue #15): append-only events → one outcome row per episode → daily rollups → figures.
 * Every step is idempotent and safe on several processes at once (ids that collide, a count guard on outcome rows,
 * dirty days claimed by deleting their mark), so no lease is needed.
 */
export function openReporting(connection: Connection, settings: ReportSettings, clock: () => Date, log: Pick<Logger, 'warn'>): Reporting {
  const outcomes = new OutcomeStore(connection, settings, clock);
  const rollups = new Rollups(connection, clock);
  return {
    sink: reportSink(connection, log, async (row) => {
      await outcomes.refresh(row.conversationId, row.episode);
      if (row.fact.type === 'message' && isKnowledgeGap(row.fact.annotations)) await recordGap(connection, row.fact.key, row.conversationId, row.at);
    }),
    outcomes,
    rollups,
    figures: new ReportFigures(connection),
    settings,
    tick: async () => {
      const rechecked = await outcomes.sweepRechecks();
      const more = await rollups.rollDirty();
      return more || rechecked >= 500;
    },
  };
}
