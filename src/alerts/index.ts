import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { ChannelInstance } from '../../adapters/types';
import type { Store } from '../../conversations';
import type { DeskSurface } from '../../adapters/desk';
import type { StoreState } from '../store/availability';
import { AlertEvaluator } from './evaluator';
import { LiveAlertRules } from './live';
import { noticeOf, sendNotice, type AlertNotice } from './notify';
import type { NoticeRow } from './outbox';
import { SignalRecorder } from './signals';
import type { AlertStateRow } from './state';

export { observeForAlerts } from './observe';
export type { AlertStateRow } from './state';
export type { NoticeRow } from './outbox';
export type { AlertNotice } from './notify';

/** Signals are added to the shared rows this often by every process. */
const FLUSH_MS = 5_000;

export interface AlertsOptions {
  connection: Connection;
  store: Store;
  availability: { current: StoreState };
  rulesFile: string;
  checkEveryMs: number;
  evaluateEveryMs: number;
  requiredConnections: () => Promise<ChannelInstance[]>;
  isStateful: (channel: ChannelInstance) => boolean;
  desk: (channel: ChannelInstance) => DeskSurface;
  fetch: typeof fetch;
  env: Record<string, string | undefined>;
  timeoutMs: number;
  publicUrl: string | undefined;
  processId: string;
  clock: () => Date;
  log: Logger;
}

export interface Alerts {
  rules: LiveAlertRules;
  signals: SignalRecorder;
  evaluator: AlertEvaluator;
  /** Alerts pending, firing or resolved in the last week, and the latest notices with their delivery state. */
  overview(): Promise<{ alerts: AlertStateRow[]; notices: NoticeRow[] }>;
  /** Sends a test notice to one target now (the console's "Send test"); throws what went wrong. */
  test(target: string, by: string): Promise<AlertNotice>;
  start(): void;
  stop(): Promise<void>;
}

export async function openAlerts(options: AlertsOptions): Promise<Alerts> {
  const rules = await LiveAlertRules.open(options.connection, options.rulesFile, { checkEveryMs: options.checkEveryMs, log: options.log });
  const signals = new SignalRecorder(options.connection, options.clock, options.log);
  const notify = { desk: options.desk, fetch: options.fetch, env: options.env, timeoutMs: options.timeoutMs, clock: options.clock };
  const evaluator = new AlertEvaluator({ ...options, config: () => rules.config, signals, notify });
  return {
    rules,
    signals,
    evaluator,
    async overview() {
      const [alerts, notices] = await Promise.all([evaluator.list(), evaluator.outbox.recent(50)]);
      return { alerts, notices };
    },
    async test(name, by) {
      const target = rules.config.notify[name];
      if (!target) throw new Error(`"${name}" is not a target in alerts.yaml`);
      const now = options.clock();
      const row: AlertStateRow = {
        _id: `test|${name}`,
        rule: 'test',
        kind: 'store_unreachable',
        severity: 'warning',
        subject: name,
        state: 'firing',
        activeSince: now,
        firingSince: now,
        episode: now.getTime(),
        sequence: 1,
        summary: `A test notice sent by ${by} from the console: this target receives Switchboard alerts.`,
        where: { process: options.processId },
        path: '/console/alerts',
        value: 0,
        updatedAt: now,
      };
      const notice = { ...noticeOf(row, 'firing', options.publicUrl, now), type: 'alert.test' as AlertNotice['type'] };
      const channels = new Map((await options.store.channels.listEnabled()).map((c) => [c.id, c]));
      await sendNotice(target, notice, { ...notify, channel: (id) => channels.get(id) });
      return notice;
    },
    start: () => signals.start(FLUSH_MS),
    stop: () => signals.stop(),
  };
}
