import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * The work queue: only in-flight work lives here, so claiming scans a small collection no matter how much
 * history `messages` holds (on real MongoDB the claim index stays small too). Two kinds:
 *  - `process:<conversationId>`: inbound messages of one conversation awaiting the brain. One job per
 *    conversation is what serialises a conversation: its messages are handled in order, by one worker at a time.
 *  - `deliver:<messageId>`: one outbound message awaiting (re)delivery.
 * A job is deleted when its work is done; a crashed worker's job is reclaimed when its lease expires.
 */
export interface JobRecord {
  _id: string;
  kind: 'process' | 'deliver';
  conversationId: Types.ObjectId;
  /** deliver: the outbound message. */
  messageId?: Types.ObjectId;
  /** deliver: its channel, so a channel that sends only from one process (WhatsApp Web) is claimed only there. */
  channelId?: string;
  /** process: inbound messages waiting, in arrival order. */
  messageIds: Types.ObjectId[];
  /** Bumped by every new inbound message: a release that sees it moved keeps the job for another round. */
  version: number;
  /** deliver: replies of one conversation leave in this order. */
  order: Date;
  runAt: Date;
  leaseUntil: Date;
  owner?: string;
  createdAt: Date;
}

const jobSchema = new Schema<JobRecord>(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: ['process', 'deliver'], required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    messageId: Schema.Types.ObjectId,
    channelId: String,
    messageIds: { type: [Schema.Types.ObjectId], default: [] },
    version: { type: Number, default: 0 },
    order: { type: Date, required: true },
    runAt: { type: Date, required: true },
    leaseUntil: { type: Date, required: true },
    owner: String,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
// Claim: the next due, unleased job of a kind.
jobSchema.index({ kind: 1, runAt: 1, leaseUntil: 1 });
// Delivery order: an older reply of the same conversation still waiting.
jobSchema.index({ conversationId: 1, kind: 1, order: 1 });

export function createJobModel(connection: Connection): Model<JobRecord> {
  return connection.model<JobRecord>('Job', jobSchema, 'jobs');
}

const EPOCH = new Date(0);

export class JobRepository {
  constructor(private readonly Job: Model<JobRecord>) {}

  /** Makes sure a process job exists before the message is written: a crash in between leaves a job to find it. */
  async ensureProcess(conversationId: Types.ObjectId, now: Date): Promise<void> {
    await this.Job.updateOne({ _id: `process:${String(conversationId)}` }, { $setOnInsert: processDefaults(conversationId, now) }, { upsert: true });
  }

  /** Records a stored inbound message on its conversation's process job (re-creating the job if it was released). */
  async addToProcess(conversationId: Types.ObjectId, messageId: Types.ObjectId, now: Date): Promise<void> {
    const { messageIds: _ids, version: _v, ...defaults } = processDefaults(conversationId, now);
    await this.Job.updateOne(
      { _id: `process:${String(conversationId)}` },
      { $push: { messageIds: messageId }, $inc: { version: 1 }, $setOnInsert: defaults },
      { upsert: true },
    );
  }

  /** `skipChannels`: deliveries of these channels are left for the process that can send them. */
  async claim(kind: JobRecord['kind'], owner: string, leaseMs: number, now: Date, skipChannels: string[] = []): Promise<JobRecord | null> {
    return this.Job.findOneAndUpdate(
      { kind, runAt: { $lte: now }, leaseUntil: { $lte: now }, ...(skipChannels.length ? { channelId: { $nin: skipChannels } } : {}) },
      { $set: { leaseUntil: new Date(now.getTime() + leaseMs), owner } },
      { returnDocument: 'after', sort: { runAt: 1 }, lean: true },
    ) as Promise<JobRecord | null>;
  }

  async extend(id: string, owner: string, leaseMs: number, now: Date): Promise<boolean> {
    const res = await this.Job.updateOne({ _id: id, owner }, { $set: { leaseUntil: new Date(now.getTime() + leaseMs) } });
    return res.matchedCount === 1;
  }

  /**
   * Done with a process job: deleted if no message arrived since the claim (same version); otherwise the handled
   * ids are removed and the job is released for another round.
   */
  async releaseProcess(job: JobRecord, owner: string, handled: Types.ObjectId[], retryAt?: Date): Promise<void> {
    if (!retryAt) {
      const deleted = await this.Job.deleteOne({ _id: job._id, owner, version: job.version });
      if (deleted.deletedCount === 1) return;
    }
    await this.Job.updateOne(
      { _id: job._id, owner },
      { $pull: { messageIds: { $in: handled } }, $set: { leaseUntil: EPOCH, runAt: retryAt ?? EPOCH }, $unset: { owner: 1 } },
    );
  }

  /**
   * Queues delivery of an outbound message; idempotent, so a re-run after a crash cannot queue it twice.
   * With `leaseTo`, the new job starts leased to that worker (which delivers it at once); returns the job only
   * when this call created it, so a re-run never sends what another worker may be sending.
   */
  async enqueueDelivery(
    message: { _id: Types.ObjectId; conversationId: Types.ObjectId; channelId: string; receivedAt: Date },
    now: Date,
    leaseTo?: { owner: string; leaseMs: number },
  ): Promise<JobRecord | undefined> {
    const job = {
      _id: `deliver:${String(message._id)}`,
      kind: 'deliver' as const,
      conversationId: message.conversationId,
      messageId: message._id,
      channelId: message.channelId,
      messageIds: [],
      version: 0,
      order: message.receivedAt,
      runAt: now,
      leaseUntil: leaseTo ? new Date(now.getTime() + leaseTo.leaseMs) : EPOCH,
      ...(leaseTo ? { owner: leaseTo.owner } : {}),
      createdAt: now,
    };
    const { _id, ...fields } = job;
    const res = await this.Job.updateOne(
      { _id },
      { $setOnInsert: fields },
      { upsert: true, timestamps: false },
    );
    return res.upsertedCount === 1 ? job : undefined;
  }

  /** The due time of an older delivery of the same conversation, if one is still waiting. */
  async earlierDelivery(job: JobRecord): Promise<Date | undefined> {
    const earlier = await this.Job.findOne(
      { conversationId: job.conversationId, kind: 'deliver', $or: [{ order: { $lt: job.order } }, { order: job.order, _id: { $lt: job._id } }] },
      { runAt: 1 },
    ).lean<JobRecord>();
    return earlier?.runAt;
  }

  /**
   * Makes a channel's waiting deliveries due now (a WhatsApp Web phone was linked again: what waited in back-off
   * for it goes out at once). Leased jobs are left alone; the per-job update is atomic.
   */
  async wakeChannel(channelId: string, now: Date): Promise<number> {
    const res = await this.Job.updateMany({ kind: 'deliver', channelId, leaseUntil: { $lte: now }, runAt: { $gt: now } }, { $set: { runAt: now } });
    return res.modifiedCount;
  }

  async reschedule(id: string, owner: string, runAt: Date): Promise<void> {
    await this.Job.updateOne({ _id: id, owner }, { $set: { runAt, leaseUntil: EPOCH }, $unset: { owner: 1 } });
  }

  async complete(id: string, owner: string): Promise<void> {
    await this.Job.deleteOne({ _id: id, owner });
  }

  async get(id: string): Promise<JobRecord | null> {
    return this.Job.findById(id).lean<JobRecord>();
  }
}

function processDefaults(conversationId: Types.ObjectId, now: Date) {
  return { kind: 'process' as const, conversationId, messageIds: [] as Types.ObjectId[], version: 0, order: now, runAt: EPOCH, leaseUntil: EPOCH };
}
