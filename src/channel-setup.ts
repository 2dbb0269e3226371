import { randomBytes } from 'node:crypto';
import type { ChannelKind } from '../adapters/types';

/** What the CLI and the console both know about setting a channel up: kinds, what each needs, what comes next. */

export const CHANNEL_KINDS: ChannelKind[] = ['webchat', 'api', 'slack', 'teams', 'discord', 'email', 'whatsapp', 'messenger', 'instagram', 'telegram'];

/**
 * What each kind needs before it can work, so a typo is caught when it is configured rather than as 401s from the
 * platform later. WhatsApp on a linked phone (`driver=web`) needs nothing: the QR is its credential.
 */
export const REQUIRED: Partial<Record<ChannelKind, { secrets: string[]; settings?: string[] }>> = {
  telegram: { secrets: ['botToken', 'secretToken'] },
  whatsapp: { secrets: ['appSecret', 'verifyToken', 'accessToken'], settings: ['phoneNumberId'] },
  messenger: { secrets: ['appSecret', 'verifyToken', 'accessToken'], settings: ['pageId'] },
  instagram: { secrets: ['appSecret', 'verifyToken', 'accessToken'], settings: ['igId'] },
  discord: { secrets: ['botToken'] },
  slack: { secrets: ['botToken'] },
  teams: { secrets: ['appId', 'appPassword', 'tenantId'] },
};

/** Kinds whose platform calls us at /webhooks/<id>. */
export const WEBHOOK_KINDS = new Set<ChannelKind>(['slack', 'teams', 'whatsapp', 'messenger', 'instagram', 'telegram']);

export const CHANNEL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function isChannelKind(value: unknown): value is ChannelKind {
  return typeof value === 'string' && (CHANNEL_KINDS as string[]).includes(value);
}

/** The secrets and settings a channel still lacks, by name. */
export function missingFor(kind: ChannelKind, secrets: Record<string, unknown>, settings: Record<string, unknown>): { secrets: string[]; settings: string[] } {
  if (kind === 'whatsapp' && settings.driver === 'web') return { secrets: [], settings: [] };
  const required = REQUIRED[kind];
  if (!required) return { secrets: [], settings: [] };
  return {
    secrets: required.secrets.filter((k) => !secrets[k]),
    settings: (required.settings ?? []).filter((k) => settings[k] === undefined || settings[k] === ''),
  };
}

/** Secrets we can make up ourselves; shown once, since they are stored encrypted. */
export function generatedSecrets(kind: ChannelKind, given: Record<string, string>, settings: Record<string, unknown> = {}): Record<string, string> {
  if (kind === 'whatsapp' && settings.driver === 'web') return {};
  const out: Record<string, string> = {};
  const random = () => randomBytes(24).toString('hex');
  if (kind === 'webchat' && !given.tokenSecret) out.tokenSecret = random();
  if (kind === 'api' && !given.apiKey) out.apiKey = `sk_${randomBytes(18).toString('base64url')}`;
  if (kind === 'api' && !given.signingSecret) out.signingSecret = random();
  if (kind === 'telegram' && !given.secretToken) out.secretToken = random();
  if ((kind === 'whatsapp' || kind === 'messenger' || kind === 'instagram') && !given.verifyToken) out.verifyToken = random();
  return out;
}

export const publicBase = (config: { PUBLIC_URL?: string | undefined; PORT: number }) => (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
export const webhookUrl = (config: { PUBLIC_URL?: string | undefined; PORT: number }, id: string) => `${publicBase(config)}/webhooks/${id}`;

/** Where the platform must be pointed, and the one step an admin takes next. */
export function nextSteps(config: { PUBLIC_URL?: string | undefined; PORT: number }, id: string, kind: ChannelKind, settings: Record<string, unknown>): { webhookUrl?: string; next?: string } {
  const base = publicBase(config);
  if (kind === 'whatsapp' && settings.driver === 'web') {
    return { next: `start the gateway and scan the QR it prints, or open ${base}/admin/channels/${id}/whatsapp-web (console sign-in or ADMIN_TOKEN)` };
  }
  if (kind === 'telegram') return { webhookUrl: webhookUrl(config, id), next: `npx switchboard channels webhook ${id} (registers it with Telegram)` };
  if (kind === 'webchat') return { next: `embed <script src="${base}/widget.js" data-channel="${id}" async></script> in your pages` };
  if (WEBHOOK_KINDS.has(kind)) return { webhookUrl: webhookUrl(config, id), next: 'give this URL to the platform (README: "Channels in this release")' };
  return {};
}
