import { Types } from 'mongoose';
import type { ReportSink } from './report-events';
import type { Citation, DeliveryStatus, Part } from '../adapters/types';
import { isDuplicateKey } from './errors';
import type { Models } from './models';
import type { Annotations, AnswerRating, AuthorKind, MessageRecord } from './types';

export function plainText(parts: Part[]): string {
  return parts
    .map((p) => {
      switch (p.type) {
        case 'text':
          return p.text;
        case 'media':
          return p.caption ?? `[${p.name ?? p.mimeType ?? 'attachment'}]`;
        case 'choices':
          return p.prompt ?? '';
        case 'card':
          return [p.title, p.text].filter(Boolean).join('\n');
        case 'location':
          return p.name ?? p.address ?? `${p.latitude},${p.longitude}`;
      }
    })
    .filter((t) => t.length > 0)
    .join('\n');
}

/** Delivery statuses only move forward; a late "delivered" webhook must not undo a "read". */
const STATUS_RANK: Record<DeliveryStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4 };

function ranksBelow(status: DeliveryStatus): DeliveryStatus[] {
  return (Object.keys(STATUS_RANK) as DeliveryStatus[]).filter((s) => STATUS_RANK[s] < STATUS_RANK[status]);
}

/** The `$set` of a receipt: the new status, when it happened, and a platform error for `failed`. */
function receiptUpdate(status: DeliveryStatus, at: Date, error?: { code: string; message: string }) {
  const field = status === 'delivered' ? 'deliveredAt' : status === 'read' ? 'readAt' : status === 'sent' ? 'sentAt' : undefined;
  return {
    $set: {
      'delivery.status': status,
      ...(field ? { [`delivery.${field}`]: at } : {}),
      ...(error ? { 'delivery.error': { ...error, retryable: false, at } } : {}),
    },
    // A receipt is the recipient taking it: no longer waiting for them.
    $unset: { 'delivery.awaitingRecipient': 1 },
  };
}

/** Inbound messages are unique per channel and platform id: the key a redelivery collides on. */
export function inboundDedupeKey(channelId: string, externalId: string): string {
  return `${channelId}:${externalId}`;
}

export interface InboundInput {
  conversationId: Types.ObjectId;
  contactId: Types.ObjectId;
  channelId: string;
  externalId: string;
  parts: Part[];
  actionValue?: string;
  authorName?: string;
  automated?: string;
  receivedAt: Date;
  /** The channel payload, serialised within its budget by `serializeRaw` (raw-budget.ts) before any write. */
  raw: string;
}

export interface OutboundInput {
  conversationId: Types.ObjectId;
  contactId: Types.ObjectId;
  channelId: string;
  author: { kind: AuthorKind; id?: string; name?: string };
  parts: Part[];
  citations?: Citation[];
  /** What produced this message (e.g. `reply:<inbound id>:0`): a re-run after a crash collides instead of repeating. */
  dedupeKey?: string;
  replyTo?: Types.ObjectId;
  annotations?: Annotations;
  now: Date;
}

export class MessageRepository {
  constructor(
    private readonly models: Models,
    /** Told of what the reports count (src/reporting), right after the write that made it. */
    private readonly report: ReportSink = async () => undefined,
  ) {}

  /** Stores an inbound message once; a redelivery returns the existing row with `duplicate: true`. */
  async insertInbound(input: InboundInput): Promise<{ message: MessageRecord; duplicate: boolean }> {
    const dedupeKey = inboundDedupeKey(input.channelId, input.externalId);
    try {
      const [doc] = await this.models.Message.insertMany([
        {
          conversationId: input.conversationId,
          contactId: input.contactId,
          channelId: input.channelId,
          direction: 'inbound',
          author: { kind: 'contact', ...(input.authorName ? { name: input.authorName } : {}) },
          parts: input.parts,
          text: plainText(input.parts),
          dedupeKey,
          externalId: input.externalId,
          ...(input.actionValue !== undefined ? { actionValue: input.actionValue } : {}),
          ...(input.automated ? { automated: input.automated } : {}),
          processing: { state: 'pending' },
          receivedAt: input.receivedAt,
          raw: input.raw,
        },
      ]);
      return { message: doc!.toObject() as MessageRecord, duplicate: false };
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      const existing = await this.models.Message.findOne({ dedupeKey }).lean<MessageRecord>();
      if (!existing) throw err;
      return { message: existing, duplicate: true };
    }
  }

  /** Inbound messages still awaiting the brain, in arrival order. */
  async pendingByIds(ids: Types.ObjectId[]): Promise<MessageRecord[]> {
    if (ids.length === 0) return [];
    // Filtered here, not in the query: `_id` plus another condition is a full scan on the embedded store.
    const rows = await this.models.Message.find({ _id: { $in: ids } }).lean<MessageRecord[]>();
    return rows
      .filter((m) => m.processing?.state === 'pending')
      .sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime() || String(a._id).localeCompare(String(b._id)));
  }

  /** The slow path, for a process job that lost its message ids in a crash: scans the conversation. */
  async pendingInbound(conversationId: Types.ObjectId, limit = 50): Promise<MessageRecord[]> {
    return this.models.Message.find({ conversationId, direction: 'inbound', 'processing.state': 'pending' })
      .sort({ receivedAt: -1, _id: -1 })
      .limit(limit)
      .lean<MessageRecord[]>();
  }

  async findByDedupeKey(dedupeKey: string): Promise<MessageRecord | null> {
    return this.models.Message.findOne({ dedupeKey }).lean<MessageRecord>();
  }

  async history(conversationId: Types.ObjectId, limit = 50): Promise<MessageRecord[]> {
    const rows = await this.models.Message.find({ conversationId }).sort({ receivedAt: -1, _id: -1 }).limit(limit).lean<MessageRecord[]>();
    return rows.reverse();
  }

  /**
   * Stores the customer's rating on the bot's last answer before the rating message (`before`), so a re-run after
   * a crash rates the same answer, not the "thanks for the feedback" written since. False when there is none.
   */
  async rateLatestBotReply(conversationId: Types.ObjectId, value: AnswerRating, before: Date, now: Date): Promise<boolean> {
    const latest = await this.models.Message.findOne({ conversationId, direction: 'outbound', 'author.kind': 'bot', receivedAt: { $lt: before } })
      .sort({ receivedAt: -1, _id: -1 })
      .select({ _id: 1 })
      .lean<{ _id: Types.ObjectId }>();
    if (!latest) return false;
    await this.models.Message.updateOne({ _id: latest._id }, { $set: { rating: { value, at: now } } });
    // Keyed by the rated answer: a re-run rates the same answer, and the latest verdict on it is what counts.
    await this.report({ conversationId, at: now, fact: { type: 'rated', key: String(latest._id), value } });
    return true;
  }

  async markProcessed(id: Types.ObjectId, outcome: string, annotations: Annotations, now: Date): Promise<void> {
    const row = await this.models.Message.findOneAndUpdate(
      { _id: id },
      { $set: { 'processing.state': 'done', 'processing.processedAt': now, 'processing.outcome': outcome, annotations } },
      { projection: { conversationId: 1 }, lean: true },
    );
    // Keyed by the message: a re-run after a crash reports the same fact again, which the reports store once.
    if (row) await this.report({ conversationId: (row as { conversationId: Types.ObjectId }).conversationId, at: now, fact: { type: 'message', key: String(id), annotations } });
  }

  /** Queues a reply in the outbox. Returns null when the dedupe key shows it was queued before (crash re-run). */
  async queueOutbound(input: OutboundInput): Promise<MessageRecord | null> {
    try {
      const [doc] = await this.models.Message.insertMany([
        {
          conversationId: input.conversationId,
          contactId: input.contactId,
          channelId: input.channelId,
          direction: 'outbound',
          author: input.author,
          parts: input.parts,
          text: plainText(input.parts),
          citations: input.citations ?? [],
          ...(input.dedupeKey ? { dedupeKey: input.dedupeKey } : {}),
          ...(input.replyTo ? { replyTo: input.replyTo } : {}),
          ...(input.annotations ? { annotations: input.annotations } : {}),
          delivery: {
            status: 'queued',
            attempts: 0,
            nextAttemptAt: input.now,
            chunksSent: 0,
            externalIds: [],
          },
          receivedAt: input.now,
        },
      ]);
      return doc!.toObject() as MessageRecord;
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  /** An agent's internal note: part of the conversation's record, never delivered. False on a repeat (same key). */
  async insertNote(input: {
    conversationId: Types.ObjectId;
    contactId: Types.ObjectId;
    channelId: string;
    author: { kind: AuthorKind; id?: string; name?: string };
    text: string;
    dedupeKey: string;
    now: Date;
  }): Promise<boolean> {
    try {
      await this.models.Message.insertMany([
        {
          conversationId: input.conversationId,
          contactId: input.contactId,
          channelId: input.channelId,
          direction: 'outbound',
          author: input.author,
          parts: [{ type: 'text', text: input.text }],
          text: input.text,
          internal: true,
          dedupeKey: input.dedupeKey,
          receivedAt: input.now,
        },
      ]);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  // The delivery methods below are called by the holder of the message's delivery job lease.

  async recordChunkSent(id: Types.ObjectId, externalId: string | undefined): Promise<void> {
    await this.models.Message.updateOne(
      { _id: id },
      { $inc: { 'delivery.chunksSent': 1 }, ...(externalId ? { $push: { 'delivery.externalIds': externalId } } : {}) },
    );
  }

  /**
   * Records a successful send. The status moves forward only from a lower status, in the same atomic write, so a
   * receipt (delivered/read) that overtook the send is never overwritten by "sent".
   */
  async markSent(id: Types.ObjectId, status: 'sent' | 'delivered', now: Date, externalIds: string[], substitute?: { code: string; description: string }): Promise<void> {
    const facts = {
      'delivery.sentAt': now,
      ...(substitute ? { 'delivery.substitute': substitute } : {}),
      ...(externalIds.length ? { externalId: externalIds[0], 'delivery.externalIds': externalIds } : {}),
    };
    const moved = await this.models.Message.updateOne(
      { _id: id, 'delivery.status': { $in: ranksBelow(status) } },
      {
        $set: { ...facts, 'delivery.status': status, ...(status === 'delivered' ? { 'delivery.deliveredAt': now } : {}) },
        $inc: { 'delivery.attempts': 1 },
        $unset: { 'delivery.error': 1 },
      },
    );
    if (moved.matchedCount === 0) {
      await this.models.Message.updateOne({ _id: id }, { $set: facts, $inc: { 'delivery.attempts': 1 }, $unset: { 'delivery.error': 1 } });
    }
  }

  /**
   * The channel took the reply but nobody received it (a web chat visitor with no open socket): the job is done
   * (retrying would not reach them sooner), the message stays `queued` and flagged until a receipt moves it on.
   */
  async markAwaitingRecipient(id: Types.ObjectId, externalIds: string[]): Promise<void> {
    await this.models.Message.updateOne(
      { _id: id, 'delivery.status': 'queued' },
      {
        $set: { 'delivery.awaitingRecipient': true, ...(externalIds.length ? { externalId: externalIds[0], 'delivery.externalIds': externalIds } : {}) },
        $inc: { 'delivery.attempts': 1 },
        $unset: { 'delivery.error': 1 },
      },
    );
  }

  /** Replies nobody has taken yet on these channels, received since `since` (newest first: their visitors are the likeliest online). */
  async awaitingRecipients(channelIds: string[], since: Date, limit: number): Promise<MessageRecord[]> {
    return this.models.Message.find({ 'delivery.awaitingRecipient': true, channelId: { $in: channelIds }, 'delivery.status': 'queued', receivedAt: { $gte: since } })
      .sort({ receivedAt: 1, _id: 1 })
      .limit(limit)
      .lean<MessageRecord[]>();
  }

  /** A waiting reply taken by an open socket after all: `sent`, unless a receipt got there first. */
  async markTakenLate(id: Types.ObjectId, now: Date): Promise<boolean> {
    const res = await this.models.Message.updateOne(
      { _id: id, 'delivery.status': 'queued', 'delivery.awaitingRecipient': true },
      { $set: { 'delivery.status': 'sent', 'delivery.sentAt': now }, $unset: { 'delivery.awaitingRecipient': 1 } },
    );
    return res.modifiedCount === 1;
  }

  async markRetry(id: Types.ObjectId, error: { code: string; message: string }, nextAttemptAt: Date, now: Date): Promise<void> {
    await this.models.Message.updateOne(
      { _id: id },
      {
        $set: {
          'delivery.nextAttemptAt': nextAttemptAt,
          'delivery.error': { ...error, retryable: true, at: now },
        },
        $inc: { 'delivery.attempts': 1 },
      },
    );
  }

  /** Dead letter: the message keeps its error so an operator (or a retry button) can act on it. */
  async markFailed(id: Types.ObjectId, error: { code: string; message: string }, now: Date): Promise<void> {
    const row = await this.models.Message.findOneAndUpdate(
      { _id: id },
      {
        $set: { 'delivery.status': 'failed', 'delivery.error': { ...error, retryable: false, at: now } },
        $inc: { 'delivery.attempts': 1 },
      },
      { projection: { conversationId: 1 }, lean: true },
    );
    if (row) await this.report({ conversationId: (row as { conversationId: Types.ObjectId }).conversationId, at: now, fact: { type: 'delivery_failed', key: String(id), code: error.code } });
  }

  /**
   * Applies a platform status webhook to the message it names; ignores unknown ids and backwards moves. Only our
   * outbound messages of this channel move, and with `contactId` (a client-sent receipt) only that contact's.
   */
  async applyStatus(
    channelId: string,
    externalId: string,
    status: DeliveryStatus,
    at: Date,
    error?: { code: string; message: string },
    contactId?: Types.ObjectId,
  ): Promise<boolean> {
    const res = await this.models.Message.updateOne(
      { channelId, direction: 'outbound', ...(contactId ? { contactId } : {}), 'delivery.externalIds': externalId, 'delivery.status': { $in: ranksBelow(status) } },
      receiptUpdate(status, at, error),
    );
    return res.modifiedCount === 1;
  }

  /** Status updates addressed by our own id (web chat receipts carry it); scoped like `applyStatus`. */
  async applyStatusById(channelId: string, id: string, status: DeliveryStatus, at: Date, contactId?: Types.ObjectId): Promise<boolean> {
    if (!/^[0-9a-f]{24}$/i.test(id)) return false;
    const res = await this.models.Message.updateOne(
      { _id: new Types.ObjectId(id), channelId, direction: 'outbound', ...(contactId ? { contactId } : {}), 'delivery.status': { $in: ranksBelow(status) } },
      receiptUpdate(status, at),
    );
    return res.modifiedCount === 1;
  }

  /**
   * Counts a processing attempt before any work on the message starts, so an attempt that never ends (a hang, a
   * killed worker) is counted too. Returns the attempts so far, this one included.
   */
  async recordProcessingAttempt(id: Types.ObjectId, now: Date): Promise<number> {
    return this.countAttempt(id, { 'processing.lastAttemptAt': now });
  }

  /** Stores why the current attempt (already counted by `recordProcessingAttempt`) failed. */
  async recordProcessingError(id: Types.ObjectId, errorText: string): Promise<void> {
    await this.models.Message.updateOne({ _id: id }, { $set: { 'processing.lastError': errorText } });
  }

  /** Counts a failed processing attempt on the message, with the error; returns the attempts so far. */
  async recordProcessingFailure(id: Types.ObjectId, errorText: string): Promise<number> {
    return this.countAttempt(id, { 'processing.lastError': errorText });
  }

  /** One atomic `$inc` of the attempts with what the caller records beside it; returns the count after it. */
  private async countAttempt(id: Types.ObjectId, set: Record<string, unknown>): Promise<number> {
    const updated = await this.models.Message.findOneAndUpdate({ _id: id }, { $inc: { 'processing.attempts': 1 }, $set: set }, { returnDocument: 'after', lean: true });
    return updated?.processing?.attempts ?? 1;
  }

  async get(id: Types.ObjectId | string): Promise<MessageRecord | null> {
    return this.models.Message.findById(id).lean<MessageRecord>();
  }
}
