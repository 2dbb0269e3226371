import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

export type TrustProxy = boolean | number | string[];

/**
 * The client address as express computes `req.ip` under the same `trust proxy` setting, for the places express
 * does not reach (the WebSocket upgrade). Untrusted hops' X-Forwarded-For is ignored, so it cannot be spoofed.
 */
export function clientIpResolver(trust: TrustProxy): (req: IncomingMessage) => string {
  const fn: (addr: string, i: number) => boolean =
    trust === true ? () => true : trust === false ? () => false : typeof trust === 'number' ? (_a, i) => i < trust : proxyaddr.compile(trust);
  return (req) => proxyaddr(req, fn);
}
