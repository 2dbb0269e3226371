import { AdapterError, type Capabilities, type ChannelAdapter, type ChannelAddress, type ChannelInstance, type DeliveryReceipt, type RenderedMessage } from '../types';
import { mediaKind } from '../media-kind';
import { graphPost, hoursSince } from './graph';
import { fetchWhatsAppMedia } from './media';
import { metaSettings, settingOf } from './settings';
import { metaHandshake, verifyMetaSignature } from './signature';
import { parseWhatsAppRequest } from './whatsapp-parse';

/** Reply buttons: at most 3, titles ≤ 20. Lists: at most 10 rows, titles ≤ 24 (declared, so the renderer degrades beyond). */
export const WA_BUTTONS = { max: 3, titleMax: 20 };
export const WA_LIST = { max: 10, titleMax: 24 };
/** An interactive message's body is capped at 1024 characters (text messages at 4096). */
const INTERACTIVE_BODY_MAX = 1024;

export const whatsappCapabilities: Capabilities = {
  maxTextLength: 4096,
  // WhatsApp's own *bold*/_italic_ is not markdown: plain text with "title (url)" links reads best.
  markup: 'plain',
  buttons: { max: WA_LIST.max, titleMax: WA_LIST.titleMax },
  // Files go by public link (Meta fetches them): one message each, after the text. Video and audio are capped at
  // 16 MB (images at 5 MB; Meta refuses larger ones with an error stored on the message).
  attachments: { kinds: ['image', 'video', 'audio', 'file'], maxBytes: 16 * 1024 * 1024, byLink: true, separate: true },
  threads: false,
  edits: false,
  typing: false,
  replyWindowHours: 24,
  citations: 'text',
  authorNames: 'text',
};

export interface MetaAdapterDeps {
  timeoutMs: number;
  clock?: () => Date;
}

interface WaSendResult {
  messages?: Array<{ id?: string }>;
}

/**
 * WhatsApp Cloud API on `/webhooks/:channelId`. Secrets: `appSecret`, `verifyToken`, `accessToken` (system-user
 * token). Settings: `phoneNumberId`, `graphBase`, `graphVersion`, `reengagementTemplate` `{name, language}`.
 */
export function createWhatsAppAdapter(channel: ChannelInstance, deps: MetaAdapterDeps): ChannelAdapter {
  const clock = deps.clock ?? (() => new Date());
  const meta = metaSettings(channel);
  const template = reengagementTemplate(channel.settings.reengagementTemplate);

  async function post(to: ChannelAddress, payload: Record<string, unknown>, what: string): Promise<DeliveryReceipt> {
    const phoneNumberId = settingOf(channel, 'phoneNumberId') ?? to.extra?.phoneNumberId;
    if (!phoneNumberId) throw new AdapterError('rejected', 'no phoneNumberId configured', { channel: 'whatsapp', platformCode: 'no_phone_number_id', retryable: false });
    const result = await graphPost<WaSendResult>({
      url: `${meta.graphBase}/${meta.graphVersion}/${encodeURIComponent(phoneNumberId)}/messages`,
      body: { messaging_product: 'whatsapp', recipient_type: 'individual', to: to.to, ...payload },
      bearer: meta.accessToken,
      timeoutMs: deps.timeoutMs,
      channel: 'whatsapp',
      now: clock,
      what,
    });
    const id = result.messages?.[0]?.id;
    return { status: 'sent', ...(id ? { externalId: id } : {}) };
  }

  return {
    kind: 'whatsapp',
    capabilities: whatsappCapabilities,
    handshake: (req) => metaHandshake(meta.verifyToken, req),
    verify: (req) => verifyMetaSignature(meta.appSecret, req, 'whatsapp'),
    parse: (req) => parseWhatsAppRequest(req, clock()),
    fetchMedia: (url) => fetchWhatsAppMedia(channel, url, { timeoutMs: deps.timeoutMs }),

    async send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt> {
      const age = hoursSince(to.extra?.lastInboundAt, clock());
      if (age !== undefined && age > 24) {
        // Free-form is refused outside the customer-service window: only an approved template may re-open it.
        if (!template) {
          throw new AdapterError('rejected', 'outside the 24-hour customer-service window: a template message is needed', { channel: 'whatsapp', platformCode: 'window_closed', retryable: false });
        }
        // One template re-opens the conversation; the further pieces of a split reply are not free-form-able.
        if (message.chunkIndex > 0) return { status: 'sent' };
        const sent = await post(to, { type: 'template', template: { name: template.name, language: { code: template.language } } }, 'messages (re-engagement template)');
        return {
          ...sent,
          substitute: {
            code: 'reengagement_template',
            description: `the customer's last message is over 24 hours old, so WhatsApp only allows a template: "${template.name}" was sent instead, to invite them back; write again once they answer`,
          },
        };
      }
      const file = message.media?.[0];
      if (file) {
        const type = mediaKind(file) === 'file' ? 'document' : mediaKind(file);
        const media = {
          link: file.url,
          // Voice and audio messages have no caption on WhatsApp.
          ...(file.caption && type !== 'audio' ? { caption: file.caption } : {}),
          ...(type === 'document' && file.name ? { filename: file.name } : {}),
        };
        return post(to, { type, [type]: media }, `messages (${type})`);
      }
      const choices = message.choices ?? [];
      if (!choices.length) return post(to, { type: 'text', text: { body: message.text, preview_url: false } }, 'messages');
      let body = message.text || ' ';
      if (body.length > INTERACTIVE_BODY_MAX) {
        // The interactive body is short: the long text goes first, the buttons follow under a short prompt.
        await post(to, { type: 'text', text: { body, preview_url: false } }, 'messages');
        body = 'Please choose:';
      }
      const asButtons = choices.length <= WA_BUTTONS.max && choices.every((c) => c.title.length <= WA_BUTTONS.titleMax);
      const interactive = asButtons
        ? { type: 'button', body: { text: body }, action: { buttons: choices.map((c) => ({ type: 'reply', reply: { id: c.id.slice(0, 256), title: c.title } })) } }
        : {
            type: 'list',
            body: { text: body },
            action: { button: 'Choose', sections: [{ title: 'Options', rows: choices.slice(0, WA_LIST.max).map((c) => ({ id: c.id.slice(0, 200), title: c.title.slice(0, WA_LIST.titleMax) })) }] },
          };
      return post(to, { type: 'interactive', interactive }, 'messages (interactive)');
    },
  };
}

function reengagementTemplate(value: unknown): { name: string; language: string } | undefined {
  const t = value as { name?: unknown; language?: unknown } | undefined;
  return t && typeof t.name === 'string' && t.name && typeof t.language === 'string' && t.language ? { name: t.name, language: t.language } : undefined;
}
