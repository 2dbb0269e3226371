import { hmacHex, safeEqual } from '../crypto';

/**
 * `X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` on every callback, the
 * Stripe scheme integrators already know: the timestamp inside the MAC stops replays of old callbacks.
 */
export function signCallback(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${hmacHex(secret, `${unixSeconds}.${body}`)}`;
}

/** For integrators' receivers (documented in the README): verify with a tolerance window. */
export function verifyCallback(secret: string, body: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const fields = Object.fromEntries(header.split(',').map((kv) => kv.split('=', 2) as [string, string]));
  const t = Number(fields.t);
  if (!Number.isInteger(t) || !fields.v1 || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  return safeEqual(hmacHex(secret, `${t}.${body}`), fields.v1);
}
