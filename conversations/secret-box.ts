import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for channel secrets at rest. The envelope is `v1.<iv>.<tag>.<ciphertext>` (base64url), so a future
 * key rotation can add `v2` without guessing what a stored value is.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('SecretBox needs a 32-byte key');
    this.key = key;
  }

  /** Accepts 64 hex characters or base64 of 32 bytes (the forms `SWITCHBOARD_ENCRYPTION_KEY` allows). */
  static fromString(text: string): SecretBox {
    const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
    return new SecretBox(key);
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body].map((x) => (typeof x === 'string' ? x : x.toString('base64url'))).join('.');
  }

  open(envelope: string): string {
    const [version, iv, tag, body] = envelope.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('Unrecognised secret envelope');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** A key for another purpose (signing media links), derived so that one secret still protects everything. */
  deriveKey(purpose: string): Buffer {
    return createHmac('sha256', this.key).update(`switchboard:${purpose}`).digest();
  }

  /** A stable, non-reversible fingerprint (for looking API keys up without storing them). */
  static hash(value: string): string {
    return createHash('sha256').update(value).digest('hex');
  }
}
