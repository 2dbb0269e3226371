import type { Types } from 'mongoose';
import type { AccessModels, SessionRecord } from './models';
import { newSecret, secretId } from './secrets-hash';

export interface SessionPolicy {
  /** Signed out after this long without a request. */
  idleMs: number;
  /** Signed out this long after signing in, whatever the activity. */
  absoluteMs: number;
}

/** The policy the configuration sets (CONSOLE_IDLE_MINUTES, CONSOLE_SESSION_HOURS), for the gateway and the CLI alike. */
export function sessionPolicyOf(config: { CONSOLE_IDLE_MINUTES: number; CONSOLE_SESSION_HOURS: number }): SessionPolicy {
  return { idleMs: config.CONSOLE_IDLE_MINUTES * 60_000, absoluteMs: config.CONSOLE_SESSION_HOURS * 3_600_000 };
}

/** lastSeenAt is written at most this often: a busy inbox polling every second must not write every second. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Console sessions in MongoDB, so any gateway process serves any signed-in user. The cookie holds a random secret;
 * the store holds its sha256. Expiry is checked on every read (TTL indexes do not run on the stand-in), and expired
 * rows are deleted as they are met and by `sweep`.
 */
export class SessionRepository {
  constructor(
    private readonly models: AccessModels,
    private readonly policy: SessionPolicy,
  ) {}

  async create(userId: Types.ObjectId, now: Date, client: { ip?: string; userAgent?: string }): Promise<{ secret: string; session: SessionRecord }> {
    const secret = newSecret('sbs');
    const [row] = await this.models.Session.insertMany([
      {
        _id: secretId(secret),
        userId,
        csrf: newSecret('csrf'),
        lastSeenAt: now,
        expiresAt: new Date(now.getTime() + this.policy.absoluteMs),
        ...(client.ip ? { ip: client.ip } : {}),
        ...(client.userAgent ? { userAgent: client.userAgent.slice(0, 300) } : {}),
      },
    ]);
    return { secret, session: row!.toObject() as SessionRecord };
  }

  /** The live session for a cookie's secret, its idle clock moved on; null when unknown or expired (then deleted). */
  async resolve(secret: string, now: Date): Promise<SessionRecord | null> {
    const id = secretId(secret);
    const session = await this.models.Session.findById(id).lean<SessionRecord>();
    if (!session) return null;
    const idleEnd = session.lastSeenAt.getTime() + this.policy.idleMs;
    if (now.getTime() >= session.expiresAt.getTime() || now.getTime() >= idleEnd) {
      await this.models.Session.deleteOne({ _id: id });
      return null;
    }
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
      await this.models.Session.updateOne({ _id: id }, { $set: { lastSeenAt: now } });
      return { ...session, lastSeenAt: now };
    }
    return session;
  }

  async end(secret: string): Promise<void> {
    await this.models.Session.deleteOne({ _id: secretId(secret) });
  }

  /** Sign-out everywhere, and what a password reset, a role change or a removal does. */
  async endAllOf(userId: Types.ObjectId): Promise<number> {
    return (await this.models.Session.deleteMany({ userId })).deletedCount;
  }

  async countOf(userId: Types.ObjectId): Promise<number> {
    return this.models.Session.countDocuments({ userId });
  }

  /** Deletes sessions past either limit. */
  async sweep(now: Date): Promise<number> {
    const idleBefore = new Date(now.getTime() - this.policy.idleMs);
    const res = await this.models.Session.deleteMany({ $or: [{ expiresAt: { $lte: now } }, { lastSeenAt: { $lte: idleBefore } }] });
    return res.deletedCount;
  }
}
