import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { createApiAdapter } from '../adapters/api';
import { createEmailAdapter } from '../adapters/email';
import { createDiscordAdapter, createDiscordConnection } from '../adapters/discord';
import { createImapConnection } from '../adapters/email/imap';
import { createMessengerAdapter, createWhatsAppAdapter } from '../adapters/meta';
import { AdapterRegistry } from '../adapters/registry';
import { createSlackAdapter } from '../adapters/slack';
import { createSlackDesk } from '../adapters/slack/desk';
import { createSlackSocketConnection, slackUsesSocketMode } from '../adapters/slack/socket';
import { createTeamsAdapter, createTeamsDesk } from '../adapters/teams';
import { createTelegramAdapter } from '../adapters/telegram';
import { createWebchatAdapter } from '../adapters/webchat';
import { createRealWaWebClient, createWaWebConnection, createWhatsAppWebAdapter, usesWhatsAppWeb, WaWebSessions, type WaWebClientFactory } from '../adapters/whatsapp-web';
import { WebchatHub } from '../adapters/webchat/hub';
import { openStore, type SecretBox, type Store } from '../conversations';
import { createApp } from './app';
import { openAccess, type Access } from './access';
import { sessionPolicyOf } from './access/sessions';
import { createConfiguredBrainParts } from './brain-setup';
import { LiveIntents } from './intents-live';
import { openReporting, reportSettingsOf, type Reporting } from './reporting';
import { StoreChanges } from './http/console/store-changes';
import { LiveRouting } from './routing-live';
import { consoleRoutes } from './http/console';
import { KnowledgeAdmin } from './knowledge-admin';
import type { Brain } from './brain/types';
import type { Config } from './config';
import { ConnectionHost } from './connections';
import { printQrToTerminal } from './connections/qr';
import { MediaLinks } from './media/links';
import type { GatewayDeps } from './deps';
import { AgentAssist } from './desk/assist';
import { DeskDeliverer } from './desk/deliverer';
import { DeskService } from './desk/desk';
import { remindUnclaimed } from './desk/sla';
import { DeskSurfaces } from './desk/surfaces';
import { WebchatPendingSweep } from './http/webchat-pending';
import { attachWebchatSocket } from './http/webchat-socket';
import { Deliverer } from './pipeline/deliverer';
import { EmailThreader } from './email/threading';
import { StoreAvailability } from './store/availability';
import type { EmbeddedMongo } from './store/embedded-mongo';
import { InboundRouter } from './pipeline/inbound';
import { Ingestor } from './pipeline/ingest';
import { LeaseLoop, wakeOne } from './pipeline/lease-loop';
import { ConversationProcessor } from './pipeline/processor';
import { clientIpResolver } from './http/client-ip';
import { GatewayMetrics, observePipeline, QueueDepth } from './metrics';
import { checkReadiness } from './readiness';
import { limitSpecs, RateLimits } from './http/rate-limits';

const HEALTH_PING_TIMEOUT_MS = 2_000;
/** Queue depth for /metrics is read at most this often, however many Prometheus servers scrape. */
const QUEUE_DEPTH_CACHE_MS = 5_000;

export interface GatewayOptions {
  config: Config;
  connection: Connection;
  box: SecretBox;
  log: Logger;
  /** Defaults to the configured brain (src/brain-setup.ts). */
  brain?: Brain;
  /** Override for tests that drive adapters against local peers. */
  fetch?: typeof fetch;
  clock?: () => Date;
  random?: () => number;
  /** WhatsApp Web clients (tests inject one with the library's events; the real one needs web.whatsapp.com). */
  whatsappWebClient?: WaWebClientFactory;
  /** The embedded store `connection` talks to, if any: its JVM's exits and restarts tell `/health` and the routes. */
  embedded?: EmbeddedMongo;
}

export interface Gateway {
  deps: GatewayDeps;
  /** Console users, sessions, tokens and the audit trail. */
  access: Access;
  store: Store;
  server: Server;
  processors: ConversationProcessor[];
  deliverers: Deliverer[];
  desk: DeskService;
  deskDeliverer: DeskDeliverer;
  /** Whether the store is reachable; routes answer 503 store_unavailable while it is not. */
  availability: StoreAvailability;
  /** Keeps stateful platform connections (Discord gateway, Slack Socket Mode) open in exactly one process. */
  connections: ConnectionHost;
  /** Pushes replies waiting for a web chat visitor connected to this process (run by the workers; tests tick it). */
  webchatPending: WebchatPendingSweep;
  /** Change streams that wake the console's long polls, when the store has them. */
  storeChanges: StoreChanges;
  /** Reporting events, outcome rows, daily rollups and the figures read from them. */
  reporting: Reporting;
  /** This gateway's Prometheus registry (one per gateway, never prom-client's global one). */
  metrics: GatewayMetrics;
  /** Builds the enabled channels' adapters now, not on their first request (`listen` does this first). */
  warmAdapters(): Promise<void>;
  /** Binds `config.PORT` on `config.HOST` (0 picks a free port) and starts the workers. */
  listen(): Promise<string>;
  startWorkers(): void;
  stop(): Promise<void>;
}

/**
 * Wires store, adapters, brain and workers. Every process is stateless apart from its live sockets: all work
 * state is in MongoDB, so more processes on the same cluster means more throughput.
 */
export async function createGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, log } = options;
  const clock = options.clock ?? (() => new Date());
  // The reports hear every counted transition from the store's repositories as it happens.
  const reporting = openReporting(options.connection, reportSettingsOf(config), clock, log);
  const store = await openStore(options.connection, options.box, { report: reporting.sink });
  const availability = new StoreAvailability(options.connection, log, options.embedded);
  const parts = options.brain ? undefined : await createConfiguredBrainParts(config, log, options.connection, clock);
  const brain = options.brain ?? parts!.brain;
  const access = await openAccess(options.connection, sessionPolicyOf(config), clock);
  const hub = new WebchatHub();
  /** WhatsApp Web sessions this process holds: their replies can only leave from here. */
  const waWebSessions = new WaWebSessions();
  const registry = new AdapterRegistry({
    api: (channel) => createApiAdapter(channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS, clock, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    webchat: (channel) => createWebchatAdapter(channel, hub, clock),
    slack: (channel) => createSlackAdapter(channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS, clock }),
    teams: (channel) => createTeamsAdapter(channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS, clock }),
    discord: (channel) => createDiscordAdapter(channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS, clock }),
    email: (channel) => createEmailAdapter(channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS }),
    telegram: (channel) => createTelegramAdapter(channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS, clock, ...(options.fetch ? { fetch: options.fetch } : {}) }),
    whatsapp: (channel) =>
      usesWhatsAppWeb(channel) ? createWhatsAppWebAdapter(channel, waWebSessions) : createWhatsAppAdapter(channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS, clock }),
    messenger: (channel) => createMessengerAdapter('messenger', channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS, clock }),
    instagram: (channel) => createMessengerAdapter('instagram', channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS, clock }),
  });

  const processorLoops: LeaseLoop[] = [];
  const deliveryLoops: LeaseLoop[] = [];
  const ingestor = new Ingestor(store, log, wakeOne(processorLoops), clock);
  const processId = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

  // Customer replies and desk posts share the outbox rules: a lease longer than a send may take, the same retries.
  const outbox = {
    leaseMs: Math.max(config.LEASE_MS, config.DELIVERY_TIMEOUT_MS * 3),
    maxAttempts: config.DELIVERY_MAX_ATTEMPTS,
    baseDelayMs: config.DELIVERY_BASE_DELAY_MS,
    maxDelayMs: config.DELIVERY_MAX_DELAY_MS,
  };

  // The people side: desks (Slack / Teams channels with `settings.desk`) get escalation threads and send agents' replies.
  const deskLoops: LeaseLoop[] = [];
  const surfaces = new DeskSurfaces({
    slack: (channel) => createSlackDesk(channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS }),
    teams: (channel) => createTeamsDesk(channel, { timeoutMs: config.DELIVERY_TIMEOUT_MS, clock }),
  });
  // Agents open customers' files from desk threads through signed, expiring links (no admin token in Slack).
  const mediaLinks = new MediaLinks(options.box.deriveKey('media-links'), config.MEDIA_LINK_TTL_HOURS * 3_600_000, config.PUBLIC_URL);
  const desk = new DeskService(
    store,
    surfaces,
    new AgentAssist(brain, log, config.BRAIN_MAX_CHARS),
    {
      notePrefix: config.DESK_NOTE_PREFIX,
      csatOnResolve: config.CSAT_ON_RESOLVE,
      ...(config.AGENT_ALIAS ? { agentAlias: config.AGENT_ALIAS } : {}),
      mediaLink: (messageId, index, now) => mediaLinks.url({ messageId, index }, now),
    },
    log,
    clock,
    async () => wakeOne(deliveryLoops)(),
    wakeOne(deskLoops),
  );
  const deskDeliverer = new DeskDeliverer(
    store,
    surfaces,
    { ...outbox, owner: `${processId}:desk` },
    log,
    clock,
    options.random,
  );
  deskLoops.push(new LeaseLoop('desk', () => deskDeliverer.tick(), config.POLL_MS, log));
  if (config.DESK_SLA_MINUTES > 0) {
    // A scan, not a queue: it finds nothing most of the time, so it runs far less often than the workers poll.
    const slaMs = config.DESK_SLA_MINUTES * 60_000;
    const scan = async () => {
      await remindUnclaimed(store, { slaMs, now: clock(), queued: wakeOne(deskLoops) });
      return false;
    };
    deskLoops.push(new LeaseLoop('desk-sla', scan, config.POLL_MS * 20, log));
  }

  const inbound = new InboundRouter(ingestor, desk, new EmailThreader(store, clock), desk);

  const processors: ConversationProcessor[] = [];
  const deliverers: Deliverer[] = [];
  for (let i = 0; i < config.WORKERS; i++) {
    const deliverer = new Deliverer(
      store,
      registry,
      {
        ...outbox,
        owner: `${processId}:d${i}`,
        // The connection host is created below; these run only once workers start.
        sendsHere: (channel) => !usesWhatsAppWeb(channel) || connections.holds(channel.id),
        heldElsewhere: () => connections.heldElsewhere(usesWhatsAppWeb),
      },
      log,
      clock,
      options.random,
      desk,
    );
    const processor = new ConversationProcessor(
      store,
      brain,
      {
        owner: `${processId}:p${i}`,
        leaseMs: config.LEASE_MS,
        aiDisclosure: config.AI_DISCLOSURE,
        maxAttempts: config.PROCESS_MAX_ATTEMPTS,
        brainMaxChars: config.BRAIN_MAX_CHARS,
      },
      log,
      wakeOne(deliveryLoops),
      clock,
      config.INLINE_DELIVERY ? deliverer : undefined,
      desk,
    );
    processors.push(processor);
    deliverers.push(deliverer);
    processorLoops.push(new LeaseLoop(`processor-${i}`, () => processor.tick(), config.POLL_MS, log));
    deliveryLoops.push(new LeaseLoop(`deliverer-${i}`, () => deliverer.tick(), config.POLL_MS, log));
  }

  // The brain's live routing; a gateway with an injected brain (tests, tools) still shows and stores the rules.
  const routing = parts?.routing ?? (await LiveRouting.open(options.connection, config.ROUTING_FILE, { checkEveryMs: config.KNOWLEDGE_REFRESH_MS, log }));
  const intents = parts?.intents ?? (await LiveIntents.open(options.connection, config.INTENTS_DIR, { checkEveryMs: config.KNOWLEDGE_REFRESH_MS, log }));
  const knowledgeAdmin = new KnowledgeAdmin(options.connection, brain, {
    embedder: parts?.embedder,
    passages: parts?.passages,
    knowledgeDir: config.KNOWLEDGE_DIR,
    baseUrl: config.KNOWLEDGE_BASE_URL ?? (config.PUBLIC_URL ? `${config.PUBLIC_URL}/help` : undefined),
    clock,
    processId,
  });
  const limits = new RateLimits(options.connection, limitSpecs(config), log);
  // What the inbox and a conversation show; their long polls wake on these collections' change streams if any.
  const storeChanges = new StoreChanges(options.connection, ['conversations', 'messages', 'contacts', 'console_presence'], log);
  const consoleSide = consoleRoutes({
    store,
    access,
    desk,
    knowledge: knowledgeAdmin,
    limits,
    log,
    clock,
    sessionPolicy: sessionPolicyOf(config),
    routing,
    intents,
    teams: () => routing.teams(),
    slaMinutes: config.DESK_SLA_MINUTES,
    publicConfig: { PUBLIC_URL: config.PUBLIC_URL, PORT: config.PORT },
    mediaLinks,
    adminToken: config.ADMIN_TOKEN,
    maxJsonBytes: config.MAX_BODY_BYTES,
    livePollMs: Math.max(50, Math.min(config.POLL_MS * 5, 250)),
    liveWaitMs: 20_000,
    changes: storeChanges,
    reporting,
    embedder: parts?.embedder,
  });
  // Expired console sessions and stale presence rows: TTL indexes do not run on the stand-in, so a sweep does it.
  const consoleLoops = [
    // Outcomes whose time has come (an answered customer who stayed away; durability) and dirty days' rollups.
    // Every REPORT_ROLLUP_SECONDS: a busy day is rebuilt from its outcome rows at most that often (a day's rows are
    // a range read, which the stand-in answers by scanning).
    new LeaseLoop('reporting', () => reporting.tick(), config.REPORT_ROLLUP_SECONDS * 1_000, log),
    new LeaseLoop(
      'console-sweep',
      async () => {
        const now = clock();
        await access.sessions.sweep(now);
        await access.models.Presence.deleteMany({ seenAt: { $lt: new Date(now.getTime() - 10 * 60_000) } });
        return false;
      },
      60_000,
      log,
    ),
  ];

  const metrics = new GatewayMetrics();
  const queueDepth = new QueueDepth(store.models, metrics, {
    cacheMs: QUEUE_DEPTH_CACHE_MS,
    timeoutMs: HEALTH_PING_TIMEOUT_MS,
    storeAvailable: () => availability.current.available,
    log,
  });
  metrics.beforeScrape(() => queueDepth.refresh());
  let workersStarted = false;
  const workerLoops = () => [...processorLoops, ...deliveryLoops, ...deskLoops, ...webchatLoops, ...consoleLoops];

  const deps: GatewayDeps = {
    metrics,
    metricsToken: config.METRICS_TOKEN,
    // The connection host is created below; /ready runs only once requests arrive.
    readiness: () =>
      checkReadiness({
        workersStarted: () => workersStarted,
        loops: () => workerLoops().map((l) => ({ name: l.name, running: l.isRunning })),
        requiredConnections: () => connections.required(),
        leases: store.leases,
        clock,
      }),
    store,
    registry,
    ingestor,
    hub,
    inbound,
    log,
    maxBodyBytes: config.MAX_BODY_BYTES,
    maxWebhookEvents: config.WEBHOOK_MAX_EVENTS,
    adminToken: config.ADMIN_TOKEN,
    limits,
    console: consoleSide,
    trustProxy: config.TRUST_PROXY,
    clientIp: clientIpResolver(config.TRUST_PROXY),
    mediaLinks,
    clock,
    storeReady: async () => {
      try {
        // Bounded: a health check must answer before the prober gives up, whatever the driver's server selection.
        await options.connection.db!.admin().command({ ping: 1 }, { timeoutMS: HEALTH_PING_TIMEOUT_MS });
        return true;
      } catch {
        return false;
      }
    },
    storeState: () => availability.current,
  };
  // Events arriving over a platform connection take the same path as webhooks: ingest persists them.
  const connections = new ConnectionHost(
    store,
    inbound,
    {
      owner: processId,
      leaseMs: config.CONNECTION_LEASE_MS,
      // Discord's gateway and WhatsApp Web cannot redeliver: what the store refuses is held on local disk meanwhile.
      spool: { dir: join(config.DATA_DIR, 'spool'), kinds: ['discord', 'whatsapp'] },
      factories: {
        discord: (channel, onEvent) =>
          createDiscordConnection(channel, onEvent, { timeoutMs: config.DELIVERY_TIMEOUT_MS, readyTimeoutMs: Math.max(5_000, config.CONNECTION_LEASE_MS), log }),
        // Slack Socket Mode (`settings.socketMode`, secret `appToken`): acked only after the events are stored.
        slack: (channel, onEvent) =>
          createSlackSocketConnection(channel, onEvent, { timeoutMs: config.DELIVERY_TIMEOUT_MS, readyTimeoutMs: Math.max(5_000, config.CONNECTION_LEASE_MS), log }),
        // Email: IMAP intake (one IDLE client per mailbox), read position in mail_cursors, attachments stored apart.
        email: (channel, onEvent) =>
          createImapConnection(channel, onEvent, {
            cursors: store.mailCursors,
            saveAttachments: (channelId, externalId, attachments) => store.attachments.saveAll(channelId, externalId, attachments),
            timeoutMs: Math.max(5_000, config.DELIVERY_TIMEOUT_MS),
            pollMs: config.IMAP_POLL_MS,
            log,
          }),
        // WhatsApp on a linked phone (`settings.driver: "web"`): one headless Chromium, held by one process.
        whatsapp: (channel, onEvent) =>
          createWaWebConnection(channel, onEvent, {
            createClient: options.whatsappWebClient ?? createRealWaWebClient,
            sessions: waWebSessions,
            dataPath: config.WHATSAPP_WEB_DATA_DIR ?? join(config.DATA_DIR, 'whatsapp-web'),
            executablePath: config.CHROMIUM_PATH,
            // 'status' on the host once stored: operators' tooling and tests follow the session through it.
            report: async (channelId, status) => {
              await store.connectionStatus.report(channelId, processId, status);
              connections.emit('status', channelId, status);
            },
            saveMedia: (channelId, externalId, media) => store.attachments.saveAll(channelId, externalId, [{ index: 0, ...media }]),
            ...(config.WHATSAPP_WEB_PRINT_QR ? { printQr: printQrToTerminal } : {}),
            onReady: (channelId) => {
              store.jobs
                .wakeChannel(channelId, clock())
                .then((woken) => woken > 0 && wakeOne(deliveryLoops)())
                .catch((err: unknown) => log.warn({ err, channel: channelId }, 'waiting deliveries not woken'));
            },
            log,
          }),
      },
      // Slack channels on the Events API (webhooks) and WhatsApp on the Cloud API hold no connection.
      needsConnection: (channel) => (channel.kind === 'slack' ? slackUsesSocketMode(channel) : channel.kind === 'whatsapp' ? usesWhatsAppWeb(channel) : true),
    },
    log,
    clock,
  );
  const server = createServer(createApp(deps));
  // Slow clients must not hold sockets forever; webhooks are small.
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  const wss = attachWebchatSocket(server, deps);
  // A reply delivered by a process its visitor is not connected to is pushed by the one they are connected to.
  const pendingSweep = new WebchatPendingSweep(store, hub, log, clock);
  const webchatLoops = [new LeaseLoop('webchat-pending', () => pendingSweep.tick(), config.POLL_MS * 5, log)];

  // Adapters of the configured channels are built before the first request can arrive (see AdapterRegistry.warm).
  const warmAdapters = async () => {
    const enabled = (await store.channels.list()).filter((c) => c.enabled);
    registry.warm(enabled, (channel, err) => log.warn({ err, channel: channel.id }, 'channel adapter could not be built; its requests will fail until it is fixed'));
  };

  observePipeline(metrics, { ingestor, processors, deliverers, connections, clock });

  const startWorkers = () => {
    if (workersStarted) return;
    workersStarted = true;
    workerLoops().forEach((l) => l.start());
    connections.start();
  };

  return {
    deps,
    access,
    store,
    server,
    processors,
    deliverers,
    desk,
    deskDeliverer,
    availability,
    connections,
    webchatPending: pendingSweep,
    storeChanges,
    reporting,
    metrics,
    startWorkers,
    warmAdapters,
    async listen() {
      await warmAdapters();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.PORT, config.HOST, () => resolve());
      });
      startWorkers();
      const { port } = server.address() as AddressInfo;
      const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? 'localhost' : config.HOST;
      return `http://${host}:${port}`;
    },
    async stop() {
      // First: no more inbound events, and the leases are released so another process connects at once.
      await connections.stop();
      await Promise.all(workerLoops().map((l) => l.stop()));
      for (const client of wss.clients) client.terminate();
      wss.close();
      if (server.listening) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      availability.close();
      await storeChanges.close();
    },
  };
}
