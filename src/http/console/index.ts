import { Router, type RequestHandler } from 'express';
import { enforce } from '../rate-limits';
import { authRoutes } from './auth-routes';
import { channelRoutes } from './channel-routes';
import type { ConsoleDeps } from './deps';
import { inboxRoutes } from './inbox-routes';
import { knowledgeRoutes } from './knowledge-routes';
import { pageRoutes } from './page-routes';
import { Authenticator } from './principal';
import { mountRoutes, type RouteSpec } from './route-table';
import { reportRoutes } from './report-routes';
import { routingRoutes } from './routing-routes';
import { userRoutes } from './user-routes';

/** Every console page, console API route and /admin page, in one table (see route-table.ts). */
export function consoleRouteTable(deps: ConsoleDeps): RouteSpec[] {
  return [...pageRoutes(deps), ...authRoutes(deps), ...inboxRoutes(deps), ...channelRoutes(deps), ...knowledgeRoutes(deps), ...routingRoutes(deps), ...userRoutes(deps), ...reportRoutes(deps)];
}

export function consoleRoutes(deps: ConsoleDeps): { router: Router; table: RouteSpec[] } {
  const router = Router();
  // /admin keeps its per-address budget (it is what scripts with the ADMIN_TOKEN call).
  router.use('/admin', adminIpLimit(deps));
  const table = consoleRouteTable(deps);
  mountRoutes(router, table, {
    authenticator: new Authenticator({ access: deps.access, adminToken: deps.adminToken, limits: deps.limits, clock: deps.clock }),
    access: deps.access,
    maxJsonBytes: deps.maxJsonBytes,
  });
  return { router, table };
}

function adminIpLimit(deps: ConsoleDeps): RequestHandler {
  return (req, _res, next) => {
    enforce(deps.limits, 'admin', req.ip ?? 'unknown', 'admin requests from this address').then(() => next(), next);
  };
}

export type { ConsoleDeps } from './deps';
export type { RouteSpec } from './route-table';
