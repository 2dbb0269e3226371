import type { MessageRecord } from '../../conversations/types';
import type { Decision } from '../brain/types';
import type { Deliverer } from '../pipeline/deliverer';
import type { IngestResult, Ingestor } from '../pipeline/ingest';
import type { ConversationProcessor } from '../pipeline/processor';
import type { SignalRecorder } from './signals';

/** A message counts as upset when the brain read it as negative or its frustration reached this (docs/alerts.md). */
export const UPSET_FRUSTRATION = 0.5;

/**
 * Platform codes that mean "our credentials are refused" (the error's code is `<adapter code>:<platform code>`,
 * src/pipeline/backoff.ts): Slack's auth errors, HTTP 401/403 from any platform, Meta's OAuth error 190, SMTP
 * authentication. A channel whose sends fail this way is down for customers however healthy the gateway is.
 */
const AUTH_CODES = new Set(['invalid_auth', 'not_authed', 'token_revoked', 'token_expired', 'account_inactive', 'http_401', 'http_403', 'meta_190', 'eauth', 'smtp_535', 'token']);

export function isAuthFailure(error: { code?: string } | undefined): boolean {
  const platform = error?.code?.split(':')[1];
  return platform !== undefined && AUTH_CODES.has(platform.toLowerCase());
}

export function isUpset(decision: Pick<Decision, 'annotations'>): boolean {
  const { sentiment, frustration } = decision.annotations;
  return sentiment === 'negative' || (frustration ?? 0) >= UPSET_FRUSTRATION;
}

/** Counts what alert rules look at from the pipeline's events (the same seams the metrics use). */
export function observeForAlerts(signals: SignalRecorder, parts: { ingestor: Ingestor; processors: ConversationProcessor[]; deliverers: Deliverer[] }): void {
  parts.ingestor.on('ingested', (_event: unknown, result: IngestResult, channel: { id: string }) => {
    if (result.kind === 'message' && !result.duplicate) signals.count(channel.id, 'inbound');
  });
  for (const processor of parts.processors) {
    processor.on('processed', (message: MessageRecord, decision: Decision | undefined) => {
      if (!decision) return;
      signals.count(message.channelId, 'messages');
      if (isUpset(decision)) signals.count(message.channelId, 'upset');
    });
    processor.on('failed', (message: MessageRecord) => signals.count(message.channelId, 'processingFailed'));
  }
  for (const deliverer of parts.deliverers) {
    deliverer.on('retry', (message: MessageRecord, error: { code?: string }) => {
      signals.count(message.channelId, 'deliveryFailed');
      if (isAuthFailure(error)) signals.count(message.channelId, 'authFailed');
    });
    deliverer.on('failed', (message: MessageRecord, error: { code?: string }) => {
      signals.count(message.channelId, 'deadLettered');
      if (isAuthFailure(error)) signals.count(message.channelId, 'authFailed');
    });
  }
}
