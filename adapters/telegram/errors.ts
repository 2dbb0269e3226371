import { parseRetryAfter } from '../http';
import { AdapterError } from '../types';

/** Telegram's error body: `{ok:false, error_code, description, parameters?: {retry_after, migrate_to_chat_id}}`. */
export interface TelegramErrorBody {
  ok?: boolean;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/**
 * A failed Bot API call → the port's error. 429 carries `parameters.retry_after` (seconds; the Retry-After header
 * as a fallback); 5xx (and 408) are outages; any other code (400 chat not found, 403 bot was blocked by the user)
 * is a permanent rejection with platform code `tg_<code>` and Telegram's description in the message.
 */
export function fromTelegramResponse(httpStatus: number, body: TelegramErrorBody | undefined, retryAfterHeader: string | null, method: string): AdapterError {
  const code = typeof body?.error_code === 'number' ? body.error_code : httpStatus;
  const description = body?.description ?? `HTTP ${httpStatus}`;
  const platformCode = `tg_${code}`;
  if (code === 429) {
    const seconds = body?.parameters?.retry_after;
    const retryAfterMs = typeof seconds === 'number' && Number.isFinite(seconds) ? seconds * 1000 : parseRetryAfter(retryAfterHeader);
    return new AdapterError('rate_limited', `${method} rate limited: ${description}`, { channel: 'telegram', platformCode, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
  }
  if (code >= 500 || code === 408) {
    return new AdapterError('unavailable', `${method} failed: ${description}`, { channel: 'telegram', platformCode, retryable: true });
  }
  const migrated = body?.parameters?.migrate_to_chat_id;
  return new AdapterError('rejected', `${method} rejected: ${description}${migrated ? ` (the group is now chat ${migrated})` : ''}`, {
    channel: 'telegram',
    platformCode,
    retryable: false,
  });
}
