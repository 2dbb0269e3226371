import type { ChannelInstance } from '../types';

export const DEFAULT_GRAPH_BASE = 'https://graph.facebook.com';
export const DEFAULT_GRAPH_VERSION = 'v21.0';

/** What every Meta channel reads from its configuration (secrets arrive decrypted). */
export interface MetaSettings {
  appSecret: string;
  verifyToken: string;
  accessToken: string;
  graphBase: string;
  graphVersion: string;
}

export function settingOf(channel: ChannelInstance, key: string): string | undefined {
  const value = channel.settings[key];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

export function metaSettings(channel: ChannelInstance): MetaSettings {
  return {
    appSecret: channel.secrets.appSecret ?? '',
    verifyToken: channel.secrets.verifyToken ?? '',
    accessToken: channel.secrets.accessToken ?? '',
    graphBase: (settingOf(channel, 'graphBase') ?? DEFAULT_GRAPH_BASE).replace(/\/+$/, ''),
    graphVersion: settingOf(channel, 'graphVersion') ?? DEFAULT_GRAPH_VERSION,
  };
}
