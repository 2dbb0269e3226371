import type { AlertKind, ResolvedRule } from './rules';

/** What a rule sees now for one subject (a channel, a team, "all"): only subjects whose condition holds. */
export interface Observation {
  subject: string;
  /** One sentence naming what is wrong, with the numbers ("62 % of 40 messages upset in 15 min, baseline 8 %"). */
  summary: string;
  where: { channelId?: string; channelKind?: string; team?: string; process?: string };
  /** Console path that shows it (`/console/reports?...`), joined to PUBLIC_URL in notices. */
  path: string;
  value: number;
}

/** `alert_states`: one row per rule and subject that is pending, firing or recently resolved. */
export interface AlertStateRow {
  _id: string;
  rule: string;
  kind: AlertKind;
  severity: 'warning' | 'critical';
  subject: string;
  state: 'pending' | 'firing' | 'resolved';
  /** When the condition was first seen holding (this time). */
  activeSince: Date;
  firingSince?: Date;
  /** While firing: when the condition was first seen gone (resolution waits `resolveAfterMinutes` from here). */
  clearSince?: Date;
  resolvedAt?: Date;
  lastNotifiedAt?: Date;
  /** Incremented each time it fires: notices of one firing share it, so their ids are stable across re-runs. */
  episode: number;
  /** Notices sent in this episode (the first is 1). */
  sequence: number;
  summary: string;
  where: Observation['where'];
  path: string;
  value: number;
  updatedAt: Date;
}

export type NoticeKind = 'firing' | 'repeat' | 'resolved';

export interface Step {
  /** undefined: the row goes (a pending alert whose condition went away before it fired). */
  next: AlertStateRow | undefined;
  notice?: NoticeKind;
}

export const stateId = (rule: string, subject: string) => `${rule}|${subject}`;

/**
 * One evaluation of one rule and subject, as Prometheus and Alertmanager do it: a condition must hold for the
 * pending window before it fires; a firing alert repeats at the resend interval; it resolves (with a notice) only
 * after the condition has been gone for `resolveAfterMinutes`, so a value hovering at the threshold does not send
 * a storm of fired/resolved pairs. Pure: the evaluator persists what this returns.
 */
export function step(rule: ResolvedRule, subject: string, prev: AlertStateRow | undefined, seen: Observation | undefined, now: Date): Step {
  const at = now.getTime();
  const minutes = (m: number) => m * 60_000;
  const live = prev && prev.state !== 'resolved' ? prev : undefined;

  if (!seen) {
    if (!live) return { next: prev };
    if (live.state === 'pending') return { next: undefined };
    const clearSince = live.clearSince ?? now;
    if (at - clearSince.getTime() >= minutes(rule.resolveAfterMinutes)) {
      return { next: { ...live, state: 'resolved', clearSince, resolvedAt: now, lastNotifiedAt: now, sequence: live.sequence + 1, updatedAt: now }, notice: 'resolved' };
    }
    return { next: live.clearSince ? live : { ...live, clearSince, updatedAt: now } };
  }

  const observed = { summary: seen.summary, where: seen.where, path: seen.path, value: seen.value, severity: rule.severity, updatedAt: now };
  if (!live) {
    const pending: AlertStateRow = {
      _id: stateId(rule.name, subject),
      rule: rule.name,
      kind: rule.kind,
      subject,
      state: 'pending',
      activeSince: now,
      episode: prev?.episode ?? 0,
      sequence: 0,
      ...observed,
    };
    return rule.pendingMinutes === 0 ? fire(pending, now) : { next: pending };
  }
  if (live.state === 'pending') {
    const next = { ...live, ...observed };
    return at - live.activeSince.getTime() >= minutes(rule.pendingMinutes) ? fire(next, now) : { next };
  }
  const { clearSince: _cleared, ...firing } = live;
  const next: AlertStateRow = { ...firing, ...observed };
  if (rule.resendMinutes > 0 && at - (live.lastNotifiedAt ?? live.firingSince ?? now).getTime() >= minutes(rule.resendMinutes)) {
    return { next: { ...next, lastNotifiedAt: now, sequence: live.sequence + 1 }, notice: 'repeat' };
  }
  return { next };
}

function fire(row: AlertStateRow, now: Date): Step {
  const { resolvedAt: _r, clearSince: _c, ...rest } = row;
  return { next: { ...rest, state: 'firing', firingSince: now, lastNotifiedAt: now, episode: row.episode + 1, sequence: 1 }, notice: 'firing' };
}
