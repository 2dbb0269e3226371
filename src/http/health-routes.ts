import { Router, type RequestHandler, type Response } from 'express';
import type { GatewayDeps } from '../deps';
import type { StoreState } from '../store/availability';
import { HttpError } from './errors';

/**
 * `GET /health` (liveness) and `GET /ready` (readiness), both 503 with the reason while the store is known to be
 * down (the driver's own monitoring, the embedded JVM's exit), so a load balancer or an orchestrator takes this
 * process out of rotation and back when the store returns.
 * `/health` answers from that state alone, with no round trip: it says whether this process is responsive, and a
 * store busy syncing a burst of writes must not make a live gateway look hung. `/ready` also pings the store
 * (bounded by a short timeout, never the driver's 15 s server selection), then asks that this process's workers
 * run and that every configured stateful connection is held by some process (src/readiness.ts); 503 names what
 * is not ready (`notReady`).
 */
export function healthRoutes(deps: GatewayDeps): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    const state = deps.storeState();
    if (!state.available) return unavailable(res, state);
    res.json({ status: 'ok', store: { available: true } });
  });
  router.get('/ready', async (_req, res) => {
    const state = deps.storeState();
    if (!state.available) return unavailable(res, state);
    if (!(await deps.storeReady())) {
      res.status(503).json({ status: 'unavailable', notReady: ['store'], store: { available: false, reason: 'the store did not answer a ping' } });
      return;
    }
    // The store answered, so the lease rows can be read: workers here, and connections held somewhere.
    const report = await deps.readiness();
    const notReady = [...(report.workers.ready ? [] : ['workers']), ...report.connections.unheld.map((c) => `connection:${c.channelId}`)];
    res.status(report.ready ? 200 : 503).json({
      status: report.ready ? 'ok' : 'unavailable',
      ...(notReady.length ? { notReady } : {}),
      store: { available: true },
      workers: report.workers,
      connections: report.connections,
    });
  });
  return router;
}

function unavailable(res: Response, state: Exclude<StoreState, { available: true }>): void {
  res.set('retry-after', String(state.retryAfterSeconds));
  res.status(503).json({ status: 'unavailable', store: { available: false, reason: state.reason, since: state.since.toISOString() } });
}

/** In front of every route that reads or writes the store: while it is known to be down, answer 503 at once. */
export function requireStore(deps: GatewayDeps): RequestHandler {
  return (_req, res, next) => {
    const state = deps.storeState();
    if (state.available) return next();
    res.set('retry-after', String(state.retryAfterSeconds));
    next(new HttpError(503, 'store_unavailable', `the message store is unavailable (${state.reason}); retry later, nothing was stored`));
  };
}
