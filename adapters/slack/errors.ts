import { webApi } from '@slack/bolt';
import { AdapterError } from '../types';

/** Platform errors that say "try again later" rather than "this will never work". */
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'ratelimited']);

/**
 * WebClient errors → the port's error. Rate limits carry Retry-After (seconds) so the outbox waits at least that;
 * `ok:false` codes are permanent rejections keeping Slack's code (`rejected:channel_not_found`); HTTP 5xx and
 * network failures are retryable.
 */
export function fromSlackError(err: unknown, method: string): AdapterError {
  if (err instanceof AdapterError) return err;
  const code = (err as { code?: string } | undefined)?.code;
  switch (code) {
    case webApi.ErrorCode.RateLimitedError: {
      const { retryAfter } = err as webApi.WebAPIRateLimitedError;
      return new AdapterError('rate_limited', `${method} rate limited`, {
        channel: 'slack',
        platformCode: 'ratelimited',
        ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}),
      });
    }
    case webApi.ErrorCode.PlatformError: {
      const slackCode = (err as webApi.WebAPIPlatformError).data.error;
      const transient = TRANSIENT.has(slackCode);
      return new AdapterError(transient ? 'unavailable' : 'rejected', `${method} failed: ${slackCode}`, { channel: 'slack', platformCode: slackCode, retryable: transient });
    }
    case webApi.ErrorCode.HTTPError: {
      const status = (err as webApi.WebAPIHTTPError).statusCode;
      const transient = status >= 500 || status === 408;
      return new AdapterError(transient ? 'unavailable' : 'rejected', `${method} failed with HTTP ${status}`, {
        channel: 'slack',
        platformCode: `http_${status}`,
        retryable: transient,
      });
    }
    default:
      // Request errors (refused, reset, timed out) and anything unexpected: the next attempt may well work.
      return new AdapterError('unavailable', `${method} unreachable: ${(err as Error)?.message ?? String(err)}`, { channel: 'slack', retryable: true });
  }
}
