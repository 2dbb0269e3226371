import { AdapterError, type ChannelKind } from './types';

/** Parses a Retry-After header: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null | undefined, now: Date = new Date()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}

/**
 * The shared reading of a failed platform HTTP response: 429 is rate limiting (retry after what it says), 408 and
 * 5xx are outages (retry), any other 4xx is a permanent rejection (retrying would only repeat it).
 */
export function errorFromResponse(response: Response, channel: ChannelKind, what: string, now: Date): AdapterError {
  const platformCode = `http_${response.status}`;
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  const timing = retryAfterMs !== undefined ? { retryAfterMs } : {};
  if (response.status === 429) {
    return new AdapterError('rate_limited', `${what} rate limited (429)`, { channel, platformCode, ...timing });
  }
  if (response.status >= 500 || response.status === 408) {
    return new AdapterError('unavailable', `${what} failed with ${response.status}`, { channel, platformCode, ...timing });
  }
  return new AdapterError('rejected', `${what} rejected the message with ${response.status}`, { channel, platformCode, retryable: false });
}
