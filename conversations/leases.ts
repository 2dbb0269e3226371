import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from './errors';

/**
 * Named, expiring ownership of something only one process may hold at a time: a platform's stateful connection
 * (`connection:discord:<channelId>`) must be open in exactly one gateway process, or every event arrives twice.
 * The row outlives its holders so `fencing` keeps counting: a higher number always means a later takeover.
 */
export interface LeaseRecord {
  /** The resource name. */
  _id: string;
  /** Absent once released. */
  owner?: string;
  leaseUntil: Date;
  acquiredAt: Date;
  renewedAt: Date;
  /** Incremented by every takeover (never by a renewal), so stale holders can be told apart from the current one. */
  fencing: number;
  /**
   * For leases on a connection: the holder says its session is up. False from the takeover until the connection
   * has started, and whenever it reports itself down, so "held" alone never passes for "working" (`/ready`, alerts).
   */
  up?: boolean;
}

const leaseSchema = new Schema<LeaseRecord>(
  {
    _id: { type: String, required: true },
    owner: String,
    leaseUntil: { type: Date, required: true },
    acquiredAt: { type: Date, required: true },
    renewedAt: { type: Date, required: true },
    fencing: { type: Number, default: 0 },
    up: Boolean,
  },
  { versionKey: false },
);

export function createLeaseModel(connection: Connection): Model<LeaseRecord> {
  return connection.model<LeaseRecord>('Lease', leaseSchema, 'leases');
}

const EPOCH = new Date(0);

/**
 * Every method is one single-document atomic write (mongo.md's portable subset: no transactions), so two
 * processes racing for a lease cannot both win: the `_id` primary key turns the losing upsert into error 11000.
 */
export class LeaseRepository {
  constructor(private readonly Lease: Model<LeaseRecord>) {}

  /**
   * Takes the lease if it is free, expired, or already ours; returns it, or null while someone else holds it.
   * Extending our own lease keeps `fencing`; taking it over increments it.
   */
  async acquire(name: string, owner: string, ttlMs: number, now: Date): Promise<LeaseRecord | null> {
    const leaseUntil = new Date(now.getTime() + ttlMs);
    // Still ours (even if it lapsed: nobody took it over, or `owner` would differ), so no takeover happened.
    const ours = await this.Lease.findOneAndUpdate({ _id: name, owner }, { $set: { leaseUntil, renewedAt: now } }, { returnDocument: 'after', lean: true });
    if (ours) return ours as LeaseRecord;
    try {
      // Free or expired: take it. A missing row is inserted here; a held row does not match the filter, so the
      // upsert tries to insert a second `_id` and fails with a duplicate key, which means "held".
      const taken = await this.Lease.findOneAndUpdate(
        { _id: name, leaseUntil: { $lte: now } },
        { $set: { owner, leaseUntil, acquiredAt: now, renewedAt: now, up: false }, $inc: { fencing: 1 } },
        { upsert: true, returnDocument: 'after', lean: true },
      );
      return (taken as LeaseRecord | null) ?? null;
    } catch (err) {
      if (isDuplicateKey(err)) return null;
      throw err;
    }
  }

  /** Extends the lease only while it is still ours; false means it was lost (taken over after it lapsed). */
  async renew(name: string, owner: string, ttlMs: number, now: Date): Promise<boolean> {
    const res = await this.Lease.updateOne({ _id: name, owner }, { $set: { leaseUntil: new Date(now.getTime() + ttlMs), renewedAt: now } });
    return res.matchedCount === 1;
  }

  /** The holder's word on whether what it holds works (see `up`); only the holder's word counts. */
  async markUp(name: string, owner: string, up: boolean): Promise<boolean> {
    const res = await this.Lease.updateOne({ _id: name, owner }, { $set: { up } });
    return res.matchedCount === 1;
  }

  /** Gives the lease up at once (clean shutdown), so another process need not wait for it to expire. */
  async release(name: string, owner: string): Promise<boolean> {
    const res = await this.Lease.updateOne({ _id: name, owner }, { $set: { leaseUntil: EPOCH, up: false }, $unset: { owner: 1 } });
    return res.matchedCount === 1;
  }

  /** The current holder's lease, or null when the lease is free or has expired at `now`. */
  async holder(name: string, now: Date = new Date()): Promise<LeaseRecord | null> {
    const row = await this.Lease.findById(name).lean<LeaseRecord>();
    return row?.owner && row.leaseUntil.getTime() > now.getTime() ? row : null;
  }
}
