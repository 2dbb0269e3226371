import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Part } from '../../adapters/types';
import type { Store } from '../../conversations';
import type { ConversationRecord, MessageRecord } from '../../conversations/types';
import type { Brain, Decision } from '../brain/types';

export interface ProcessorOptions {
  /** Identifies this worker in leases (host:pid:n). */
  owner: string;
  leaseMs: number;
  /** Shown once, above the first bot reply of a conversation. Empty: no disclosure. */
  aiDisclosure: string;
  /** Processing attempts for one message before it is handed to people with the error recorded. */
  maxAttempts?: number;
  batchSize?: number;
}

/**
 * Turns stored inbound messages into decisions and queued replies, one conversation at a time.
 *
 * Crash safety comes from the write order: the reply is queued under a key derived from the inbound message
 * (so a re-run collides with it instead of repeating it), then conversation state, then the message is marked
 * done. A worker that dies anywhere in between leaves the conversation `pending`; when its lease expires the
 * next worker re-runs the message and produces nothing twice.
 *
 * Events (observability, and the seams crash tests use): `claimed`, `queued`, `processed`, `failed`.
 */
export class ConversationProcessor extends EventEmitter {
  private readonly maxAttempts: number;
  private readonly batchSize: number;

  constructor(
    private readonly store: Store,
    private readonly brain: Brain,
    private readonly options: ProcessorOptions,
    private readonly log: Logger,
    private readonly onQueued: () => void = () => {},
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
    this.maxAttempts = options.maxAttempts ?? 5;
    this.batchSize = options.batchSize ?? 20;
  }

  /** Claims and processes one conversation. Resolves false when there was nothing to do. */
  async tick(): Promise<boolean> {
    const claimedAt = this.clock();
    const conversation = await this.store.conversations.claimPending(this.options.owner, this.options.leaseMs, claimedAt);
    if (!conversation) return false;
    this.emit('claimed', conversation);
    const batch = await this.store.messages.pendingInbound(conversation._id, this.batchSize);
    let current = conversation;
    let leaseStart = claimedAt.getTime();
    for (const message of batch) {
      if (this.clock().getTime() - leaseStart > this.options.leaseMs / 2) {
        const now = this.clock();
        if (!(await this.store.conversations.extendLease(conversation._id, this.options.owner, this.options.leaseMs, now))) {
          this.log.warn({ conversation: String(conversation._id) }, 'lease lost mid-batch; another worker takes over');
          return true;
        }
        leaseStart = now.getTime();
      }
      try {
        current = await this.handle(current, message);
      } catch (err) {
        await this.recordFailure(current, message, err);
        return true;
      }
    }
    await this.store.conversations.release(conversation._id, this.options.owner, batch.length < this.batchSize ? conversation.pendingVersion : -1);
    return true;
  }

  private async handle(conversation: ConversationRecord, message: MessageRecord): Promise<ConversationRecord> {
    const now = this.clock();
    if (conversation.status !== 'bot') {
      // A person owns (or is about to own) this conversation: the bot stays silent; agents see the message.
      await this.store.messages.markProcessed(message._id, `silent:${conversation.status}`, { decision: 'silent' }, now);
      this.emit('processed', message, undefined);
      return conversation;
    }
    const [contact, history] = await Promise.all([
      this.store.contacts.get(message.contactId),
      this.store.messages.history(conversation._id, 12),
    ]);
    const decision = await this.brain.decide({
      text: message.text,
      ...(message.actionValue !== undefined ? { actionValue: message.actionValue } : {}),
      channelKind: conversation.channelKind,
      contact: {
        aiOptOut: contact?.aiOptOut ?? false,
        vip: contact?.vip ?? false,
        ...(contact?.displayName ? { displayName: contact.displayName } : {}),
      },
      conversation: { status: conversation.status, unhelpfulTurns: conversation.unhelpfulTurns },
      history: history.filter((h) => !h._id.equals(message._id)).map((h) => ({ author: h.author.kind, text: h.text })),
    });

    const isFirstReply = !conversation.firstResponseAt && !history.some((h) => h.direction === 'outbound');
    const queued = await this.store.messages.queueOutbound({
      conversationId: conversation._id,
      contactId: message.contactId,
      channelId: conversation.channelId,
      author: { kind: 'bot' },
      parts: this.replyParts(decision, isFirstReply),
      citations: decision.kind === 'answer' ? decision.citations : [],
      dedupeKey: `reply:${String(message._id)}`,
      replyTo: message._id,
      annotations: decision.annotations,
      now,
    });
    if (queued) {
      this.emit('queued', message, queued);
      this.onQueued();
    }

    let next = conversation;
    if (decision.kind === 'escalate') {
      await this.store.conversations.escalate(
        conversation._id,
        { reason: decision.reason, team: decision.team, priority: decision.priority },
        decision.annotations,
      );
      next = { ...conversation, status: 'pending', team: decision.team, priority: decision.priority, escalationReason: decision.reason };
    }
    await this.store.messages.markProcessed(message._id, decision.kind, decision.annotations, now);
    if (decision.kind !== 'escalate') {
      const unhelpful = decision.kind === 'clarify' && decision.annotations.reason === 'low_confidence';
      await this.store.conversations.recordAnalysis(conversation._id, decision.annotations, unhelpful);
      next = { ...next, unhelpfulTurns: unhelpful ? conversation.unhelpfulTurns + 1 : 0, latest: decision.annotations };
    }
    this.emit('processed', message, decision);
    return next;
  }

  private replyParts(decision: Decision, isFirstReply: boolean): Part[] {
    const text = isFirstReply && this.options.aiDisclosure ? `${this.options.aiDisclosure}\n\n${decision.text}` : decision.text;
    const parts: Part[] = [{ type: 'text', text }];
    const choices = decision.kind === 'escalate' ? undefined : decision.choices;
    if (choices?.length) parts.push({ type: 'choices', choices });
    return parts;
  }

  /**
   * A failing brain or store must not wedge the conversation: the lease is kept for a back-off period (so the
   * message is retried later, not in a hot loop), the error is stored on the message, and after `maxAttempts`
   * the conversation goes to people with the reason recorded.
   */
  private async recordFailure(conversation: ConversationRecord, message: MessageRecord, err: unknown): Promise<void> {
    const errorText = err instanceof Error ? err.message : String(err);
    const attempts = ((await this.store.models.Message.findOneAndUpdate(
      { _id: message._id },
      { $inc: { 'processing.attempts': 1 }, $set: { 'processing.lastError': errorText } },
      { returnDocument: 'after', lean: true, strict: false },
    )) as unknown as { processing?: { attempts?: number } } | null)?.processing?.attempts ?? 1;
    this.log.error({ err, conversation: String(conversation._id), message: String(message._id), attempts }, 'processing failed');
    this.emit('failed', message, err);
    const now = this.clock();
    if (attempts >= this.maxAttempts) {
      await this.store.conversations.escalate(conversation._id, { reason: 'processing_error', team: conversation.team ?? 'support', priority: 'high' }, { reason: 'processing_error' });
      await this.store.messages.markProcessed(message._id, 'error', { decision: 'escalate', reason: 'processing_error' }, now);
      await this.store.conversations.release(conversation._id, this.options.owner, -1);
      return;
    }
    const backoffMs = Math.min(1000 * 2 ** attempts, 60_000);
    await this.store.conversations.extendLease(conversation._id, this.options.owner, backoffMs, now);
  }
}
