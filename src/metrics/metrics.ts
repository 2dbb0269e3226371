import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The gateway's Prometheus metrics, on a registry of its own: tests run several gateways in one process, and
 * prom-client's global registry would mix their counters (and refuse a second metric of the same name).
 *
 * Label policy: only values an operator configures or the code enumerates (channel kind and id, team, escalation
 * reason, outcome). Never a conversation, contact or message id: one series per customer would grow without
 * bound and put personal data in the monitoring system (test/ops/metrics.test.ts checks it after traffic).
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  /** Every `/webhooks/<channel>` request, by how it ended (see `WebhookOutcome`). */
  readonly webhookRequests = new Counter({
    name: 'switchboard_webhook_requests_total',
    help: 'Webhook requests received, by channel and outcome (accepted, duplicate, handshake, rejected, invalid, error)',
    labelNames: ['channel_kind', 'channel_id', 'outcome'] as const,
    registers: [this.registry],
  });

  /** New inbound customer messages written to the store, whatever brought them (webhook, API, socket, connection). */
  readonly inboundMessages = new Counter({
    name: 'switchboard_inbound_messages_total',
    help: 'Inbound messages stored (redeliveries of a stored message are not counted)',
    labelNames: ['channel_kind', 'channel_id'] as const,
    registers: [this.registry],
  });

  readonly deliveries = new Counter({
    name: 'switchboard_deliveries_total',
    help: 'Outbound delivery attempts by outcome: sent, failed (will be retried), dead_lettered (given up, error stored on the message)',
    labelNames: ['channel_kind', 'channel_id', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly processingSeconds = new Histogram({
    name: 'switchboard_processing_duration_seconds',
    help: 'From an inbound message being stored to the brain\'s decision on it being recorded',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  readonly deliverySeconds = new Histogram({
    name: 'switchboard_delivery_duration_seconds',
    help: 'From an outbound message being queued to the channel accepting it',
    labelNames: ['channel_kind'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [this.registry],
  });

  readonly brainSeconds = new Histogram({
    name: 'switchboard_brain_duration_seconds',
    help: 'Time the brain took to decide on one message',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly brainDecisions = new Counter({
    name: 'switchboard_brain_decisions_total',
    help: 'The brain\'s decisions by outcome (answer, clarify, escalate) and, for escalations, reason ("none" otherwise)',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly escalations = new Counter({
    name: 'switchboard_escalations_total',
    help: 'Conversations handed to people, by reason and team (processing_error: the pipeline gave up on a message)',
    labelNames: ['reason', 'team'] as const,
    registers: [this.registry],
  });

  /**
   * Filled at scrape time by `QueueDepth` (src/metrics/queue-depth.ts): cluster-wide figures read from MongoDB.
   * `queue`: process (conversations with inbound messages not yet processed), delivery (outbound messages waiting
   * for (re)delivery), dead_letter (outbound messages whose delivery failed for good).
   */
  readonly queueDepth = new Gauge({
    name: 'switchboard_queue_depth',
    help: 'Work waiting in MongoDB, cluster-wide (every process reports the same figure: aggregate with max())',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  readonly storeReachable = new Gauge({ name: 'switchboard_store_reachable', help: '1 when this process reaches the store (its last queue-depth read succeeded), 0 otherwise', registers: [this.registry] });

  readonly connectionHeld = new Gauge({
    name: 'switchboard_connection_held',
    help: 'Stateful connections (Discord gateway, Slack Socket Mode, IMAP, WhatsApp Web): 1 when this process holds it, 0 when it does not',
    labelNames: ['channel_kind', 'channel_id'] as const,
    registers: [this.registry],
  });

  private readonly scrapeHooks: (() => Promise<void> | void)[] = [];

  /** Runs `hook` before every scrape: gauges that are read, not counted (queue depth, connection state). */
  beforeScrape(hook: () => Promise<void> | void): void {
    this.scrapeHooks.push(hook);
  }

  /** The Prometheus text of this gateway's metrics followed by the process's own (CPU, memory, event loop, GC). */
  async text(): Promise<string> {
    await Promise.all(this.scrapeHooks.map((hook) => hook()));
    const [own, processWide] = await Promise.all([this.registry.metrics(), processRegistry().metrics()]);
    return `${own}\n${processWide}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

let processMetrics: Registry | undefined;

/**
 * Node's default metrics describe the process, not a gateway: collected once per process into a registry of their
 * own (collectDefaultMetrics per gateway would install a GC observer and event-loop monitor each time).
 */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}
