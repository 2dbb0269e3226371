import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { AdapterRegistry } from '../../adapters/registry';
import { render } from '../../adapters/render';
import type { ChannelInstance } from '../../adapters/types';
import type { Store } from '../../conversations';
import { fromStoredAddress } from '../../conversations/conversations';
import type { JobRecord } from '../../conversations/jobs';
import type { ConversationRecord, MessageRecord } from '../../conversations/types';
import { afterFailure, type RetryPolicy } from './backoff';

export interface DelivererOptions extends RetryPolicy {
  owner: string;
  leaseMs: number;
  /**
   * Channels whose replies can leave only from the process holding their session (WhatsApp Web): false for those
   * held elsewhere. Such a delivery is handed back without counting an attempt. Default: every channel sends here.
   */
  sendsHere?: (channel: ChannelInstance) => boolean;
  /** Channel ids not to claim at all, because another process holds their session (the same rule, as a query). */
  heldElsewhere?: () => string[];
}

/**
 * Told how an agent's reply ended when the customer did not get it as written: failed for good, or replaced by
 * what a platform rule allows (a template). Called before the outcome is recorded, so a crash in between repeats
 * the call on the re-run; implementations are idempotent per message (the desk keys its notice by message id).
 */
export interface AgentReplyListener {
  agentReplyOutcome(message: MessageRecord, outcome: { failed: { code: string; message: string } } | { substitute: { code: string; description: string } }, now: Date): Promise<void>;
}

/** A delivery handed back for the process holding the channel's session is due again at once, for that process. */
const HAND_BACK_MS = 50;

/**
 * Sends queued outbound messages through their channel's adapter: renders for the channel's capabilities, keeps
 * replies of one conversation in order, retries what may succeed later (exponential backoff with jitter, at least
 * the platform's Retry-After), and dead-letters the rest with the error stored on the message.
 *
 * Events: `sent` (message, status: `queued` when nobody took it yet, see `awaitingRecipient`), `retry` (message, error, delayMs), `failed` (message, error), `handed-back`
 * (message: left for the process that holds the channel's session). `sent`, `retry` and `failed` end with the
 * channel's kind (undefined when the channel is gone), so observers (src/metrics) need no read to label them.
 */
export class Deliverer extends EventEmitter {
  // Channel settings change rarely; a short TTL lets admins' edits through without a read per delivery.
  private readonly channelCache: LRUCache<string, ChannelInstance>;

  constructor(
    private readonly store: Store,
    private readonly registry: AdapterRegistry,
    private readonly options: DelivererOptions,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
    private readonly agentReplies?: AgentReplyListener,
  ) {
    super();
    // On the gateway's clock, so a test that moves time sees an admin's edit as production would after 5 s.
    this.channelCache = new LRUCache<string, ChannelInstance>({ max: 1_000, ttl: 5_000, perf: { now: () => this.clock().getTime() } });
  }

  async tick(): Promise<boolean> {
    const now = this.clock();
    const job = await this.store.jobs.claim('deliver', this.options.owner, this.options.leaseMs, now, this.options.heldElsewhere?.() ?? []);
    if (!job) return false;
    if (await this.waitBehindEarlier(job, now)) return true;
    const [message, conversation] = await Promise.all([
      job.messageId ? this.store.messages.get(job.messageId) : null,
      this.store.conversations.get(job.conversationId),
    ]);
    if (!message || message.delivery?.status !== 'queued') {
      // Already handled (a receipt overtook the send, or a crash after the send was recorded).
      await this.store.jobs.complete(job._id, this.options.owner);
      return true;
    }
    await this.deliver(job, message, conversation, now);
    return true;
  }

  get owner(): string {
    return this.options.owner;
  }

  get leaseMs(): number {
    return this.options.leaseMs;
  }

  /**
   * The fast path: a job this deliverer already holds (created leased by the processor that wrote the reply) is
   * sent at once, unless an older reply of the conversation is still waiting, in which case it queues behind it.
   */
  async deliverHeld(job: JobRecord, message: MessageRecord, conversation: ConversationRecord): Promise<void> {
    const now = this.clock();
    if (await this.waitBehindEarlier(job, now)) return;
    await this.deliver(job, message, conversation, now);
  }

  /** Replies leave in the order they were written: a job behind an older, still waiting one (perhaps in back-off) is rescheduled after it. */
  private async waitBehindEarlier(job: JobRecord, now: Date): Promise<boolean> {
    const earlierDue = await this.store.jobs.earlierDelivery(job);
    if (!earlierDue) return false;
    await this.store.jobs.reschedule(job._id, this.options.owner, new Date(Math.max(now.getTime() + 20, earlierDue.getTime() + 1)));
    return true;
  }

  private async deliver(job: JobRecord, message: MessageRecord, conversation: ConversationRecord | null, now: Date): Promise<void> {
    const channel = await this.channel(message.channelId);
    if (!channel || !conversation) {
      const error = { code: 'channel_unavailable', message: `Channel ${message.channelId} is not configured or disabled` };
      await this.store.messages.markFailed(message._id, error, now);
      await this.store.jobs.complete(job._id, this.options.owner);
      this.emit('failed', message, error, conversation?.channelKind);
      return;
    }
    if (this.options.sendsHere && !this.options.sendsHere(channel)) {
      await this.store.jobs.reschedule(job._id, this.options.owner, new Date(now.getTime() + HAND_BACK_MS));
      this.emit('handed-back', message);
      return;
    }
    const delivery = message.delivery!;
    try {
      const adapter = this.registry.get(channel);
      const { messages: chunks, warnings } = render(
        {
          messageId: String(message._id),
          conversationId: String(message.conversationId),
          authorKind: message.author.kind === 'contact' ? 'system' : message.author.kind,
          parts: message.parts,
          citations: message.citations ?? [],
          ...(message.author.name ? { authorName: message.author.name } : {}),
        },
        adapter.capabilities,
      );
      if (warnings.length) this.log.debug({ message: String(message._id), warnings }, 'reply degraded for channel');
      const address = fromStoredAddress(conversation.address);
      const externalIds = [...delivery.externalIds];
      let status: 'sent' | 'delivered' = 'delivered';
      let substitute = delivery.substitute;
      let awaiting = false;
      for (let i = delivery.chunksSent; i < chunks.length; i++) {
        const receipt = await adapter.send(address, chunks[i]!);
        if (receipt.externalId) externalIds.push(receipt.externalId);
        if (receipt.status === 'sent') status = 'sent';
        if (receipt.awaitingRecipient) awaiting = true;
        substitute ??= receipt.substitute;
        // Only multi-chunk replies need their progress saved: a retry must not resend the chunks that made it.
        if (chunks.length > 1 && i < chunks.length - 1) await this.store.messages.recordChunkSent(message._id, receipt.externalId);
      }
      const sentAt = this.clock();
      if (substitute) await this.tellAgent(message, { substitute }, sentAt);
      if (awaiting) await this.store.messages.markAwaitingRecipient(message._id, externalIds);
      else await this.store.messages.markSent(message._id, status, sentAt, externalIds, substitute);
      await Promise.all([
        this.store.jobs.complete(job._id, this.options.owner),
        message.author.kind !== 'system' ? this.store.conversations.recordFirstResponse(conversation, sentAt) : undefined,
      ]);
      this.emit('sent', message, awaiting ? 'queued' : status, channel.kind);
    } catch (err) {
      await this.handleFailure(job, message, err, now, channel.kind);
    }
  }

  private async handleFailure(job: JobRecord, message: MessageRecord, err: unknown, now: Date, kind: ChannelInstance['kind']): Promise<void> {
    const attempt = (message.delivery?.attempts ?? 0) + 1;
    const outcome = afterFailure(err, attempt, this.options, this.random);
    const { error } = outcome;
    if (outcome.giveUp) {
      await this.tellAgent(message, { failed: error }, now);
      await this.store.messages.markFailed(message._id, error, now);
      await this.store.jobs.complete(job._id, this.options.owner);
      this.log.warn({ message: String(message._id), attempt, error }, 'delivery failed permanently');
      this.emit('failed', message, error, kind);
      return;
    }
    const nextAttemptAt = new Date(now.getTime() + outcome.delayMs);
    await this.store.messages.markRetry(message._id, error, nextAttemptAt, now);
    await this.store.jobs.reschedule(job._id, this.options.owner, nextAttemptAt);
    this.log.info({ message: String(message._id), attempt, delayMs: outcome.delayMs, error }, 'delivery will be retried');
    this.emit('retry', message, error, outcome.delayMs, kind);
  }

  /**
   * Tells the agent who wrote `message` that it did not reach the customer as written. A failure to tell is logged,
   * never thrown: it must not turn a send that happened into a retry that sends it again.
   */
  private async tellAgent(message: MessageRecord, outcome: Parameters<AgentReplyListener['agentReplyOutcome']>[1], now: Date): Promise<void> {
    if (message.author.kind !== 'agent' || !this.agentReplies) return;
    await this.agentReplies.agentReplyOutcome(message, outcome, now).catch((err: unknown) => this.log.warn({ err, message: String(message._id) }, 'agent not told how their reply ended'));
  }

  private async channel(id: string): Promise<ChannelInstance | undefined> {
    const cached = this.channelCache.get(id);
    if (cached) return cached;
    const channel = await this.store.channels.get(id);
    if (channel) this.channelCache.set(id, channel);
    return channel;
  }
}
