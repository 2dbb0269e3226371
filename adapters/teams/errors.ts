import { HttpError } from '@microsoft/agents-hosting';
import { parseRetryAfter } from '../http';
import { AdapterError } from '../types';

/**
 * Connector failures → the port's error, read like every other HTTP channel: 429 is rate limiting (retry after
 * Retry-After), 408/5xx and network failures or our timeout are outages (retry), any other 4xx (401/403 bot not in
 * the conversation, 404 conversation gone, 400 bad activity) is permanent. The SDK's message already carries the
 * connector's error body (`{"error":{"code":"BotNotInConversationRoster",…}}`), which ends up stored on the reply.
 */
export function fromTeamsError(err: unknown, what: string, now: Date): AdapterError {
  if (err instanceof AdapterError) return err;
  const status = httpStatus(err);
  if (status !== undefined) {
    const platformCode = `http_${status}`;
    const headers = (err as HttpError).response?.headers;
    const retryAfterMs = parseRetryAfter(typeof headers?.get === 'function' ? headers.get('retry-after') : undefined, now);
    const timing = retryAfterMs !== undefined ? { retryAfterMs } : {};
    const detail = (err as Error).message;
    if (status === 429) return new AdapterError('rate_limited', `${what} rate limited (429)`, { channel: 'teams', platformCode, ...timing });
    if (status >= 500 || status === 408) return new AdapterError('unavailable', `${what} failed: ${detail}`, { channel: 'teams', platformCode, ...timing });
    return new AdapterError('rejected', `${what} rejected: ${detail}`, { channel: 'teams', platformCode, retryable: false });
  }
  const name = (err as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return new AdapterError('unavailable', `${what} timed out`, { channel: 'teams', platformCode: 'timeout' });
  // Refused, reset, DNS: the next attempt may well work.
  return new AdapterError('unavailable', `${what} unreachable: ${(err as Error | undefined)?.message ?? String(err)}`, { channel: 'teams' });
}

function httpStatus(err: unknown): number | undefined {
  if (err instanceof HttpError) return err.status;
  // Duck-typed too: a second copy of the SDK (mixed versions) would fail instanceof.
  const e = err as { name?: string; status?: unknown } | undefined;
  return e?.name === 'HttpError' && typeof e.status === 'number' ? e.status : undefined;
}
