import type { ChannelInstance, InboundEvent, RawResponse } from '../../adapters/types';
import type { IngestResult, Ingestor } from './ingest';

/** Takes agents' events (a reply in an escalation thread, a card button, a command) before the customer pipeline. */
export interface DeskIntercept {
  intercept(channel: ChannelInstance, event: InboundEvent): Promise<{ response?: RawResponse } | undefined>;
}

/** Told when a platform reports, after the send, that a message of ours failed (a WhatsApp status webhook). */
export interface FailedReceiptListener {
  failedAfterSend(channel: ChannelInstance, event: Extract<InboundEvent, { kind: 'status' }>): Promise<void>;
}

export type InboundOutcome = { kind: 'desk'; response?: RawResponse } | IngestResult;

/**
 * Where every inbound event goes, whichever transport brought it (a webhook, a WebSocket frame, a gateway or
 * Socket Mode connection): the desk first, then the customer pipeline's ingest.
 */
export class InboundRouter {
  constructor(
    private readonly ingestor: Pick<Ingestor, 'ingest'>,
    private readonly desk?: DeskIntercept,
    /** Channel-specific addressing that needs the store (email threading): applied before ingest. */
    private readonly threader?: { thread(channel: ChannelInstance, event: InboundEvent): Promise<InboundEvent> },
    private readonly failedReceipts?: FailedReceiptListener,
  ) {}

  async ingest(channel: ChannelInstance, event: InboundEvent): Promise<InboundOutcome> {
    const taken = await this.desk?.intercept(channel, event);
    if (taken) return { kind: 'desk', ...(taken.response ? { response: taken.response } : {}) };
    const result = await this.ingestor.ingest(channel, this.threader ? await this.threader.thread(channel, event) : event);
    // Only the receipt that moved the message to failed reports it: a redelivered status finds it failed already.
    if (event.kind === 'status' && event.status === 'failed' && result.kind === 'status' && result.updated) {
      await this.failedReceipts?.failedAfterSend(channel, event);
    }
    return result;
  }
}
