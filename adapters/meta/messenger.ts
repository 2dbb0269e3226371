import { AdapterError, type Capabilities, type ChannelAdapter, type ChannelAddress, type ChannelInstance, type DeliveryReceipt, type RenderedMessage } from '../types';
import { mediaKind } from '../media-kind';
import { graphPost, hoursSince } from './graph';
import { parseMessengerRequest } from './messenger-parse';
import { metaSettings, settingOf } from './settings';
import { metaHandshake, verifyMetaSignature } from './signature';
import type { MetaAdapterDeps } from './whatsapp';

const baseCapabilities: Omit<Capabilities, 'maxTextLength'> = {
  markup: 'plain',
  // Quick replies: at most 13, titles ≤ 20 characters.
  buttons: { max: 13, titleMax: 20 },
  // Files go by public URL (Meta fetches them, up to 25 MB), one message each after the text.
  attachments: { kinds: ['image', 'video', 'audio', 'file'], maxBytes: 25 * 1024 * 1024, byLink: true, separate: true },
  threads: false,
  edits: false,
  typing: false,
  replyWindowHours: 24,
  citations: 'text',
  authorNames: 'text',
};
export const messengerCapabilities: Capabilities = { ...baseCapabilities, maxTextLength: 2000 };
export const instagramCapabilities: Capabilities = { ...baseCapabilities, maxTextLength: 1000 };

/** A human agent may answer up to 7 days after the customer's last message, with the HUMAN_AGENT tag. */
const HUMAN_AGENT_HOURS = 7 * 24;

interface SendResult {
  message_id?: string;
}

/**
 * Messenger (Page) and Instagram (professional account via its Page) on `/webhooks/:channelId`. Secrets:
 * `appSecret`, `verifyToken`, `accessToken` (Page token). Settings: `pageId` (or `igId`), `graphBase`,
 * `graphVersion`, `humanAgentTag` (true once Meta granted the Human Agent permission).
 */
export function createMessengerAdapter(kind: 'messenger' | 'instagram', channel: ChannelInstance, deps: MetaAdapterDeps): ChannelAdapter {
  const clock = deps.clock ?? (() => new Date());
  const meta = metaSettings(channel);
  const humanAgentTag = channel.settings.humanAgentTag === true;

  return {
    kind,
    capabilities: kind === 'messenger' ? messengerCapabilities : instagramCapabilities,
    handshake: (req) => metaHandshake(meta.verifyToken, req),
    verify: (req) => verifyMetaSignature(meta.appSecret, req, kind),
    parse: (req) => parseMessengerRequest(req, kind === 'messenger' ? 'page' : 'instagram', clock()),

    async send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt> {
      const age = hoursSince(to.extra?.lastInboundAt, clock());
      let tagging: Record<string, string> = { messaging_type: 'RESPONSE' };
      if (age !== undefined && age > 24) {
        if (message.authorKind === 'agent' && humanAgentTag && age <= HUMAN_AGENT_HOURS) {
          tagging = { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
        } else {
          throw new AdapterError('rejected', `outside the 24-hour messaging window${humanAgentTag ? ' (and not a human agent reply within 7 days)' : ''}`, { channel: kind, platformCode: 'window_closed', retryable: false });
        }
      }
      const pageId = settingOf(channel, 'pageId') ?? settingOf(channel, 'igId') ?? to.extra?.pageId;
      if (!pageId) throw new AdapterError('rejected', 'no pageId configured', { channel: kind, platformCode: 'no_page_id', retryable: false });
      const quickReplies = message.choices?.map((c) => ({ content_type: 'text', title: c.title, payload: c.id.slice(0, 1000) }));
      const file = message.media?.[0];
      const body = file
        ? { attachment: { type: mediaKind(file), payload: { url: file.url, is_reusable: true } } }
        : { text: message.text || ' ', ...(quickReplies?.length ? { quick_replies: quickReplies } : {}) };
      const result = await graphPost<SendResult>({
        url: `${meta.graphBase}/${meta.graphVersion}/${encodeURIComponent(pageId)}/messages?access_token=${encodeURIComponent(meta.accessToken)}`,
        body: { recipient: { id: to.to }, ...tagging, message: body },
        timeoutMs: deps.timeoutMs,
        channel: kind,
        now: clock,
        what: 'messages',
      });
      return { status: 'sent', ...(result.message_id ? { externalId: result.message_id } : {}) };
    },
  };
}
