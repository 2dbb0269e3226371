import type { ChannelAddress, Identity, InboundEvent, Part, RawRequest } from '../types';
import { buttonTitle, LABEL_CHOICE_PREFIX } from './keyboard';
import { decodeTelegramUpdate, type TelegramCallbackQuery, type TelegramEntity, type TelegramMessage, type TelegramUpdate, type TelegramUser } from './update';

/** What the adapter knows about its own bot. Without `botUsername`, group messages cannot be told apart: all ignored. */
export interface TelegramSelf {
  botUsername?: string | undefined;
}

/** Media parts point at the file by id; downloading (getFile, then the file route) is for whoever needs the bytes. */
export const FILE_URL_PREFIX = 'telegram-file:';

/** Pure: one Update → at most one event; unknown shapes become `unsupported`; never throws. */
export function parseTelegramRequest(req: RawRequest, self: TelegramSelf): InboundEvent<TelegramUpdate>[] {
  const update = decodeTelegramUpdate(req);
  if (!update) return [{ kind: 'unsupported', reason: 'not a Telegram update', raw: {} as TelegramUpdate }];
  try {
    return [parseTelegramUpdate(update, self)];
  } catch {
    // A field of an unexpected type deep inside: acknowledged, never a 500 that Telegram retries for a day.
    return [{ kind: 'unsupported', reason: 'malformed update', raw: update }];
  }
}

export function parseTelegramUpdate(update: TelegramUpdate, self: TelegramSelf): InboundEvent<TelegramUpdate> {
  if (isObject(update.message)) return parseMessage(update.message, update, self);
  if (isObject(update.callback_query)) return parseCallback(update.callback_query, update);
  const kind = Object.keys(update).find((k) => k !== 'update_id') ?? 'empty';
  // edited_message, channel_post, my_chat_member, inline_query...: acknowledged, not stored.
  return { kind: 'unsupported', reason: `update type ${kind}`, raw: update };
}

function parseMessage(message: TelegramMessage, update: TelegramUpdate, self: TelegramSelf): InboundEvent<TelegramUpdate> {
  const unsupported = (reason: string): InboundEvent<TelegramUpdate> => ({ kind: 'unsupported', reason, raw: update });
  const { chat, from } = message;
  if (!isObject(chat) || !isObject(from) || typeof message.message_id !== 'number') return unsupported('message without chat, sender or id');
  const own = !!self.botUsername && from.is_bot === true && sameName(from.username, self.botUsername);
  if (from.is_bot && !own) return unsupported('message from another bot');

  let text = typeof message.text === 'string' ? message.text : typeof message.caption === 'string' ? message.caption : '';
  const entities = (message.text !== undefined ? message.entities : message.caption_entities) ?? [];
  if (chat.type === 'group' || chat.type === 'supergroup') {
    if (!own) {
      const mentioned = !!self.botUsername && mentions(text, entities, self.botUsername);
      const repliedTo = !!self.botUsername && message.reply_to_message?.from?.is_bot === true && sameName(message.reply_to_message.from.username, self.botUsername);
      if (!mentioned && !repliedTo) return unsupported('group message not addressed to the bot');
      if (mentioned) text = stripMention(text, self.botUsername!);
    }
  } else if (chat.type !== 'private') {
    return unsupported(`message in a ${String(chat.type)} chat`);
  } else if (self.botUsername && !own) {
    // In a private chat every message is for us, but people still type "@shop_bot …" or tap "/start@shop_bot"
    // (clients add the handle to commands picked from a list): the handle is noise there too.
    text = stripMention(text, self.botUsername);
  }

  const parts: Part[] = [];
  if (text.trim()) parts.push({ type: 'text', text: text.trim() });
  parts.push(...mediaParts(message));
  if (isObject(message.location) && typeof message.location.latitude === 'number' && typeof message.location.longitude === 'number') {
    parts.push({ type: 'location', latitude: message.location.latitude, longitude: message.location.longitude });
  }
  if (parts.length === 0) return unsupported('message without text, media or location (a sticker, a poll, a service message...)');

  return {
    kind: 'message',
    externalId: `${chat.id}:${message.message_id}`,
    from: identity(from),
    address: address(message),
    parts,
    sentAt: new Date(message.date * 1000),
    isSelf: own,
    raw: update,
  };
}

function parseCallback(query: TelegramCallbackQuery, update: TelegramUpdate): InboundEvent<TelegramUpdate> {
  const message = query.message;
  if (typeof query.id !== 'string' || !isObject(query.from) || !isObject(message) || !isObject(message.chat)) {
    // Buttons on inline-mode messages arrive without the message: nowhere to answer.
    return { kind: 'unsupported', reason: 'callback query without its message', raw: update };
  }
  if (typeof query.data !== 'string' || !query.data) return { kind: 'unsupported', reason: 'callback query without data (a game)', raw: update };
  const title = buttonTitle(message.reply_markup?.inline_keyboard, query.data);
  const common = { externalId: `cq:${query.id}`, from: identity(query.from), address: address(message), raw: update };
  if (query.data.startsWith(LABEL_CHOICE_PREFIX)) {
    if (!title) return { kind: 'unsupported', reason: 'label choice without its button', raw: update };
    return { kind: 'message', ...common, parts: [{ type: 'text', text: title }], sentAt: new Date(), isSelf: false };
  }
  // The press has no timestamp of its own; Telegram delivers it as it happens.
  return { kind: 'action', ...common, value: query.data, ...(title ? { title } : {}), sentAt: new Date() };
}

function mediaParts(message: TelegramMessage): Part[] {
  const parts: Part[] = [];
  const add = (file: unknown, fallbackMime?: string) => {
    if (!isObject(file) || typeof (file as { file_id?: unknown }).file_id !== 'string') return;
    const f = file as { file_id: string; file_size?: number; file_name?: string; mime_type?: string };
    const mimeType = f.mime_type ?? fallbackMime;
    parts.push({
      type: 'media',
      url: `${FILE_URL_PREFIX}${f.file_id}`,
      ...(mimeType ? { mimeType } : {}),
      ...(f.file_name ? { name: f.file_name } : {}),
      ...(typeof f.file_size === 'number' ? { sizeBytes: f.file_size } : {}),
    });
  };
  // A photo comes in several sizes, smallest first: the largest is the one people mean.
  if (Array.isArray(message.photo) && message.photo.length) add(message.photo[message.photo.length - 1], 'image/jpeg');
  add(message.document);
  add(message.voice, 'audio/ogg');
  add(message.audio);
  add(message.video, 'video/mp4');
  return parts;
}

function identity(user: TelegramUser): Identity {
  const name = [user.first_name, user.last_name].filter((s) => typeof s === 'string' && s).join(' ');
  return { externalId: String(user.id), ...(name ? { displayName: name } : {}), ...(user.username ? { handle: user.username } : {}) };
}

/** Replies go to the chat; in a forum supergroup also to the topic (a plain reply thread has no id to send to). */
function address(message: TelegramMessage): ChannelAddress {
  const topic = message.is_topic_message === true && typeof message.message_thread_id === 'number';
  return { to: String(message.chat.id), ...(topic ? { threadId: String(message.message_thread_id) } : {}) };
}

function mentions(text: string, entities: TelegramEntity[], botUsername: string): boolean {
  const handle = `@${botUsername}`.toLowerCase();
  if (Array.isArray(entities) && entities.some((e) => e?.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle)) return true;
  // Commands addressed to us in a group: /help@our_bot.
  return new RegExp(`(^|\\s)/\\w+@${escapeRegExp(botUsername)}\\b`, 'i').test(text);
}

function stripMention(text: string, botUsername: string): string {
  return text
    .replace(new RegExp(`@${escapeRegExp(botUsername)}\\b[,:]?`, 'gi'), '')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}

function sameName(a: string | undefined, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.replace(/^@/, '').toLowerCase();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function isObject<T>(value: T | undefined | null): value is T {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
