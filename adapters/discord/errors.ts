import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { AdapterError } from '../types';

/** Discord JSON error codes the sender reacts to (https://discord.com/developers/docs/topics/opcodes-and-status-codes). */
export const UNKNOWN_CHANNEL = 10003;
export const THREAD_ALREADY_CREATED = 160004;

export function hasDiscordCode(err: unknown, code: number): boolean {
  return err instanceof DiscordAPIError && Number(err.code) === code;
}

/**
 * REST errors → the port's error. With `rejectOnRateLimit` a 429 (or a bucket @discordjs/rest knows is empty)
 * throws RateLimitError instead of waiting inside the client: the outbox backs off for at least `retryAfter`.
 * 4xx keep Discord's JSON code (`rejected:50001` Missing Access); 5xx, timeouts and network failures are retryable.
 */
export function fromDiscordError(err: unknown, route: string): AdapterError {
  if (err instanceof AdapterError) return err;
  if (err instanceof RateLimitError) {
    return new AdapterError('rate_limited', `${route} rate limited (${err.global ? 'global' : err.scope})`, {
      channel: 'discord',
      platformCode: 'http_429',
      ...(Number.isFinite(err.retryAfter) ? { retryAfterMs: Math.max(0, Math.ceil(err.retryAfter)) } : {}),
    });
  }
  const status = err instanceof DiscordAPIError || err instanceof HTTPError ? err.status : undefined;
  if (status !== undefined) {
    const transient = status >= 500 || status === 408;
    const platformCode = err instanceof DiscordAPIError && Number(err.code) > 0 ? String(err.code) : `http_${status}`;
    return new AdapterError(transient ? 'unavailable' : 'rejected', `${route} failed with HTTP ${status}: ${(err as Error).message}`, {
      channel: 'discord',
      platformCode,
      retryable: transient,
    });
  }
  // Aborts (our timeout), refused or reset connections, anything unexpected: the next attempt may well work.
  return new AdapterError('unavailable', `${route} unreachable: ${(err as Error)?.message ?? String(err)}`, { channel: 'discord', retryable: true });
}
