import { hmacHex, safeEqual } from '../crypto';
import { AdapterError, type RawRequest } from '../types';

/** Slack's window, both ways: bolt only rejects old timestamps, but a future one is as much a replay risk. */
export const SLACK_TOLERANCE_SECONDS = 5 * 60;

/**
 * Pure: checks `X-Slack-Signature: v0=<hex HMAC-SHA256(signing secret, "v0:<ts>:<raw body>")>` and that
 * `X-Slack-Request-Timestamp` is within five minutes of `now`. Throws `bad_signature` / `stale_signature` (both 401).
 */
export function verifySlackSignature(signingSecret: string, req: RawRequest, now: Date): void {
  const timestamp = req.headers['x-slack-request-timestamp'] ?? '';
  const signature = req.headers['x-slack-signature'] ?? '';
  if (!signingSecret || !/^\d{1,12}$/.test(timestamp) || !signature.startsWith('v0=')) {
    throw new AdapterError('bad_signature', 'missing or malformed Slack signature headers', { channel: 'slack' });
  }
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > SLACK_TOLERANCE_SECONDS) {
    throw new AdapterError('stale_signature', 'Slack request timestamp is outside the five-minute window', { channel: 'slack' });
  }
  // Over the exact bytes: a re-serialized body would not match.
  const expected = `v0=${hmacHex(signingSecret, Buffer.concat([Buffer.from(`v0:${timestamp}:`), req.rawBody]))}`;
  if (!safeEqual(expected, signature)) {
    throw new AdapterError('bad_signature', 'Slack signature does not match', { channel: 'slack' });
  }
}
