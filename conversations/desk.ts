import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { ThreadPost } from '../adapters/desk';
import { isDuplicateKey } from './errors';
import type { KeyValue } from './types';

/**
 * Where an escalated conversation lives at a desk: one thread per conversation per desk channel (a Slack or Teams
 * channel instance). `_id` is `<conversationId>:<deskChannelId>`, so a re-escalation finds the thread it had.
 * `threadKey` (`<deskChannelId>:<channel>:<rootId>`) is how an agent's reply in the thread finds its conversation.
 */
export interface DeskThreadRecord {
  _id: string;
  conversationId: Types.ObjectId;
  deskChannelId: string;
  /** Where the card goes: the platform channel, and the surface's addressing extras. */
  target: { channel: string; extra: KeyValue[] };
  rootId?: string;
  /** The platform channel the root landed in, as the platform names it (Slack answers ids for `#names`). */
  rootChannel?: string;
  threadKey?: string;
  /** The surface's thread reference extras (Teams: the thread's conversation id, serviceUrl). */
  extra: KeyValue[];
  /**
   * Set before the card is first sent, cleared once its root is stored: the card carries `nonce` (Slack message
   * metadata), so a re-run after a crash or a lost answer can find the card it already posted since `at` instead
   * of posting a second one, and an agent's reply that overtakes the stored root can still find its thread.
   */
  posting?: { nonce: string; at: Date };
  createdAt: Date;
}

/**
 * The desk outbox: what still has to be drawn at a desk. `card` posts the thread root (and sets `rootId`),
 * `update` redraws it from the conversation's current state, `post` writes into the thread. Rows are leased by
 * the desk deliverer, retried with back-off, and keep their error when they give up, like customer replies.
 */
export interface DeskPostRecord {
  _id: Types.ObjectId;
  /** What produced it (`card:<thread>`, `mirror:<message id>:<desk>`…): a repeat collides instead of posting twice. */
  key: string;
  threadId: string;
  conversationId: Types.ObjectId;
  kind: 'card' | 'update' | 'post';
  post?: ThreadPost;
  /** The message that caused a card (the escalating one): tells a crashed worker's re-run from a re-escalation. */
  cause?: string;
  status: 'queued' | 'done' | 'failed';
  attempts: number;
  order: Date;
  runAt: Date;
  leaseUntil: Date;
  owner?: string;
  externalId?: string;
  error?: { code: string; message: string; at: Date };
  createdAt: Date;
}

const keyValue = new Schema({ k: { type: String, required: true }, v: { type: String, required: true } }, { _id: false });

const deskThreadSchema = new Schema<DeskThreadRecord>(
  {
    _id: { type: String, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    deskChannelId: { type: String, required: true },
    target: { channel: { type: String, required: true }, extra: { type: [keyValue], default: [] } },
    rootId: String,
    rootChannel: String,
    threadKey: String,
    extra: { type: [keyValue], default: [] },
    posting: { _id: false, type: { nonce: String, at: Date } },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
deskThreadSchema.index({ threadKey: 1 }, { unique: true, sparse: true });
// A card being posted: found by its nonce when an agent's reply overtakes the stored root.
deskThreadSchema.index({ 'posting.nonce': 1 }, { sparse: true });
deskThreadSchema.index({ deskChannelId: 1, 'posting.at': 1 }, { sparse: true });
deskThreadSchema.index({ conversationId: 1 });

const deskPostSchema = new Schema<DeskPostRecord>(
  {
    key: { type: String, required: true },
    threadId: { type: String, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: ['card', 'update', 'post'], required: true },
    post: Schema.Types.Mixed,
    cause: String,
    status: { type: String, enum: ['queued', 'done', 'failed'], required: true },
    attempts: { type: Number, default: 0 },
    order: { type: Date, required: true },
    runAt: { type: Date, required: true },
    leaseUntil: { type: Date, required: true },
    owner: String,
    externalId: String,
    error: { _id: false, type: { code: String, message: String, at: Date } },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
deskPostSchema.index({ key: 1 }, { unique: true });
// Claim: the next due, unleased, queued post.
deskPostSchema.index({ status: 1, runAt: 1, leaseUntil: 1 });
// Order within a thread: the card before anything posted into it.
deskPostSchema.index({ threadId: 1, status: 1, order: 1 });

export interface DeskModels {
  DeskThread: Model<DeskThreadRecord>;
  DeskPost: Model<DeskPostRecord>;
}

export function createDeskModels(connection: Connection): DeskModels {
  return {
    DeskThread: connection.model<DeskThreadRecord>('DeskThread', deskThreadSchema, 'desk_threads'),
    DeskPost: connection.model<DeskPostRecord>('DeskPost', deskPostSchema, 'desk_posts'),
  };
}

const EPOCH = new Date(0);

export function deskThreadId(conversationId: Types.ObjectId | string, deskChannelId: string): string {
  return `${String(conversationId)}:${deskChannelId}`;
}

export function deskThreadKey(deskChannelId: string, channel: string, rootId: string): string {
  return `${deskChannelId}:${channel}:${rootId}`;
}

export class DeskRepository {
  constructor(private readonly models: DeskModels) {}

  /** The conversation's thread at this desk, created (without a root yet) on first escalation. */
  async ensureThread(input: { conversationId: Types.ObjectId; deskChannelId: string; target: { channel: string; extra: KeyValue[] } }): Promise<{ thread: DeskThreadRecord; created: boolean }> {
    const _id = deskThreadId(input.conversationId, input.deskChannelId);
    const res = await this.models.DeskThread.updateOne(
      { _id },
      { $setOnInsert: { conversationId: input.conversationId, deskChannelId: input.deskChannelId, target: input.target, extra: [] } },
      { upsert: true },
    );
    const thread = await this.models.DeskThread.findById(_id).lean<DeskThreadRecord>();
    if (!thread) throw new Error(`desk thread ${_id} vanished after upsert`);
    return { thread, created: res.upsertedCount === 1 };
  }

  async threadsOf(conversationId: Types.ObjectId): Promise<DeskThreadRecord[]> {
    return this.models.DeskThread.find({ conversationId }).sort({ _id: 1 }).lean<DeskThreadRecord[]>();
  }

  async threadByKey(key: string): Promise<DeskThreadRecord | null> {
    return this.models.DeskThread.findOne({ threadKey: key }).lean<DeskThreadRecord>();
  }

  async thread(id: string): Promise<DeskThreadRecord | null> {
    return this.models.DeskThread.findById(id).lean<DeskThreadRecord>();
  }

  async setRoot(id: string, root: { rootId: string; rootChannel: string; threadKey: string; extra: KeyValue[] }): Promise<void> {
    await this.models.DeskThread.updateOne({ _id: id }, { $set: root, $unset: { posting: 1 } });
  }

  /** Records that the card is about to be sent with `nonce`; the first attempt's time stays (the search starts there). */
  async markPosting(id: string, nonce: string, at: Date): Promise<void> {
    await this.models.DeskThread.updateOne({ _id: id, rootId: { $exists: false }, posting: { $exists: false } }, { $set: { posting: { nonce, at } } });
  }

  /**
   * Whether a card of this desk was first sent since `since` and its root is not stored yet. Bounded in time: a card
   * that failed for good keeps its marker, and must not make every stray thread reply cost a platform read.
   */
  async hasCardInFlight(deskChannelId: string, since: Date): Promise<boolean> {
    return (await this.models.DeskThread.exists({ deskChannelId, 'posting.at': { $gte: since }, rootId: { $exists: false } })) !== null;
  }

  async threadByPostingNonce(nonce: string): Promise<DeskThreadRecord | null> {
    return this.models.DeskThread.findOne({ 'posting.nonce': nonce }).lean<DeskThreadRecord>();
  }

  /** Queues a desk post once per key; false when it was queued before (a redelivery, a crashed worker's re-run). */
  async queue(input: { key: string; threadId: string; conversationId: Types.ObjectId; kind: DeskPostRecord['kind']; post?: ThreadPost; cause?: string; now: Date }): Promise<boolean> {
    try {
      await this.models.DeskPost.insertMany([
        {
          key: input.key,
          threadId: input.threadId,
          conversationId: input.conversationId,
          kind: input.kind,
          ...(input.post ? { post: input.post } : {}),
          ...(input.cause ? { cause: input.cause } : {}),
          status: 'queued',
          attempts: 0,
          order: input.now,
          runAt: input.now,
          leaseUntil: EPOCH,
        },
      ]);
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  async byKey(key: string): Promise<DeskPostRecord | null> {
    return this.models.DeskPost.findOne({ key }).lean<DeskPostRecord>();
  }

  async claim(owner: string, leaseMs: number, now: Date): Promise<DeskPostRecord | null> {
    return this.models.DeskPost.findOneAndUpdate(
      { status: 'queued', runAt: { $lte: now }, leaseUntil: { $lte: now } },
      { $set: { leaseUntil: new Date(now.getTime() + leaseMs), owner } },
      { returnDocument: 'after', sort: { runAt: 1 }, lean: true },
    ) as Promise<DeskPostRecord | null>;
  }

  /** An older post of the same thread still waiting: the card goes first, and posts keep their order. */
  async earlierQueued(post: DeskPostRecord): Promise<DeskPostRecord | null> {
    return this.models.DeskPost.findOne({
      threadId: post.threadId,
      status: 'queued',
      $or: [{ order: { $lt: post.order } }, { order: post.order, _id: { $lt: post._id } }],
    }).lean<DeskPostRecord>();
  }

  async done(id: Types.ObjectId, owner: string, externalId?: string): Promise<void> {
    await this.models.DeskPost.updateOne(
      { _id: id, owner },
      { $set: { status: 'done', leaseUntil: EPOCH, ...(externalId ? { externalId } : {}) }, $inc: { attempts: 1 }, $unset: { error: 1 } },
    );
  }

  async retryLater(id: Types.ObjectId, owner: string, runAt: Date, error?: { code: string; message: string; at: Date }): Promise<void> {
    await this.models.DeskPost.updateOne(
      { _id: id, owner },
      { $set: { runAt, leaseUntil: EPOCH, ...(error ? { error } : {}) }, ...(error ? { $inc: { attempts: 1 } } : {}), $unset: { owner: 1 } },
    );
  }

  async fail(id: Types.ObjectId, owner: string, error: { code: string; message: string; at: Date }): Promise<void> {
    await this.models.DeskPost.updateOne({ _id: id, owner }, { $set: { status: 'failed', error, leaseUntil: EPOCH }, $inc: { attempts: 1 } });
  }

  async posts(conversationId: Types.ObjectId): Promise<DeskPostRecord[]> {
    return this.models.DeskPost.find({ conversationId }).sort({ order: 1, _id: 1 }).lean<DeskPostRecord[]>();
  }
}

