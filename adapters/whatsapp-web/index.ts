import { AdapterError, type Capabilities, type ChannelAdapter, type ChannelAddress, type ChannelInstance, type DeliveryReceipt, type RenderedMessage } from '../types';
import type { WaWebSessions } from './sessions';

export { createRealWaWebClient, type WaWebClient, type WaWebClientFactory, type WaWebClientOptions, type WaWebMessage, type WaWebMedia } from './client';
export { createWaWebConnection, type WaWebConnectionDeps, type WaWebState, type WaWebStatus } from './connection';
export { parseWaWebMessage } from './parse';
export { WaWebSessions, type WaWebSession } from './sessions';
export { usesWhatsAppWeb, whatsAppWebSettings } from './settings';

export const whatsAppWebCapabilities: Capabilities = {
  // WhatsApp's own limit for a text message.
  maxTextLength: 4096,
  // *bold* and _italic_ are WhatsApp's own, not markdown: plain text with "title (url)" links reads best.
  markup: 'plain',
  // Buttons and lists are Business API features; a linked phone sends text, so choices become a numbered list
  // and a typed number picks one (src/pipeline/choices.ts).
  buttons: false,
  attachments: false,
  threads: false,
  edits: false,
  typing: false,
  // A phone's WhatsApp has no 24-hour rule for replies (that is the Cloud API's pricing model).
  citations: 'text',
  authorNames: 'text',
};

/** While the phone is not linked, retrying sooner than this only burns attempts. */
const NOT_READY_RETRY_MS = 15_000;

/**
 * WhatsApp through a linked phone (whatsapp-web.js). Inbound messages arrive over the session (connection.ts),
 * not webhooks, so the HTTP side refuses everything; `send` goes through the session this process holds.
 */
export function createWhatsAppWebAdapter(channel: ChannelInstance, sessions: WaWebSessions): ChannelAdapter {
  const noWebhook = () => {
    throw new AdapterError('unsupported', `channel ${channel.id} is a WhatsApp Web session and has no webhook`, { channel: 'whatsapp' });
  };
  return {
    kind: 'whatsapp',
    capabilities: whatsAppWebCapabilities,
    verify: noWebhook,
    parse: () => [{ kind: 'unsupported', reason: 'WhatsApp Web sessions have no webhook', raw: null }],

    async send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt> {
      const session = sessions.get(channel.id);
      if (!session) {
        // The deliverer routes this channel's replies to the process holding the session; this is the race where
        // the session moved since the job was claimed.
        throw new AdapterError('unavailable', 'the WhatsApp Web session is held by another gateway process', { channel: 'whatsapp', platformCode: 'session_elsewhere', retryAfterMs: 1_000 });
      }
      if (!session.ready) {
        throw new AdapterError('unavailable', `the WhatsApp Web session is ${session.state} (link the phone: see the README)`, {
          channel: 'whatsapp',
          platformCode: `session_${session.state}`,
          retryAfterMs: NOT_READY_RETRY_MS,
        });
      }
      let id: string | undefined;
      try {
        id = await session.send(to.to, message.text);
      } catch (err) {
        // The page may have gone away mid-send (a disconnect); the outbox retries after the reconnect.
        throw new AdapterError('unavailable', `WhatsApp Web send failed: ${(err as Error)?.message ?? String(err)}`, { channel: 'whatsapp', platformCode: 'send_failed', retryAfterMs: 5_000 });
      }
      return { status: 'sent', ...(id ? { externalId: id } : {}) };
    },
  };
}
