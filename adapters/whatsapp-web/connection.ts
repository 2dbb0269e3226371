import type { Logger } from 'pino';
import type { ChannelInstance, DeliveryStatus, InboundEvent } from '../types';
import { ACK, type WaWebClient, type WaWebClientFactory, type WaWebMessage } from './client';
import { parseWaWebMessage, type WaWebMediaInfo } from './parse';
import type { WaWebSession, WaWebSessions } from './sessions';
import { whatsAppWebSettings, type WhatsAppWebDefaults } from './settings';

/** Where a linked session stands, for the admin's QR page and the terminal (stored in MongoDB by the caller). */
export type WaWebState = 'starting' | 'qr' | 'authenticated' | 'ready' | 'disconnected' | 'failed' | 'stopped';

export interface WaWebStatus {
  state: WaWebState;
  /** The QR payload to scan, while `state` is `qr`. */
  qr?: string;
  /** The linked number, once ready. */
  account?: string;
  /** A disconnect reason or the error that stopped the client. */
  detail?: string;
}

export interface WaWebConnectionDeps extends WhatsAppWebDefaults {
  createClient: WaWebClientFactory;
  sessions: WaWebSessions;
  /** Records the session's state where any gateway process can read it (the QR page). Failures are only logged. */
  report(channelId: string, status: WaWebStatus): Promise<void>;
  /** Idempotent per (channel, message id): a message may be read again after a reconnect. */
  saveMedia(channelId: string, externalId: string, media: { contentType: string; size: number; filename?: string; content?: Buffer }): Promise<void>;
  /** The session is linked and ready: replies waiting in back-off for it can go now. */
  onReady?: (channelId: string) => void;
  /** Shows a new QR to whoever watches this process's terminal. */
  printQr?: (channelId: string, qr: string) => void;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** How long `initialize()` may take before the start counts as failed (the host then retries). Default 120 s. */
  startTimeoutMs?: number;
  /** First delay before re-creating a client that disconnected; doubles up to `maxBackoffMs` (defaults 1 s, 60 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** Same shape as the host's StatefulConnection (src/connections), which adapters/ may not import. */
export interface WaWebConnection {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The linked-phone side of a WhatsApp Web channel: one whatsapp-web.js client (one headless Chromium) whose
 * inbound messages become normalized events for `onEvent`, in arrival order, and through which this process sends
 * the channel's replies (it registers itself in `sessions`). Only the process holding the channel's lease runs one:
 * WhatsApp allows one web session per linked device, and two would fight over it.
 *
 * A client that disconnects (the library destroys itself on any state but CONNECTED/OPENING/PAIRING/TIMEOUT, and
 * logs out on LOGOUT) is replaced by a fresh one after a back-off; LocalAuth restores the session from disk, or a
 * new QR is shown when the phone unlinked us.
 */
export function createWaWebConnection(channel: ChannelInstance, onEvent: (event: InboundEvent) => Promise<unknown>, deps: WaWebConnectionDeps): WaWebConnection {
  const settings = whatsAppWebSettings(channel, deps);
  const log = deps.log;
  let client: WaWebClient | undefined;
  let running = false;
  let state: WaWebState = 'stopped';
  let failures = 0;
  let restartTimer: NodeJS.Timeout | undefined;
  /** Inbound messages are handled one after another: a slow media download must not reorder a conversation. */
  let inbound: Promise<void> = Promise.resolve();

  /** Reports are written one after another: 'authenticated' must never land after the 'ready' that followed it. */
  let reports: Promise<void> = Promise.resolve();
  const report = (status: WaWebStatus) => {
    state = status.state;
    reports = reports.then(() => deps.report(channel.id, status)).catch((err: unknown) => log?.warn({ err, channel: channel.id }, 'whatsapp-web status not recorded'));
  };

  const session: WaWebSession = {
    get ready() {
      return state === 'ready' && client !== undefined;
    },
    get state() {
      return state;
    },
    async send(chatId, text, options) {
      const c = client;
      if (!c || state !== 'ready') throw new Error(`whatsapp-web session is ${state}`);
      const sent = await c.sendMessage(chatId, text, { linkPreview: false, ...(options?.quotedMessageId ? { quotedMessageId: options.quotedMessageId } : {}) });
      return sent?.id?._serialized;
    },
  };

  const readMedia = async (msg: WaWebMessage): Promise<WaWebMediaInfo | undefined> => {
    if (!msg.hasMedia) return undefined;
    try {
      const media = await msg.downloadMedia();
      // Old media WhatsApp no longer keeps, or a download the phone refused: the message still counts.
      if (!media?.data) return undefined;
      const bytes = Buffer.from(media.data, 'base64');
      const stored = bytes.length <= settings.maxAttachmentBytes;
      const info = { contentType: media.mimetype, size: bytes.length, ...(media.filename ? { filename: media.filename } : {}) };
      await deps.saveMedia(channel.id, msg.id._serialized, { ...info, ...(stored ? { content: bytes } : {}) });
      return { mimeType: media.mimetype, sizeBytes: bytes.length, stored, ...(media.filename ? { filename: media.filename } : {}) };
    } catch (err) {
      log?.warn({ err, channel: channel.id, message: msg.id?._serialized }, 'whatsapp-web media not downloaded');
      return undefined;
    }
  };

  const onMessage = (msg: WaWebMessage) => {
    inbound = inbound.then(async () => {
      try {
        // Unsupported ones (groups, status updates) go through too: ingest logs and acknowledges them.
        await onEvent(parseWaWebMessage(msg, await readMedia(msg)));
      } catch (err) {
        // onEvent retries and logs its own failures; nothing may throw into the library's emitter.
        log?.error({ err, channel: channel.id }, 'whatsapp-web message not handled');
      }
    });
  };

  const onAck = (msg: WaWebMessage, ack: number) => {
    if (!msg?.fromMe || !msg.id?._serialized) return;
    const status = statusOf(ack);
    if (!status) return;
    const event: InboundEvent = { kind: 'status', externalId: msg.id._serialized, status, at: new Date(), raw: { ack } };
    inbound = inbound.then(() => onEvent(event).then(() => undefined, () => undefined));
  };

  const attach = (c: WaWebClient) => {
    // Events of a client we already replaced are ignored: its destroy may still be emitting.
    const current = () => client === c;
    c.on('qr', (qr: string) => {
      if (!current()) return;
      report({ state: 'qr', qr });
      deps.printQr?.(channel.id, qr);
    });
    c.on('authenticated', () => current() && report({ state: 'authenticated' }));
    c.on('auth_failure', (message: string) => current() && report({ state: 'failed', detail: `authentication failed: ${message}` }));
    c.on('ready', () => {
      if (!current()) return;
      failures = 0;
      const account = c.info?.wid?.user;
      report({ state: 'ready', ...(account ? { account } : {}) });
      deps.onReady?.(channel.id);
      log?.info({ channel: channel.id, account }, 'whatsapp-web session ready');
    });
    c.on('message', (msg: WaWebMessage) => current() && onMessage(msg));
    c.on('message_ack', (msg: WaWebMessage, ack: number) => current() && onAck(msg, ack));
    c.on('disconnected', (reason: unknown) => {
      if (!current()) return;
      log?.warn({ channel: channel.id, reason }, 'whatsapp-web session disconnected');
      report({ state: 'disconnected', detail: String(reason) });
      scheduleRestart();
    });
  };

  /** Creates and initializes a client; rejects (after destroying it) when the browser or WhatsApp Web fails. */
  const open = async (): Promise<void> => {
    const c = deps.createClient({ clientId: settings.clientId, dataPath: settings.dataPath, executablePath: settings.executablePath });
    client = c;
    attach(c);
    report({ state: 'starting' });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        c.initialize(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('whatsapp-web did not start in time')), deps.startTimeoutMs ?? 120_000);
        }),
      ]);
    } catch (err) {
      if (client === c) client = undefined;
      await c.destroy().catch(() => {});
      // puppeteer rejects with strings at times ('auth timeout'): keep the message either way.
      const message = err instanceof Error ? err.message : String(err);
      report({ state: 'failed', detail: message });
      throw err instanceof Error ? err : new Error(message);
    } finally {
      clearTimeout(timer);
    }
  };

  const close = async () => {
    const c = client;
    client = undefined;
    if (c) await c.destroy().catch((err: unknown) => log?.warn({ err, channel: channel.id }, 'whatsapp-web client did not close cleanly'));
  };

  function scheduleRestart(): void {
    if (!running || restartTimer) return;
    const delay = Math.min((deps.backoffMs ?? 1_000) * 2 ** failures, deps.maxBackoffMs ?? 60_000);
    failures++;
    restartTimer = setTimeout(() => {
      restartTimer = undefined;
      if (!running) return;
      void close()
        .then(() => (running ? open() : undefined))
        .catch((err: unknown) => {
          log?.warn({ err, channel: channel.id }, 'whatsapp-web reconnect failed');
          scheduleRestart();
        });
    }, delay);
  }

  return {
    async start() {
      if (running) return;
      running = true;
      deps.sessions.set(channel.id, session);
      try {
        await open();
      } catch (err) {
        running = false;
        deps.sessions.delete(channel.id, session);
        throw err;
      }
    },

    async stop() {
      running = false;
      clearTimeout(restartTimer);
      restartTimer = undefined;
      deps.sessions.delete(channel.id, session);
      // Destroy closes the browser; LocalAuth keeps the profile on disk, so the next holder needs no new QR.
      await close();
      await inbound;
      report({ state: 'stopped' });
      await reports;
    },
  };
}

function statusOf(ack: number): DeliveryStatus | undefined {
  if (ack === ACK.ERROR) return 'failed';
  if (ack === ACK.SERVER) return 'sent';
  if (ack === ACK.DEVICE) return 'delivered';
  if (ack === ACK.READ || ack === ACK.PLAYED) return 'read';
  return undefined;
}
