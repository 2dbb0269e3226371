import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { AdapterRegistry } from '../adapters/registry';
import type { WebchatHub } from '../adapters/webchat/hub';
import type { Store } from '../conversations';
import type { TrustProxy } from './http/client-ip';
import type { Router } from 'express';
import type { RouteSpec } from './http/console';
import type { RateLimits } from './http/rate-limits';
import type { MediaLinks } from './media/links';
import type { GatewayMetrics } from './metrics';
import type { ReadinessReport } from './readiness';
import type { StoreState } from './store/availability';
import type { InboundRouter } from './pipeline/inbound';
import type { Ingestor } from './pipeline/ingest';

/** What the HTTP layer needs; built once in `gateway.ts`, handed to `createApp`. */
export interface GatewayDeps {
  store: Store;
  registry: AdapterRegistry;
  ingestor: Ingestor;
  hub: WebchatHub;
  /** The desk first (agents' thread replies, card buttons, commands), then `ingestor`: what webhooks and connections use. */
  inbound: InboundRouter;
  log: Logger;
  maxBodyBytes: number;
  /** Events one webhook request may carry (WEBHOOK_MAX_EVENTS); above it the request is refused with 413. */
  maxWebhookEvents: number;
  /** Pings the store (bounded by a short timeout); `/health` and `/ready` report it. */
  storeReady: () => Promise<boolean>;
  /** Whether the store is known to be down (the driver lost it, the embedded JVM died), and why. */
  storeState: () => StoreState;
  /** Signs and checks `/media/<token>` links to customers' files. */
  mediaLinks: MediaLinks;
  /** The gateway's clock: links are signed with it, so they are checked with it too. */
  clock: () => Date;
  /** Request limits per IP, visitor and API key, shared by the gateway processes through the store. */
  limits: RateLimits;
  /** Express `trust proxy` (TRUST_PROXY): who may set X-Forwarded-For. */
  trustProxy: TrustProxy;
  /** The client address under `trustProxy`, for the WebSocket upgrade (express sets `req.ip` elsewhere). */
  clientIp: (req: IncomingMessage) => string;
  /** An owner's token for scripts and /admin pages (Bearer, or the password of Basic auth). */
  adminToken?: string | undefined;
  /** The console, its API and the /admin pages, with the route table every permission is declared in. */
  console: { router: Router; table: RouteSpec[] };
  /** This gateway's Prometheus registry (`GET /metrics`). */
  metrics: GatewayMetrics;
  /** METRICS_TOKEN: the Bearer token `/metrics` requires; unset, `/metrics` answers 404. */
  metricsToken?: string | undefined;
  /** Workers and connections for `/ready`, once the store answered its ping. */
  readiness: () => Promise<ReadinessReport>;
}
