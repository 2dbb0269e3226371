import { parseRetryAfter } from '../http';
import { AdapterError, type ChannelKind } from '../types';

/** Graph error codes that mean "slow down" (app, account and pair rate limits). */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80007, 130429, 131056]);

export interface GraphError {
  code?: number;
  error_subcode?: number;
  message?: string;
  type?: string;
}

export interface GraphCall {
  url: string;
  body: unknown;
  /** Bearer token (WhatsApp); Messenger passes `access_token` in the URL instead. */
  bearer?: string;
  timeoutMs: number;
  channel: ChannelKind;
  now: () => Date;
  what: string;
}

/** One Graph API POST; the outbox owns retries, so this fails fast with a typed error. */
export async function graphPost<T>(call: GraphCall): Promise<T> {
  let response: Response;
  try {
    response = await fetch(call.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(call.bearer ? { authorization: `Bearer ${call.bearer}` } : {}) },
      body: JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs),
    });
  } catch (err) {
    // Refused, reset, timed out: the next attempt may well work.
    throw new AdapterError('unavailable', `${call.what} unreachable: ${(err as Error)?.message ?? String(err)}`, { channel: call.channel, retryable: true });
  }
  const text = await response.text().catch(() => '');
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : {};
  } catch {
    json = undefined;
  }
  if (!response.ok) throw fromGraphError(response, json, call);
  return (json ?? {}) as T;
}

/**
 * Graph errors → the port's error: 429 and the rate-limit codes are `rate_limited` (Retry-After when given);
 * 131047 (WhatsApp re-engagement) is `rejected:wa_131047`; 5xx is `unavailable`; other 4xx `rejected:meta_<code>`.
 */
export function fromGraphError(response: Response, json: unknown, call: Pick<GraphCall, 'channel' | 'now' | 'what'>): AdapterError {
  const error = ((json as { error?: GraphError } | undefined)?.error ?? {}) as GraphError;
  const code = typeof error.code === 'number' ? error.code : undefined;
  const detail = `${call.what} failed with HTTP ${response.status}${code !== undefined ? ` (code ${code}${error.error_subcode ? `/${error.error_subcode}` : ''})` : ''}${error.message ? `: ${error.message}` : ''}`;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), call.now());
  const timing = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (response.status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
    return new AdapterError('rate_limited', detail, { channel: call.channel, platformCode: code !== undefined ? `meta_${code}` : 'http_429', ...timing });
  }
  if (code === 131047) return new AdapterError('rejected', detail, { channel: call.channel, platformCode: 'wa_131047', retryable: false });
  if (response.status >= 500 || response.status === 408) {
    return new AdapterError('unavailable', detail, { channel: call.channel, platformCode: `http_${response.status}`, retryable: true, ...timing });
  }
  return new AdapterError('rejected', detail, { channel: call.channel, platformCode: code !== undefined ? `meta_${code}` : `http_${response.status}`, retryable: false });
}

/** Hours since an ISO timestamp stored on the address; undefined when unknown. */
export function hoursSince(iso: string | undefined, now: Date): number | undefined {
  if (!iso) return undefined;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? undefined : (now.getTime() - at) / 3_600_000;
}
