import type { RawRequest } from '../types';

/** The part of Telegram's Update object the adapter reads (https://core.telegram.org/bots/api#update). */
export interface TelegramUser {
  id: number;
  is_bot?: boolean;
  first_name?: string;
  last_name?: string;
  username?: string;
}

export interface TelegramChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel' | string;
  title?: string;
  username?: string;
}

export interface TelegramFile {
  file_id: string;
  file_unique_id?: string;
  file_size?: number;
  file_name?: string;
  mime_type?: string;
  width?: number;
  height?: number;
}

export interface TelegramEntity {
  type: string;
  offset: number;
  length: number;
  user?: TelegramUser;
}

export interface TelegramInlineButton {
  text: string;
  callback_data?: string;
  url?: string;
}

export interface TelegramMessage {
  message_id: number;
  message_thread_id?: number;
  is_topic_message?: boolean;
  from?: TelegramUser;
  chat: TelegramChat;
  date: number;
  text?: string;
  caption?: string;
  entities?: TelegramEntity[];
  caption_entities?: TelegramEntity[];
  photo?: TelegramFile[];
  document?: TelegramFile;
  voice?: TelegramFile;
  audio?: TelegramFile;
  video?: TelegramFile;
  location?: { latitude: number; longitude: number };
  reply_to_message?: TelegramMessage;
  reply_markup?: { inline_keyboard?: TelegramInlineButton[][] };
}

export interface TelegramCallbackQuery {
  id: string;
  from: TelegramUser;
  message?: TelegramMessage;
  data?: string;
}

export interface TelegramUpdate {
  update_id: number;
  message?: TelegramMessage;
  callback_query?: TelegramCallbackQuery;
  [other: string]: unknown;
}

/** The request body as an Update, or undefined when it is not JSON or has no numeric `update_id`. */
export function decodeTelegramUpdate(req: RawRequest): TelegramUpdate | undefined {
  try {
    const value: unknown = JSON.parse(req.rawBody.toString('utf8'));
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    return typeof (value as { update_id?: unknown }).update_id === 'number' ? (value as TelegramUpdate) : undefined;
  } catch {
    return undefined;
  }
}
