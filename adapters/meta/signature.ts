import { hmacHex, safeEqual } from '../crypto';
import { AdapterError, type ChannelKind, type RawRequest, type RawResponse } from '../types';

/**
 * Pure: checks `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` in constant time. Meta signs
 * no timestamp; redeliveries are deduplicated by message id instead. Throws `bad_signature` (401).
 */
export function verifyMetaSignature(appSecret: string, req: RawRequest, channel: ChannelKind): void {
  const header = req.headers['x-hub-signature-256'] ?? '';
  if (!appSecret || !/^sha256=[0-9a-fA-F]{64}$/.test(header)) {
    throw new AdapterError('bad_signature', 'missing or malformed X-Hub-Signature-256', { channel });
  }
  // Over the exact bytes: a re-serialized body would not match.
  const expected = `sha256=${hmacHex(appSecret, req.rawBody)}`;
  if (!safeEqual(expected, header.toLowerCase())) {
    throw new AdapterError('bad_signature', 'X-Hub-Signature-256 does not match', { channel });
  }
}

/**
 * The subscription check: `GET ?hub.mode=subscribe&hub.verify_token=T&hub.challenge=N` → 200 with `N` as plain
 * text when the token matches, 403 otherwise. Every GET is answered here: Meta sends nothing else by GET.
 */
export function metaHandshake(verifyToken: string, req: RawRequest): RawResponse | undefined {
  if (req.method !== 'GET') return undefined;
  const mode = req.query['hub.mode'];
  const token = req.query['hub.verify_token'] ?? '';
  const challenge = req.query['hub.challenge'] ?? '';
  const plain = { 'content-type': 'text/plain; charset=utf-8' };
  if (mode === 'subscribe' && verifyToken && safeEqual(verifyToken, token)) {
    return { status: 200, headers: plain, body: challenge };
  }
  return { status: 403, headers: plain, body: 'verification failed' };
}
