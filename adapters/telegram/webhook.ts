import type { ChannelInstance } from '../types';
import { DEFAULT_API_BASE, telegramClient } from './client';

/** What the gateway handles; other update types are not sent at all (less traffic, nothing to acknowledge). */
export const ALLOWED_UPDATES = ['message', 'callback_query'];

export interface TelegramWebhookResult {
  url: string;
  /** The bot's username from getMe, so group mentions can be recognised without configuring it by hand. */
  botUsername?: string;
}

/**
 * Points the bot at our webhook: `getMe` (which also proves the token), then `setWebhook` with the channel's
 * `secret_token`, which Telegram sends back in `X-Telegram-Bot-Api-Secret-Token` on every update.
 */
export async function registerTelegramWebhook(channel: ChannelInstance, url: string, deps: { timeoutMs: number; fetch?: typeof fetch }): Promise<TelegramWebhookResult> {
  const apiBase = typeof channel.settings.apiBase === 'string' && channel.settings.apiBase ? channel.settings.apiBase : DEFAULT_API_BASE;
  const call = telegramClient({ apiBase, botToken: channel.secrets.botToken ?? '', timeoutMs: deps.timeoutMs, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
  const me = await call<{ username?: string }>('getMe', {});
  await call<boolean>('setWebhook', { url, secret_token: channel.secrets.secretToken ?? '', allowed_updates: ALLOWED_UPDATES });
  return { url, ...(me?.username ? { botUsername: me.username } : {}) };
}
