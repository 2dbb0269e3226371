import type { ChannelInstance } from '../types';

export const DEFAULT_API_URL = 'https://discord.com/api';

/**
 * Secrets: `botToken`. Settings: `apiUrl` (REST base without the version, for tests and proxies; the gateway URL
 * comes from its `/gateway/bot` answer), `publicKey` (hex, only for the HTTP interactions endpoint), `threads`
 * (answer guild mentions in a thread opened on the mention).
 */
export interface DiscordSettings {
  botToken: string;
  apiUrl: string;
  publicKey: string | undefined;
  threads: boolean;
}

export function discordSettings(channel: ChannelInstance): DiscordSettings {
  const s = channel.settings;
  return {
    botToken: channel.secrets.botToken ?? '',
    apiUrl: typeof s.apiUrl === 'string' && s.apiUrl ? s.apiUrl.replace(/\/+$/, '') : DEFAULT_API_URL,
    publicKey: typeof s.publicKey === 'string' ? s.publicKey : undefined,
    threads: s.threads === true || s.threads === 'true',
  };
}
