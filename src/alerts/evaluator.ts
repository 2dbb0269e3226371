import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { ChannelInstance } from '../../adapters/types';
import type { Store } from '../../conversations';
import { connectionsNotUp } from '../readiness';
import type { StoreState } from '../store/availability';
import { observe, type ConditionSources } from './conditions';
import { noticeOf, sendNotice, type NotifyDeps } from './notify';
import { NoticeOutbox, type NoticeRow } from './outbox';
import { targetsOf, type AlertConfig, type ResolvedRule } from './rules';
import { SignalReader, type SignalCounts, type SignalRecorder } from './signals';
import { step, stateId, type AlertStateRow } from './state';

export const STATES_COLLECTION = 'alert_states';
export const EVALUATOR_LEASE = 'alerts:evaluator';
/** Resolved alerts stay listed in the console this long. */
const KEEP_RESOLVED_MS = 7 * 24 * 3_600_000;
const PRUNE_EVERY_MS = 3_600_000;

export interface EvaluatorDeps {
  connection: Connection;
  store: Store;
  config: () => AlertConfig;
  signals: SignalRecorder;
  availability: { current: StoreState };
  /** Enabled channels that need a stateful connection (ConnectionHost.required). */
  requiredConnections: () => Promise<ChannelInstance[]>;
  isStateful: (channel: ChannelInstance) => boolean;
  notify: Omit<NotifyDeps, 'channel'>;
  publicUrl: string | undefined;
  processId: string;
  evaluateEveryMs: number;
  clock: () => Date;
  log: Pick<Logger, 'warn' | 'info' | 'error'>;
  random?: () => number;
}

/**
 * Evaluates every rule, in one process at a time across the cluster (the `alerts:evaluator` lease), so an alert
 * fires once however many gateways run. State per rule and subject lives in `alert_states`; notices go through
 * `alert_notices` (persisted, then sent, retried). Notice ids follow from the state (episode, sequence), and
 * notices are stored before the state that produced them, so a crash in between re-creates the same notice on the
 * next run instead of losing or doubling it.
 *
 * While the store is unreachable only the process that held the lease goes on, and only with the store rule: it
 * keeps that state in memory, sends from memory, and writes it back once the store answers.
 */
export class AlertEvaluator {
  private holding = false;
  private readonly reader: SignalReader;
  readonly outbox: NoticeOutbox;
  private channels = new Map<string, ChannelInstance>();
  /** The states as last read or written: what the store-unreachable rule steps from while the store is gone. */
  private known = new Map<string, AlertStateRow>();
  /** Changes made while the store was gone, written back on the first good run. */
  private unsaved = new Map<string, AlertStateRow | undefined>();
  private prunedAt = 0;

  constructor(private readonly deps: EvaluatorDeps) {
    this.reader = new SignalReader(deps.connection);
    this.outbox = new NoticeOutbox(deps.connection, deps.log, deps.random);
  }

  private get states() {
    return this.deps.connection.collection<AlertStateRow>(STATES_COLLECTION);
  }

  /**
   * One evaluation (the LeaseLoop calls it every ALERT_EVALUATE_SECONDS; tests call it with a moved clock). Calls
   * are serialised: two overlapping runs would step the same states twice.
   */
  tick(): Promise<boolean> {
    const run = this.pass.then(() => this.run());
    this.pass = run.catch(() => false);
    return run;
  }

  private pass: Promise<unknown> = Promise.resolve();

  private async run(): Promise<boolean> {
    const now = this.deps.clock();
    const store = this.deps.availability.current;
    if (!store.available) {
      if (this.holding) await this.withoutStore(store, now);
      return false;
    }
    await this.deps.signals.flush();
    const lease = await this.deps.store.leases.acquire(EVALUATOR_LEASE, this.deps.processId, Math.max(3 * this.deps.evaluateEveryMs, 30_000), now);
    this.holding = lease !== null;
    if (!lease) return false;

    const config = this.deps.config();
    const enabled = await this.deps.store.channels.listEnabled();
    this.channels = new Map(enabled.map((c) => [c.id, c]));
    const stored = new Map((await this.states.find({}).toArray()).map((row) => [row._id, row]));
    for (const [id, row] of this.unsaved) row ? stored.set(id, row) : stored.delete(id);
    const changes = new Map<string, AlertStateRow | undefined>(this.unsaved);
    const notices: NoticeRow[] = [];
    const sources = this.sources(enabled, store, now);

    const rules = config.rules.filter((r) => r.enabled);
    for (const rule of rules) {
      let seen;
      try {
        seen = new Map((await observe(rule, sources)).map((o) => [o.subject, o]));
      } catch (err) {
        // One rule failing to read (a bad channel row, a slow query) must not silence the others.
        this.deps.log.error({ err, rule: rule.name }, 'alert rule could not be evaluated');
        continue;
      }
      const subjects = new Set([...seen.keys(), ...[...stored.values()].filter((s) => s.rule === rule.name).map((s) => s.subject)]);
      for (const subject of subjects) {
        const id = stateId(rule.name, subject);
        const prev = stored.get(id);
        const result = step(rule, subject, prev, seen.get(subject), now);
        if (result.next !== prev) changes.set(id, result.next);
        if (result.notice && result.next) notices.push(...this.noticeRows(config, rule, result.next, result.notice, now));
      }
    }
    // Rules removed or disabled: their alerts go without a notice (the admin who removed the rule knows).
    const ruleNames = new Set(rules.map((r) => r.name));
    for (const row of stored.values()) if (!ruleNames.has(row.rule)) changes.set(row._id, undefined);

    await this.outbox.enqueue(notices);
    await this.save(changes, stored);
    this.unsaved.clear();
    await this.outbox.deliver((row) => this.send(row), now, true);
    if (now.getTime() - this.prunedAt >= PRUNE_EVERY_MS) await this.prune(now);
    return false;
  }

  /** Alerts pending, firing or resolved lately (the console). */
  async list(): Promise<AlertStateRow[]> {
    return this.states.find({}).sort({ updatedAt: -1 }).toArray();
  }

  private async withoutStore(store: Extract<StoreState, { available: false }>, now: Date): Promise<void> {
    const config = this.deps.config();
    const sources = this.sources([...this.channels.values()], store, now);
    for (const rule of config.rules.filter((r) => r.enabled && r.kind === 'store_unreachable')) {
      const seen = (await observe(rule, sources))[0];
      const subject = seen?.subject ?? 'store';
      const id = stateId(rule.name, subject);
      const prev = this.unsaved.has(id) ? this.unsaved.get(id) : this.known.get(id);
      const result = step(rule, subject, prev, seen, now);
      if (result.next !== prev) {
        this.unsaved.set(id, result.next);
        if (result.next) this.known.set(id, result.next);
        else this.known.delete(id);
      }
      if (result.notice && result.next) this.outbox.keepInMemory(this.noticeRows(config, rule, result.next, result.notice, now));
    }
    await this.outbox.deliver((row) => this.send(row), now, false);
  }

  private noticeRows(config: AlertConfig, rule: ResolvedRule, row: AlertStateRow, kind: Parameters<typeof noticeOf>[1], now: Date): NoticeRow[] {
    const notice = noticeOf(row, kind, this.deps.publicUrl, now);
    this.deps.log.info({ alert: notice.id, summary: notice.summary }, `alert ${kind}`);
    return NoticeOutbox.rowsFor(
      notice,
      targetsOf(config, rule).map((t) => t.name),
      now,
    );
  }

  private async send(row: NoticeRow): Promise<void> {
    const target = this.deps.config().notify[row.target];
    if (!target) throw new Error(`target "${row.target}" is no longer in alerts.yaml`);
    await sendNotice(target, row.notice, { ...this.deps.notify, channel: (id) => this.channels.get(id) });
  }

  private async save(changes: Map<string, AlertStateRow | undefined>, stored: Map<string, AlertStateRow>): Promise<void> {
    for (const [id, row] of changes) {
      if (row) await this.states.replaceOne({ _id: id }, row, { upsert: true });
      else await this.states.deleteOne({ _id: id });
    }
    this.known = new Map(stored);
    for (const [id, row] of changes) row ? this.known.set(id, row) : this.known.delete(id);
  }

  private async prune(now: Date): Promise<void> {
    this.prunedAt = now.getTime();
    await this.states.deleteMany({ state: 'resolved', resolvedAt: { $lt: new Date(now.getTime() - KEEP_RESOLVED_MS) } });
    await this.outbox.prune(now);
    await this.reader.prune(now.getTime());
  }

  private sources(channels: ChannelInstance[], store: StoreState, now: Date): ConditionSources {
    // Rules of one tick often read the same window: each distinct read is made once.
    const cache = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, read: () => Promise<T>) => {
      if (!cache.has(key)) cache.set(key, read());
      return cache.get(key) as Promise<T>;
    };
    const { store: s, requiredConnections, isStateful } = this.deps;
    return {
      now: now.getTime(),
      channels,
      store,
      process: this.deps.processId,
      isStateful,
      minutes: (from, to) => once<Map<string, SignalCounts>>(`m${from}:${to}`, () => this.reader.minutes(from, to)),
      hours: (from, to) => once<Map<string, SignalCounts>>(`h${from}:${to}`, () => this.reader.hours(from, to)),
      hourly: (from, to) => once(`s${from}:${to}`, () => this.reader.hourly(from, to)),
      unheldConnections: () => once('unheld', async () => connectionsNotUp(await requiredConnections(), s.leases, now)),
      waiting: () =>
        once('waiting', async () => {
          const rows = await s.models.Conversation.find({ status: { $in: ['pending', 'assigned'] } }, { team: 1, escalatedAt: 1, agentFirstReplyAt: 1, botHelpsUntil: 1 }).lean<
            Array<{ team?: string; escalatedAt?: Date; agentFirstReplyAt?: Date; botHelpsUntil?: Date }>
          >();
          return rows
            .filter((r) => r.escalatedAt && !r.agentFirstReplyAt)
            .map((r) => ({ escalatedAt: r.escalatedAt!, ...(r.team ? { team: r.team } : {}), ...(r.botHelpsUntil ? { botHelpsUntil: r.botHelpsUntil } : {}) }));
        }),
    };
  }
}
