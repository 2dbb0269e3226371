import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { AdapterError, type RawRequest } from '../types';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo: Discord hands out the raw 32-byte key as hex. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The application's public key (hex, from the developer portal) as a node:crypto key; undefined when unusable. */
export function discordPublicKey(hex: string | undefined): KeyObject | undefined {
  if (!hex || !/^[0-9a-f]{64}$/i.test(hex)) return undefined;
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(hex, 'hex')]), format: 'der', type: 'spki' });
}

/**
 * Pure: Discord's HTTP interactions signature, `X-Signature-Ed25519` = hex Ed25519 over
 * `X-Signature-Timestamp` + the raw body. Discord sends a bad signature on purpose when the endpoint is saved and
 * refuses endpoints that accept it, so every failure is `bad_signature` (401). Discord documents no freshness
 * window (the signature covers the timestamp, and replays are caught by interaction id dedupe).
 */
export function verifyDiscordSignature(publicKey: KeyObject | undefined, req: RawRequest): void {
  const signature = req.headers['x-signature-ed25519'] ?? '';
  const timestamp = req.headers['x-signature-timestamp'] ?? '';
  if (!publicKey || !/^[0-9a-f]{128}$/i.test(signature) || !/^\d{1,16}$/.test(timestamp)) {
    throw new AdapterError('bad_signature', 'missing or malformed Discord signature headers', { channel: 'discord' });
  }
  const signed = Buffer.concat([Buffer.from(timestamp), req.rawBody]);
  if (!verify(null, signed, publicKey, Buffer.from(signature, 'hex'))) {
    throw new AdapterError('bad_signature', 'Discord signature does not match', { channel: 'discord' });
  }
}
