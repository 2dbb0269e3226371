import { createHmac } from 'node:crypto';
import { safeEqual } from '../../adapters/crypto';

/** Which file: the part at `index` of message `messageId`. */
export interface MediaRef {
  messageId: string;
  index: number;
}

/**
 * Signed, expiring links to customers' files (`/media/<token>`), for agents in Slack or Teams who cannot send our
 * admin token: whoever has the link can open the file until it expires, like a chat app's attachment URL. The
 * token is `<messageId>.<index>.<expiry seconds>.<HMAC>`: nothing to store, any gateway process can check it.
 */
export class MediaLinks {
  constructor(
    private readonly key: Buffer,
    private readonly ttlMs: number,
    /** The gateway's public address; without it there are no links (nobody outside could open them). */
    private readonly publicUrl: string | undefined,
  ) {}

  /** The absolute link, or undefined when PUBLIC_URL is not configured. */
  url(ref: MediaRef, now: Date): string | undefined {
    if (!this.publicUrl) return undefined;
    return `${this.publicUrl.replace(/\/+$/, '')}/media/${this.token(ref, now)}`;
  }

  token(ref: MediaRef, now: Date): string {
    const expires = Math.floor((now.getTime() + this.ttlMs) / 1000);
    const body = `${ref.messageId}.${ref.index}.${expires}`;
    return `${body}.${this.mac(body)}`;
  }

  /** The file a token names, or why it is refused. */
  verify(token: string, now: Date): MediaRef | 'invalid' | 'expired' {
    const match = /^([0-9a-f]{24})\.(\d{1,3})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!match) return 'invalid';
    const [, messageId, index, expires, mac] = match;
    if (!safeEqual(mac!, this.mac(`${messageId}.${index}.${expires}`))) return 'invalid';
    if (Number(expires) * 1000 < now.getTime()) return 'expired';
    return { messageId: messageId!, index: Number(index) };
  }

  private mac(body: string): string {
    return createHmac('sha256', this.key).update(body).digest('base64url');
  }
}
