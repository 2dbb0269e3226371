import { safeEqual } from '../crypto';
import { AdapterError, type RawRequest } from '../types';
import { decodeTelegramUpdate } from './update';

export const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/**
 * Pure: Telegram signs nothing; it sends the `secret_token` given to setWebhook back in
 * `X-Telegram-Bot-Api-Secret-Token` on every delivery. Missing or different → `bad_signature` (401), compared in
 * constant time. An authentic request whose body is not an Update (malformed JSON) → `bad_request` (400): checked
 * only after the secret, so strangers learn nothing from it.
 */
export function verifyTelegramSecret(secretToken: string, req: RawRequest): void {
  const given = req.headers[SECRET_HEADER] ?? '';
  if (!secretToken || !given || !safeEqual(secretToken, given)) {
    throw new AdapterError('bad_signature', 'missing or wrong X-Telegram-Bot-Api-Secret-Token', { channel: 'telegram' });
  }
  if (!decodeTelegramUpdate(req)) {
    throw new AdapterError('bad_request', 'the body is not a JSON Telegram Update', { channel: 'telegram' });
  }
}
