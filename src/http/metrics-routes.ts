import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { GatewayDeps } from '../deps';
import { HttpError } from './errors';

/**
 * `GET /metrics` in Prometheus text format, only with `Authorization: Bearer <METRICS_TOKEN>`. Without
 * METRICS_TOKEN the route does not exist (404): metrics name channels and show traffic, and "served to loopback"
 * would serve them to everyone behind a reverse proxy on the same host (docs/decisions.md). Not behind
 * `requireStore`: a scrape during an outage is when `switchboard_store_reachable 0` matters.
 */
export function metricsRoutes(deps: GatewayDeps): Router {
  const router = Router();
  const expected = deps.metricsToken === undefined ? undefined : digest(deps.metricsToken);
  router.get('/metrics', async (req, res) => {
    if (!expected) throw new HttpError(404, 'not_found', 'metrics are off: set METRICS_TOKEN to serve /metrics');
    const given = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    // Digests of equal length, so the comparison is constant-time whatever was sent.
    if (!given || !timingSafeEqual(digest(given), expected)) {
      res.set('www-authenticate', 'Bearer realm="metrics"');
      throw new HttpError(401, 'unauthorized', 'expected "Authorization: Bearer <METRICS_TOKEN>"');
    }
    const text = await deps.metrics.text();
    res.set('content-type', deps.metrics.contentType).set('cache-control', 'no-store').send(text);
  });
  return router;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
