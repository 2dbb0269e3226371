import { randomUUID } from 'node:crypto';
import { hmacHex, safeEqual } from '../crypto';

/**
 * Visitor tokens: `v1.<visitorId>.<hex HMAC-SHA256(secret, "v1.<visitorId>")>`. Stateless, so any gateway
 * process can verify a returning visitor, and unforgeable, so one visitor cannot read another's history.
 */
export function issueVisitorToken(secret: string, visitorId: string = randomUUID()): { visitorId: string; token: string } {
  return { visitorId, token: `v1.${visitorId}.${mac(secret, visitorId)}` };
}

export function verifyVisitorToken(secret: string, token: string | undefined): string | undefined {
  const match = /^v1\.([0-9a-f-]{36})\.([0-9a-f]{64})$/.exec(token ?? '');
  if (!match || !secret) return undefined;
  return safeEqual(match[2]!, mac(secret, match[1]!)) ? match[1] : undefined;
}

function mac(secret: string, visitorId: string): string {
  return hmacHex(secret, `v1.${visitorId}`);
}
