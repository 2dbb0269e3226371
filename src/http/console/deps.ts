import type { Logger } from 'pino';
import type { Access } from '../../access';
import type { SessionPolicy } from '../../access/sessions';
import type { Store } from '../../../conversations';
import type { DeskService } from '../../desk/desk';
import type { MediaLinks } from '../../media/links';
import type { RateLimits } from '../rate-limits';
import type { KnowledgeAdmin } from '../../knowledge-admin';
import type { LiveIntents } from '../../intents-live';
import type { StoreChanges } from './store-changes';
import type { Reporting } from '../../reporting';
import type { Embedder } from '../../../knowledge/embedder';
import type { LiveRouting } from '../../routing-live';

/** What the console's routes need; built in src/gateway.ts beside the other HTTP dependencies. */
export interface ConsoleDeps {
  store: Store;
  access: Access;
  desk: DeskService;
  knowledge: KnowledgeAdmin;
  limits: RateLimits;
  log: Logger;
  clock: () => Date;
  sessionPolicy: SessionPolicy;
  /** The routing rules in force (ROUTING_FILE until an admin saves a version here). */
  routing: LiveRouting;
  /** The intent catalog in force (INTENTS_DIR until an admin saves one here). */
  intents: LiveIntents;
  /** Teams named in routing.yaml: the inbox's team filter and reassignment targets. */
  teams: () => string[];
  /** Minutes an escalation may wait unclaimed (DESK_SLA_MINUTES); 0: no SLA shown. */
  slaMinutes: number;
  /** For channel setup hints (webhook URLs) and links. */
  publicConfig: { PUBLIC_URL?: string | undefined; PORT: number };
  mediaLinks: MediaLinks;
  adminToken?: string | undefined;
  maxJsonBytes: number;
  /** Long-poll: how often a waiting request re-reads the store, and how long it waits at most. */
  livePollMs: number;
  liveWaitMs: number;
  /** The shared sentence encoder, when prepared: knowledge gaps are grouped by meaning with it. */
  embedder?: Embedder | undefined;
  /** Reporting events, outcomes and rollups (src/reporting). */
  reporting: Reporting;
  /** Change streams on what the inbox shows, when the store has them (otherwise the long poll polls). */
  changes?: StoreChanges;
}
