import type { ChannelInstance } from '../types';

/**
 * A `whatsapp` channel with `settings.driver: "web"` runs on a phone linked through whatsapp-web.js instead of the
 * Cloud API: no webhook, no Meta app, one browser session held by one gateway process.
 */
export function usesWhatsAppWeb(channel: Pick<ChannelInstance, 'kind' | 'settings'>): boolean {
  return channel.kind === 'whatsapp' && channel.settings.driver === 'web';
}

export interface WhatsAppWebSettings {
  /** LocalAuth's client id: letters, digits, `_` and `-` only (it becomes a directory name). */
  clientId: string;
  /** Where LocalAuth keeps the browser profile (the linked session); a volume that survives restarts. */
  dataPath: string;
  executablePath: string;
  /** Media over this size are recorded on the message without their bytes. */
  maxAttachmentBytes: number;
}

export interface WhatsAppWebDefaults {
  dataPath: string;
  executablePath: string;
}

const DEFAULT_MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;

export function whatsAppWebSettings(channel: ChannelInstance, defaults: WhatsAppWebDefaults): WhatsAppWebSettings {
  const s = channel.settings;
  const text = (key: string) => (typeof s[key] === 'string' && s[key] ? (s[key] as string) : undefined);
  const max = Number(s.maxAttachmentBytes);
  return {
    clientId: channel.id.replace(/[^A-Za-z0-9_-]/g, '_'),
    dataPath: text('dataPath') ?? defaults.dataPath,
    executablePath: text('executablePath') ?? defaults.executablePath,
    maxAttachmentBytes: Number.isFinite(max) && max >= 0 && s.maxAttachmentBytes !== undefined ? max : DEFAULT_MAX_ATTACHMENT_BYTES,
  };
}
