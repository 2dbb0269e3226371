import { mediaKind, type MediaKind } from '../media-kind';
import { AdapterError, type Capabilities, type ChannelAdapter, type ChannelAddress, type ChannelInstance, type DeliveryReceipt, type InboundEvent, type RenderedMessage } from '../types';
import { DEFAULT_API_BASE, telegramClient } from './client';
import { toInlineKeyboard } from './keyboard';
import { FILE_URL_PREFIX, parseTelegramRequest } from './parse';
import { verifyTelegramSecret } from './signature';
import type { TelegramMessage, TelegramUpdate } from './update';

export { parseTelegramRequest, parseTelegramUpdate, FILE_URL_PREFIX } from './parse';
export { SECRET_HEADER } from './signature';
export { registerTelegramWebhook, ALLOWED_UPDATES } from './webhook';

export const telegramCapabilities: Capabilities = {
  // sendMessage's limit (counted after entity parsing, so counting our tags too keeps us under it).
  maxTextLength: 4096,
  markup: 'html',
  buttons: { max: 10, titleMax: 64 },
  // Files go by URL (Telegram fetches them: 5 MB for photos, 20 MB for other files), one message each after the text.
  attachments: { kinds: ['image', 'video', 'audio', 'file'], maxBytes: 20 * 1024 * 1024, byLink: true, separate: true },
  threads: true,
  edits: false,
  typing: false,
  citations: 'text',
};

export interface TelegramAdapterDeps {
  timeoutMs: number;
  clock?: () => Date;
  fetch?: typeof fetch;
}

/**
 * Telegram Bot API as a customer channel, over plain HTTP (no SDK): updates arrive on our `/webhooks/:channelId`
 * route (setWebhook with `secret_token`), replies go out with sendMessage. Secrets: `botToken`, `secretToken`.
 * Settings: `apiBase` (default https://api.telegram.org; tests, a local Bot API server), `botUsername` (without
 * it, group messages are ignored: mentions and replies to the bot cannot be recognised).
 */
export function createTelegramAdapter(channel: ChannelInstance, deps: TelegramAdapterDeps): ChannelAdapter<TelegramUpdate> {
  const setting = (key: string) => (typeof channel.settings[key] === 'string' && channel.settings[key] ? (channel.settings[key] as string) : undefined);
  const self = { botUsername: setting('botUsername')?.replace(/^@/, '') };
  const secretToken = channel.secrets.secretToken ?? '';
  const apiBase = (setting('apiBase') ?? DEFAULT_API_BASE).replace(/\/+$/, '');
  const call = telegramClient({
    apiBase,
    botToken: channel.secrets.botToken ?? '',
    timeoutMs: deps.timeoutMs,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  return {
    kind: 'telegram',
    capabilities: telegramCapabilities,

    verify: (req) => verifyTelegramSecret(secretToken, req),

    parse: (req) => parseTelegramRequest(req, self),

    /** `getFile` names a path valid for an hour; the bytes come from `{apiBase}/file/bot<token>/<path>`. */
    async fetchMedia(url: string) {
      if (!url.startsWith(FILE_URL_PREFIX)) throw new AdapterError('bad_request', `not a Telegram file: ${url}`, { channel: 'telegram', retryable: false });
      const file = await call<{ file_path?: string }>('getFile', { file_id: url.slice(FILE_URL_PREFIX.length) });
      if (!file?.file_path) throw new AdapterError('rejected', 'Telegram gave no file path (files over 20 MB cannot be downloaded by bots)', { channel: 'telegram', platformCode: 'no_file_path', retryable: false });
      const response = await (deps.fetch ?? fetch)(`${apiBase}/file/bot${channel.secrets.botToken ?? ''}/${file.file_path}`, { signal: AbortSignal.timeout(deps.timeoutMs) });
      if (!response.ok) throw new AdapterError('unavailable', `Telegram file download answered ${response.status}`, { channel: 'telegram', retryable: true });
      const mimeType = response.headers.get('content-type') ?? undefined;
      return { bytes: Buffer.from(await response.arrayBuffer()), ...(mimeType && mimeType !== 'application/octet-stream' ? { mimeType } : {}) };
    },

    async send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt> {
      const thread = to.threadId ? { message_thread_id: Number(to.threadId) } : {};
      const file = message.media?.[0];
      if (file) {
        const [method, field] = SEND_FILE[mediaKind(file)];
        const sent = await call<TelegramMessage>(method, { chat_id: to.to, [field]: file.url, ...(file.caption ? { caption: file.caption } : {}), ...thread });
        return receipt(sent, to);
      }
      const keyboard = toInlineKeyboard(message.choices);
      const result = await call<TelegramMessage>('sendMessage', {
        chat_id: to.to,
        text: toTelegramHtml(message),
        ...(message.format === 'html' ? { parse_mode: 'HTML' } : {}),
        ...thread,
        ...(keyboard ? { reply_markup: keyboard } : {}),
        // Citations are links: a preview of the first would bury the answer.
        link_preview_options: { is_disabled: true },
      });
      return receipt(result, to);
    },

    /**
     * A pressed button spins until the bot answers the callback query. The answer rides on the webhook's own 200
     * ("making requests when getting updates"): sent only after the press is stored, and no call that could fail
     * separately. Telegram does not report the outcome of such a call; a lost answer only means a spinner that
     * times out on the customer's side.
     */
    ackBody(events: InboundEvent<TelegramUpdate>[]) {
      for (const event of events) {
        const id = event.raw?.callback_query?.id;
        if (typeof id === 'string' && id) return { method: 'answerCallbackQuery', callback_query_id: id };
      }
      return undefined;
    },
  };
}

/** Telegram's HTML knows <b>, <i>, <a href>... but not <br>: line breaks are plain newlines there. */
export function toTelegramHtml(message: Pick<RenderedMessage, 'text' | 'format'>): string {
  if (message.format !== 'html') return message.text;
  return message.text.replace(/<br\s*\/?>/gi, '\n');
}

/** The Bot API method and field that send a file of each kind by URL. */
const SEND_FILE: Record<MediaKind, [string, string]> = {
  image: ['sendPhoto', 'photo'],
  video: ['sendVideo', 'video'],
  audio: ['sendAudio', 'audio'],
  file: ['sendDocument', 'document'],
};

/** Telegram message ids are per chat: `<chat id>:<message id>` is what its receipts and edits can name. */
function receipt(result: TelegramMessage | undefined, to: ChannelAddress): DeliveryReceipt {
  const chatId = result?.chat?.id ?? to.to;
  return { status: 'sent', ...(typeof result?.message_id === 'number' ? { externalId: `${chatId}:${result.message_id}` } : {}) };
}
