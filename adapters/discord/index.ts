import { REST } from 'discord.js';
import type { Capabilities, ChannelAdapter, ChannelAddress, ChannelInstance, DeliveryReceipt, RawRequest, RawResponse, RenderedMessage } from '../types';
import { LABEL_MAX, MAX_BUTTONS, toDiscordComponents } from './components';
import { fromDiscordError, hasDiscordCode, THREAD_ALREADY_CREATED, UNKNOWN_CHANNEL } from './errors';
import { decodeInteraction, INTERACTION_PING, parseDiscordInteractionRequest } from './interactions';
import { discordSettings } from './settings';
import { discordPublicKey, verifyDiscordSignature } from './signature';

export { createDiscordConnection, type DiscordConnection, type DiscordConnectionDeps } from './connection';

export const discordCapabilities: Capabilities = {
  // Discord rejects longer `content` (50035); the renderer splits at paragraph boundaries instead.
  maxTextLength: 2000,
  // Discord renders the markdown subset our replies are written in: **bold**, _italic_, [text](url), lists.
  markup: 'markdown',
  buttons: { max: MAX_BUTTONS, titleMax: LABEL_MAX },
  // Uploads are multipart with their own limits; media go as links (Discord unfurls them) for now.
  attachments: false,
  threads: true,
  edits: false,
  typing: false,
  citations: 'text',
};

export interface DiscordAdapterDeps {
  timeoutMs: number;
  clock?: () => Date;
}

/** Threads opened on a mention stay open a day after the last message (Discord's 1440-minute option). */
const AUTO_ARCHIVE_MINUTES = 1440;

type Route = `/${string}`;

/**
 * Discord as a customer channel. Messages arrive over the gateway (connection.ts, held by one process at a time
 * through a lease); this adapter sends over REST from whichever process delivers, and serves the optional HTTP
 * interactions endpoint on `/webhooks/:channelId` (Ed25519-signed; PING → PONG).
 */
export function createDiscordAdapter(channel: ChannelInstance, deps: DiscordAdapterDeps): ChannelAdapter {
  const settings = discordSettings(channel);
  const publicKey = discordPublicKey(settings.publicKey);
  const rest = new REST({
    api: settings.apiUrl,
    timeout: deps.timeoutMs,
    // The outbox owns retries and back-off: fail fast instead of waiting out a 429 or retrying a 5xx in here.
    retries: 0,
    rejectOnRateLimit: () => true,
  }).setToken(settings.botToken);
  const verify = (req: RawRequest) => verifyDiscordSignature(publicKey, req);

  const post = async (route: Route, body: Record<string, unknown>): Promise<{ id?: string }> => {
    try {
      return (await rest.post(route, { body })) as { id?: string };
    } catch (err) {
      throw Object.assign(fromDiscordError(err, `POST ${route.replace(/\d{5,}/g, ':id')}`), { cause: err });
    }
  };

  /**
   * A reply in a thread. A mention's first reply opens the thread on the mention (`openThread`); a thread that
   * already exists is posted to directly. Each path falls back to the other, so a lost hint or a second reply
   * before the customer wrote again still lands in the thread.
   */
  const postInThread = async (to: ChannelAddress & { threadId: string }, body: Record<string, unknown>) => {
    const open = async () => {
      try {
        await post(`/channels/${to.to}/messages/${to.threadId}/threads`, { name: to.extra?.threadName ?? 'Support', auto_archive_duration: AUTO_ARCHIVE_MINUTES });
      } catch (err) {
        if (!hasDiscordCode((err as Error).cause, THREAD_ALREADY_CREATED)) throw err;
      }
    };
    if (to.extra?.openThread) await open();
    try {
      return await post(`/channels/${to.threadId}/messages`, body);
    } catch (err) {
      if (to.extra?.openThread || !hasDiscordCode((err as Error).cause, UNKNOWN_CHANNEL)) throw err;
      await open();
      return post(`/channels/${to.threadId}/messages`, body);
    }
  };

  return {
    kind: 'discord',
    capabilities: discordCapabilities,

    handshake(req: RawRequest): RawResponse | undefined {
      if (req.method !== 'POST' || decodeInteraction(req)?.type !== INTERACTION_PING) return undefined;
      // Discord signs the PING too, and tests the endpoint with a bad signature: only an authentic PING gets a PONG.
      verify(req);
      return { status: 200, body: { type: INTERACTION_PING } };
    },

    verify,

    parse: (req) => parseDiscordInteractionRequest(req),

    async send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt> {
      const components = toDiscordComponents(message.choices);
      const body: Record<string, unknown> = {
        content: message.text,
        // Quoted customer text must not ping @everyone or a role through our bot.
        allowed_mentions: { parse: [] },
        ...(components ? { components } : {}),
      };
      const replyTo = to.extra?.replyTo;
      if (!to.threadId && replyTo && message.chunkIndex === 0) {
        // Quote the customer's message once; a deleted message must not make the reply fail.
        body.message_reference = { message_id: replyTo, fail_if_not_exists: false };
      }
      const sent = to.threadId ? await postInThread({ ...to, threadId: to.threadId }, body) : await post(`/channels/${to.to}/messages`, body);
      return { status: 'sent', ...(sent.id ? { externalId: sent.id } : {}) };
    },
  };
}
