import express, { type Express } from 'express';
import type { GatewayDeps } from './deps';
import { apiRoutes } from './http/api-routes';
import { mediaRoutes } from './http/media-routes';
import { metricsRoutes } from './http/metrics-routes';
import { errorHandler, notFound } from './http/errors';
import { healthRoutes, requireStore } from './http/health-routes';
import { openApiRoutes } from './http/openapi/routes';
import { webchatRoutes } from './http/webchat-routes';
import { webhookRoutes } from './http/webhook-routes';

/** The express app without `listen`, so tests and tools can mount or drive it directly. */
export function createApp(deps: GatewayDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Off by default: behind a load balancer, TRUST_PROXY says which hops' X-Forwarded-For names the client (req.ip).
  app.set('trust proxy', deps.trustProxy);

  app.use(healthRoutes(deps));
  app.use(openApiRoutes({ version: '0.1.0', consoleTable: deps.console.table, maxBodyBytes: deps.maxBodyBytes }));
  app.use(metricsRoutes(deps));
  // The widget's static files (served by webchatRoutes) need no store and stay up with it down.
  app.use(['/api', '/webhooks', '/webchat', '/admin', '/media', '/console'], requireStore(deps));
  app.use(apiRoutes(deps));
  app.use(webhookRoutes(deps));
  app.use(webchatRoutes(deps));
  app.use(deps.console.router);
  app.use(mediaRoutes(deps));
  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
