import type { ChannelInstance } from '../../adapters/types';
import type { StoreState } from '../store/availability';
import type { AlertRule } from './rules';
import { channelKey, sumAll, type SignalCounts } from './signals';
import type { Observation } from './state';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** How far back a webhook channel's usual rate is measured. */
const RATE_HOURS = 7 * 24;
/** Credentials refused within this span keep a channel "down". */
const AUTH_WINDOW_MS = 15 * MINUTE_MS;

/** What the conditions read; the evaluator builds one per tick (and caches the reads within it). */
export interface ConditionSources {
  now: number;
  /** Enabled channels. */
  channels: ChannelInstance[];
  minutes(from: number, to: number): Promise<Map<string, SignalCounts>>;
  hours(from: number, to: number): Promise<Map<string, SignalCounts>>;
  /** Per hour start in [from, to), the counts per channel key (hours without a row are absent). */
  hourly(from: number, to: number): Promise<Map<number, Map<string, SignalCounts>>>;
  /** Enabled channels that need a stateful connection and that no process holds with its session up (lease rows). */
  unheldConnections(): Promise<ChannelInstance[]>;
  /** Whether a channel keeps a stateful connection (its silence is judged by its lease, not its traffic). */
  isStateful(channel: ChannelInstance): boolean;
  /** Conversations waiting for a person's first answer. */
  waiting(): Promise<Array<{ team?: string; escalatedAt: Date; botHelpsUntil?: Date }>>;
  store: StoreState;
  process: string;
}

const pct = (share: number) => `${Math.round(share * 100)} %`;
const duration = (ms: number) => (ms >= 2 * HOUR_MS ? `${Math.round(ms / HOUR_MS)} h` : `${Math.max(1, Math.round(ms / MINUTE_MS))} min`);

export async function observe(rule: AlertRule, s: ConditionSources): Promise<Observation[]> {
  switch (rule.kind) {
    case 'frustration_spike':
      return frustrationSpike(rule, s);
    case 'repeated_failures':
      return repeatedFailures(rule, s);
    case 'channel_down':
      return channelDown(rule, s);
    case 'queue_sla':
      return queueSla(rule, s);
    case 'store_unreachable':
      return storeUnreachable(s);
  }
}

/**
 * The share of upset customer messages (negative, or frustration ≥ 0.5) in the window against the baseline: the
 * whole hours before the window's first hour, so the spike itself does not raise its own baseline.
 */
async function frustrationSpike(rule: Extract<AlertRule, { kind: 'frustration_spike' }>, s: ConditionSources): Promise<Observation[]> {
  const windowMs = rule.windowMinutes * MINUTE_MS;
  const windowStart = s.now - windowMs;
  const baselineEnd = Math.floor(windowStart / HOUR_MS) * HOUR_MS;
  const [window, baseline] = await Promise.all([s.minutes(windowStart, s.now + 1), s.hours(baselineEnd - rule.baselineHours * HOUR_MS, baselineEnd)]);
  const subjects: Array<{ subject: string; channel?: ChannelInstance; now: SignalCounts; before: SignalCounts }> =
    rule.by === 'all'
      ? [{ subject: 'all', now: sumAll(window), before: sumAll(baseline) }]
      : s.channels.map((channel) => ({ subject: channel.id, channel, now: window.get(channelKey(channel.id)) ?? {}, before: baseline.get(channelKey(channel.id)) ?? {} }));
  const found: Observation[] = [];
  for (const { subject, channel, now, before } of subjects) {
    const messages = now.messages ?? 0;
    if (messages < rule.minMessages) continue;
    const share = (now.upset ?? 0) / messages;
    const baseMessages = before.messages ?? 0;
    const baseShare = baseMessages > 0 ? (before.upset ?? 0) / baseMessages : 0;
    const baselineKnown = baseMessages >= rule.minMessages;
    if (share < rule.minShare || (baselineKnown && share < rule.factor * baseShare)) continue;
    const where = channel ? ` on ${channel.id}` : '';
    const against = baselineKnown ? `baseline ${pct(baseShare)} of ${baseMessages} over ${rule.baselineHours} h` : 'no baseline yet';
    found.push({
      subject,
      summary: `${pct(share)} of ${messages} customer messages${where} were negative or frustrated in the last ${rule.windowMinutes} min (${against})`,
      where: channel ? { channelId: channel.id, channelKind: channel.kind } : {},
      path: `/console/inbox${channel ? `?channel=${encodeURIComponent(channel.id)}` : ''}`,
      value: share,
    });
  }
  return found;
}

async function repeatedFailures(rule: Extract<AlertRule, { kind: 'repeated_failures' }>, s: ConditionSources): Promise<Observation[]> {
  const window = await s.minutes(s.now - rule.windowMinutes * MINUTE_MS, s.now + 1);
  const found: Observation[] = [];
  for (const channel of s.channels) {
    const c = window.get(channelKey(channel.id)) ?? {};
    const failures = (c.deliveryFailed ?? 0) + (c.deadLettered ?? 0) + (c.processingFailed ?? 0);
    if (failures < rule.threshold) continue;
    found.push({
      subject: channel.id,
      summary: `${failures} failures on ${channel.kind} channel ${channel.id} in the last ${rule.windowMinutes} min: ${c.deliveryFailed ?? 0} failed delivery attempts, ${c.deadLettered ?? 0} dead letters, ${c.processingFailed ?? 0} processing errors`,
      where: { channelId: channel.id, channelKind: channel.kind },
      path: `/console/channels/${encodeURIComponent(channel.id)}`,
      value: failures,
    });
  }
  return found;
}

/** Down: a stateful connection nobody holds, credentials refused, or a webhook channel silent far beyond its rate. */
async function channelDown(rule: Extract<AlertRule, { kind: 'channel_down' }>, s: ConditionSources): Promise<Observation[]> {
  const reasons = new Map<string, { channel: ChannelInstance; why: string[] }>();
  const add = (channel: ChannelInstance, why: string) => {
    const entry = reasons.get(channel.id) ?? { channel, why: [] };
    entry.why.push(why);
    reasons.set(channel.id, entry);
  };
  for (const channel of await s.unheldConnections()) add(channel, `its ${channel.kind} connection is not up in any gateway process (lost, reconnecting, or failing to start)`);
  if (rule.authErrors) {
    const recent = await s.minutes(s.now - AUTH_WINDOW_MS, s.now + 1);
    for (const channel of s.channels) {
      const refused = recent.get(channelKey(channel.id))?.authFailed ?? 0;
      if (refused > 0) add(channel, `the platform refused our credentials ${refused} time${refused === 1 ? '' : 's'} in the last 15 min`);
    }
  }
  if (rule.silentExpected > 0) {
    for (const { channel, silentMs, expected } of await silentChannels(rule, s)) {
      add(channel, `no message arrived for ${duration(silentMs)}, when its rate over the week before predicts about ${Math.round(expected)}`);
    }
  }
  return [...reasons.values()].map(({ channel, why }) => ({
    subject: channel.id,
    summary: `${channel.kind} channel ${channel.id} is down: ${why.join('; ')}`,
    where: { channelId: channel.id, channelKind: channel.kind },
    path: `/console/channels/${encodeURIComponent(channel.id)}`,
    value: why.length,
  }));
}

/**
 * Webhook channels whose silence is improbable: nothing for the span in which their rate over the previous week
 * predicts `silentExpected` messages (with 10 expected, a Poisson silence that long happens with p ≈ 0.00005).
 */
async function silentChannels(rule: Extract<AlertRule, { kind: 'channel_down' }>, s: ConditionSources) {
  const candidates = s.channels.filter((c) => !s.isStateful(c));
  if (candidates.length === 0) return [];
  const currentHour = Math.floor(s.now / HOUR_MS) * HOUR_MS;
  const maxSpan = rule.maxSilentHours * HOUR_MS;
  const from = currentHour - maxSpan - RATE_HOURS * HOUR_MS;
  const series = await s.hourly(from, currentHour + HOUR_MS);
  const found: Array<{ channel: ChannelInstance; silentMs: number; expected: number }> = [];
  for (const channel of candidates) {
    // Inbound counts per hour, newest first (index 0 is the current hour).
    const perHour: number[] = [];
    for (let t = currentHour; t >= from; t -= HOUR_MS) perHour.push(series.get(t)?.get(channelKey(channel.id))?.inbound ?? 0);
    // The span grows as the rate falls; the rate is measured over the week before the span.
    const spanHours = findSpan(perHour, rule.silentExpected, rule.maxSilentHours);
    if (spanHours === undefined) continue;
    const silentMs = s.now - (currentHour - (spanHours - 1) * HOUR_MS);
    const rate = rateBefore(perHour, spanHours);
    found.push({ channel, silentMs, expected: (rate * silentMs) / HOUR_MS });
  }
  return found;
}

function rateBefore(perHour: number[], spanHours: number): number {
  const before = perHour.slice(spanHours, spanHours + RATE_HOURS);
  return before.reduce((a, b) => a + b, 0) / RATE_HOURS;
}

/** The shortest silent span (in hours, counting the current one) long enough to be improbable, if there is one. */
function findSpan(perHour: number[], expected: number, maxHours: number): number | undefined {
  for (let span = 1; span <= maxHours; span++) {
    if (perHour[span - 1]! > 0) return undefined;
    const rate = rateBefore(perHour, span);
    if (rate > 0 && rate * span >= expected) return span;
  }
  return undefined;
}

async function queueSla(rule: Extract<AlertRule, { kind: 'queue_sla' }>, s: ConditionSources): Promise<Observation[]> {
  const byTeam = new Map<string, { breached: number; oldestMs: number; thresholdMinutes: number }>();
  for (const c of await s.waiting()) {
    const team = c.team ?? 'unassigned';
    const thresholdMinutes = rule.teams[team] ?? rule.thresholdMinutes;
    // Outside the team's hours the bot keeps helping: the wait for people starts when they are back.
    const from = Math.max(c.escalatedAt.getTime(), c.botHelpsUntil?.getTime() ?? 0);
    const waited = s.now - from;
    if (waited < thresholdMinutes * MINUTE_MS) continue;
    const t = byTeam.get(team) ?? { breached: 0, oldestMs: 0, thresholdMinutes };
    t.breached += 1;
    t.oldestMs = Math.max(t.oldestMs, waited);
    byTeam.set(team, t);
  }
  return [...byTeam].map(([team, t]) => ({
    subject: team,
    summary: `${t.breached} conversation${t.breached === 1 ? '' : 's'} of team ${team} waiting over ${t.thresholdMinutes} min for a first answer from a person (oldest ${duration(t.oldestMs)})`,
    where: { team },
    path: `/console/inbox?team=${encodeURIComponent(team)}`,
    value: t.breached,
  }));
}

function storeUnreachable(s: ConditionSources): Observation[] {
  if (s.store.available) return [];
  return [
    {
      subject: 'store',
      summary: `MongoDB is unreachable from gateway process ${s.process} since ${s.store.since.toISOString()}: ${s.store.reason}`,
      where: { process: s.process },
      path: '/ready',
      value: 1,
    },
  ];
}
