import type { Logger } from 'pino';
import type { AdapterRegistry } from '../adapters/registry';
import type { WebchatHub } from '../adapters/webchat/hub';
import type { Store } from '../conversations';
import type { DeskService } from './desk/desk';
import type { Ingestor } from './pipeline/ingest';

/** What the HTTP layer needs; built once in `gateway.ts`, handed to `createApp`. */
export interface GatewayDeps {
  store: Store;
  registry: AdapterRegistry;
  ingestor: Ingestor;
  hub: WebchatHub;
  /** Takes agents' events (thread replies, card buttons, commands) before the customer pipeline sees them. */
  desk?: DeskService;
  log: Logger;
  maxBodyBytes: number;
  /** True once the store answered a ping; `/health` reports it. */
  storeReady: () => Promise<boolean>;
}
