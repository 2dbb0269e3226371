import type { Client, ClientOptions } from 'whatsapp-web.js';

/**
 * The part of whatsapp-web.js's `Client` Switchboard uses. Production wraps the real client (below); tests inject
 * an EventEmitter with the same events, because the real one needs web.whatsapp.com and a phone to scan its QR.
 *
 * Events read: `qr` (string), `authenticated`, `auth_failure` (message), `ready`, `message` (WaWebMessage, inbound
 * only), `message_ack` (WaWebMessage, ack), `disconnected` (reason: a WAState or 'LOGOUT').
 */
export interface WaWebClient {
  on(event: string, listener: (...args: any[]) => void): unknown;
  initialize(): Promise<void>;
  sendMessage(chatId: string, content: string, options?: { quotedMessageId?: string; linkPreview?: boolean }): Promise<{ id: WaWebMessageId }>;
  destroy(): Promise<void>;
  /** The linked account, once `ready`. */
  info?: { wid?: { user?: string }; pushname?: string } | undefined;
}

export interface WaWebMessageId {
  _serialized: string;
}

export interface WaWebMedia {
  mimetype: string;
  /** base64 */
  data: string;
  filename?: string | null;
  filesize?: number | null;
}

/** The fields of whatsapp-web.js's `Message` the parser reads. */
export interface WaWebMessage {
  id: WaWebMessageId;
  /** `<digits>@c.us` (a phone), `<id>@lid` (a hidden number), `<id>@g.us` (a group), `status@broadcast`. */
  from: string;
  to?: string;
  body: string;
  fromMe: boolean;
  /** Seconds since the epoch. */
  timestamp: number;
  type: string;
  hasMedia: boolean;
  isStatus?: boolean;
  broadcast?: boolean;
  location?: { latitude: number | string; longitude: number | string; description?: string; name?: string; address?: string } | undefined;
  vCards?: string[];
  /** The sender's profile name lives on the raw data. */
  _data?: { notifyName?: string } | undefined;
  downloadMedia(): Promise<WaWebMedia | undefined>;
}

/** whatsapp-web.js's ack levels (`MessageAck`): -1 error, 0 pending, 1 server, 2 device, 3 read, 4 played. */
export const ACK = { ERROR: -1, PENDING: 0, SERVER: 1, DEVICE: 2, READ: 3, PLAYED: 4 } as const;

export interface WaWebClientOptions {
  /** LocalAuth client id: one browser profile per channel, `<dataPath>/session-<clientId>`. */
  clientId: string;
  dataPath: string;
  /** The system's Chromium (Debian: /usr/bin/chromium); puppeteer's own download is disabled (.puppeteerrc.cjs). */
  executablePath: string;
}

export type WaWebClientFactory = (options: WaWebClientOptions) => WaWebClient;

/**
 * The real client: Chromium headless with LocalAuth, so a linked phone survives restarts. The library (and
 * puppeteer behind it) loads only when a channel uses it, so gateways without WhatsApp Web never pay for it.
 */
export const createRealWaWebClient: WaWebClientFactory = (options) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wwebjs = require('whatsapp-web.js') as typeof import('whatsapp-web.js');
  const clientOptions: ClientOptions = {
    authStrategy: new wwebjs.LocalAuth({ clientId: options.clientId, dataPath: options.dataPath }),
    puppeteer: {
      executablePath: options.executablePath,
      headless: true,
      // Containers run as root without user namespaces (no sandbox possible) and with a small /dev/shm.
      args: ['--no-sandbox', '--disable-setuid-sandbox', '--disable-dev-shm-usage'],
    },
    // A QR nobody scans is refreshed by WhatsApp about every 20 s, forever: the admin may take their time.
    qrMaxRetries: 0,
  };
  const client: Client = new wwebjs.Client(clientOptions);
  return client as unknown as WaWebClient;
};
