import type { ChannelKind } from '../../adapters/types';
import type { MessageRecord } from '../../conversations/types';
import type { ConnectionHost } from '../connections';
import type { Decision } from '../brain/types';
import type { Deliverer } from '../pipeline/deliverer';
import type { IngestResult, Ingestor } from '../pipeline/ingest';
import type { ConversationProcessor } from '../pipeline/processor';
import type { GatewayMetrics } from './metrics';

export interface PipelineParts {
  ingestor: Ingestor;
  processors: ConversationProcessor[];
  deliverers: Deliverer[];
  connections: ConnectionHost;
  /** The gateway's clock, which stamped `receivedAt`: latencies measured from it are measured with it. */
  clock: () => Date;
}

/**
 * Counts what the pipeline does from the events it already emits (the same seams tests use), so the pipeline
 * itself knows nothing about Prometheus. Each process counts its own work; Prometheus sums across processes.
 */
export function observePipeline(metrics: GatewayMetrics, parts: PipelineParts): void {
  const sinceSeconds = (from: Date) => Math.max(0, (parts.clock().getTime() - from.getTime()) / 1000);

  parts.ingestor.on('ingested', (_event: unknown, result: IngestResult, channel: { id: string; kind: ChannelKind }) => {
    if (result.kind === 'message' && !result.duplicate) metrics.inboundMessages.inc({ channel_kind: channel.kind, channel_id: channel.id });
  });

  for (const processor of parts.processors) {
    processor.on('decided', (decision: Decision, ms: number) => {
      metrics.brainSeconds.observe(ms / 1000);
      metrics.brainDecisions.inc({ outcome: decision.kind, reason: decision.kind === 'escalate' ? decision.reason : 'none' });
    });
    // Silent turns (a person owns the conversation, an auto-reply) have no decision and are not a brain latency.
    processor.on('processed', (message: MessageRecord, decision: Decision | undefined) => {
      if (decision) metrics.processingSeconds.observe(sinceSeconds(message.receivedAt));
    });
    processor.on('escalated', (escalation: { reason: string; team: string }) => metrics.escalations.inc(escalation));
  }

  for (const deliverer of parts.deliverers) {
    const labels = (message: MessageRecord, kind: ChannelKind | undefined) => ({ channel_kind: kind ?? 'unknown', channel_id: message.channelId });
    deliverer.on('sent', (message: MessageRecord, _status: string, kind: ChannelKind) => {
      metrics.deliveries.inc({ ...labels(message, kind), outcome: 'sent' });
      // An outbound message's `receivedAt` is when it was queued.
      metrics.deliverySeconds.observe({ channel_kind: kind }, sinceSeconds(message.receivedAt));
    });
    deliverer.on('retry', (message: MessageRecord, _error: unknown, _delayMs: number, kind: ChannelKind) => metrics.deliveries.inc({ ...labels(message, kind), outcome: 'failed' }));
    deliverer.on('failed', (message: MessageRecord, _error: unknown, kind: ChannelKind | undefined) => metrics.deliveries.inc({ ...labels(message, kind), outcome: 'dead_lettered' }));
  }

  // Per process: which connections this one holds. A channel held nowhere shows 0 in every process (max() == 0).
  metrics.beforeScrape(() => {
    metrics.connectionHeld.reset();
    for (const state of parts.connections.states()) metrics.connectionHeld.set({ channel_kind: state.kind, channel_id: state.channelId }, state.held ? 1 : 0);
  });
}
