import nodemailer, { type Transporter } from 'nodemailer';
import { signCallback } from '../../adapters/api/signature';
import type { DeskNotice, DeskSurface } from '../../adapters/desk';
import type { ChannelInstance } from '../../adapters/types';
import { emailSettingsOf } from '../../adapters/email/settings';
import { smtpTransport } from '../../adapters/email';
import { deskSettingsOf } from '../desk/settings';
import type { AlertTarget } from './rules';
import type { AlertStateRow, NoticeKind } from './state';

/** What every target is told: the webhook's JSON body, and what the desk and mail messages are drawn from. */
export interface AlertNotice {
  /** Stable across re-runs: `<rule>|<subject>#<episode>.<sequence>` (receivers may deduplicate on it). */
  id: string;
  /** `alert.test`: sent from the console to check a target. */
  type: 'alert.firing' | 'alert.repeat' | 'alert.resolved' | 'alert.test';
  rule: string;
  kind: AlertStateRow['kind'];
  severity: AlertStateRow['severity'];
  subject: string;
  summary: string;
  where: AlertStateRow['where'];
  /** When the condition was first seen (the pending window ran from here). */
  since: string;
  firingSince?: string;
  resolvedAt?: string;
  url?: string;
  at: string;
}

export function noticeOf(row: AlertStateRow, kind: NoticeKind, publicUrl: string | undefined, now: Date): AlertNotice {
  return {
    id: `${row._id}#${row.episode}.${row.sequence}`,
    type: `alert.${kind}`,
    rule: row.rule,
    kind: row.kind,
    severity: row.severity,
    subject: row.subject,
    summary: row.summary,
    where: row.where,
    since: row.activeSince.toISOString(),
    ...(row.firingSince ? { firingSince: row.firingSince.toISOString() } : {}),
    ...(row.resolvedAt ? { resolvedAt: row.resolvedAt.toISOString() } : {}),
    // Without PUBLIC_URL there is no address a person outside this machine could open.
    ...(publicUrl ? { url: new URL(row.path, publicUrl).toString() } : {}),
    at: now.toISOString(),
  };
}

const KIND_TITLE: Record<AlertNotice['kind'], string> = {
  frustration_spike: 'Frustration spike',
  repeated_failures: 'Repeated failures',
  channel_down: 'Channel down',
  queue_sla: 'Queue over SLA',
  store_unreachable: 'Store unreachable',
};

export function titleOf(notice: AlertNotice): string {
  if (notice.type === 'alert.test') return `Test notice (${notice.subject})`;
  const state = notice.type === 'alert.resolved' ? 'Resolved' : notice.type === 'alert.repeat' ? 'Still firing' : 'Firing';
  return `${state}: ${KIND_TITLE[notice.kind]} (${notice.rule}${notice.subject === 'all' ? '' : `, ${notice.subject}`})`;
}

function facts(notice: AlertNotice): Array<{ label: string; value: string }> {
  const where = [notice.where.channelKind && notice.where.channelId ? `${notice.where.channelKind} ${notice.where.channelId}` : '', notice.where.team ? `team ${notice.where.team}` : '', notice.where.process ? `process ${notice.where.process}` : '']
    .filter(Boolean)
    .join(', ');
  return [
    { label: 'Severity', value: notice.severity },
    { label: 'Where', value: where || 'all channels' },
    { label: 'Since', value: notice.firingSince ?? notice.since },
    ...(notice.resolvedAt ? [{ label: 'Resolved at', value: notice.resolvedAt }] : []),
  ];
}

export interface NotifyDeps {
  /** Channel instances by id, from the last read (a store outage must not stop the store-unreachable alert). */
  channel(id: string): ChannelInstance | undefined;
  desk(channel: ChannelInstance): DeskSurface;
  fetch: typeof fetch;
  env: Record<string, string | undefined>;
  timeoutMs: number;
  clock: () => Date;
}

/** Sends one notice to one target; throws an error naming the target and what went wrong. */
export async function sendNotice(target: AlertTarget, notice: AlertNotice, deps: NotifyDeps): Promise<void> {
  if ('desk' in target) return toDesk(target, notice, deps);
  if ('email' in target) return toEmail(target, notice, deps);
  return toWebhook(target, notice, deps);
}

async function toDesk(target: Extract<AlertTarget, { desk: string }>, notice: AlertNotice, deps: NotifyDeps): Promise<void> {
  const channel = deps.channel(target.desk);
  if (!channel) throw new Error(`desk channel ${target.desk} is not configured or disabled`);
  const settings = deskSettingsOf(channel);
  const where = target.channel ?? settings?.channel;
  if (!where) throw new Error(`channel ${target.desk} has no desk settings and the target names no channel`);
  const tone: DeskNotice['tone'] = notice.type === 'alert.resolved' ? 'resolved' : notice.severity;
  await deps.desk(channel).postNotice({ channel: where, ...(settings?.extra ? { extra: settings.extra } : {}) }, { title: titleOf(notice), text: notice.summary, fields: facts(notice), ...(notice.url ? { url: notice.url } : {}), tone });
}

async function toEmail(target: Extract<AlertTarget, { email: string[] }>, notice: AlertNotice, deps: NotifyDeps): Promise<void> {
  const via = target.via ? deps.channel(target.via) : undefined;
  if (target.via && !via) throw new Error(`email channel ${target.via} is not configured or disabled`);
  let transport: Transporter;
  let from: string;
  if (via) {
    const settings = emailSettingsOf(via);
    transport = smtpTransport(via, settings, deps.timeoutMs);
    from = settings.fromName ? `"${settings.fromName}" <${settings.from}>` : settings.from;
  } else {
    const url = deps.env.ALERT_SMTP_URL;
    if (!url || !deps.env.ALERT_EMAIL_FROM) throw new Error('an email target without "via" needs ALERT_SMTP_URL and ALERT_EMAIL_FROM');
    transport = nodemailer.createTransport({ url, connectionTimeout: deps.timeoutMs, greetingTimeout: deps.timeoutMs, socketTimeout: deps.timeoutMs });
    from = deps.env.ALERT_EMAIL_FROM;
  }
  const lines = [notice.summary, '', ...facts(notice).map((f) => `${f.label}: ${f.value}`), ...(notice.url ? ['', `Open in the console: ${notice.url}`] : []), '', `Alert id: ${notice.id}`];
  try {
    await transport.sendMail({
      from,
      to: target.email,
      subject: `[Switchboard] ${titleOf(notice)}`,
      text: lines.join('\n'),
      // Mail clients thread a rule's notices together; the id makes a resend recognisable.
      headers: { 'X-Switchboard-Alert': notice.id },
    });
  } finally {
    transport.close();
  }
}

async function toWebhook(target: Extract<AlertTarget, { webhook: string }>, notice: AlertNotice, deps: NotifyDeps): Promise<void> {
  const secret = deps.env[target.secretEnv];
  if (!secret) throw new Error(`webhook ${target.webhook}: ${target.secretEnv} is not set, and an alert webhook is never sent unsigned`);
  const body = JSON.stringify(notice);
  const res = await deps.fetch(target.webhook, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-switchboard-signature': signCallback(secret, body, Math.floor(deps.clock().getTime() / 1000)),
      'x-switchboard-event': notice.type,
      'idempotency-key': notice.id,
    },
    body,
    signal: AbortSignal.timeout(deps.timeoutMs),
  });
  // Drain the body so the socket is reused; its content does not matter.
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new Error(`webhook ${target.webhook} answered HTTP ${res.status}`);
}
