import { Router, type RequestHandler, type Response } from 'express';
import type { GatewayDeps } from '../deps';
import type { StoreState } from '../store/availability';
import { HttpError } from './errors';

/**
 * `GET /health` and `GET /ready`: 200 when the store answers a ping, 503 with the reason when it does not. Both
 * answer within the ping's bound (never the driver's 15 s server selection): a load balancer or an orchestrator
 * takes this process out of rotation while the store is down, and back when it returns.
 */
export function healthRoutes(deps: GatewayDeps): Router {
  const router = Router();
  router.get(['/health', '/ready'], async (_req, res) => {
    const state = deps.storeState();
    if (!state.available) return unavailable(res, state);
    if (await deps.storeReady()) {
      res.json({ status: 'ok', store: { available: true } });
      return;
    }
    res.status(503).json({ status: 'unavailable', store: { available: false, reason: 'the store did not answer a ping' } });
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
