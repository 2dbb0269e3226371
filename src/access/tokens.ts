import type { Types } from 'mongoose';
import type { AccessModels, ApiTokenRecord } from './models';
import type { Role } from './roles';
import { newSecret, secretId } from './secrets-hash';

/** Personal API tokens (shown once, stored as sha256) and the first-run setup link. */
export class TokenRepository {
  constructor(private readonly models: AccessModels) {}

  async create(userId: Types.ObjectId, name: string, role: Role, now: Date): Promise<{ token: string; record: ApiTokenRecord }> {
    const token = newSecret('sbt');
    const [row] = await this.models.ApiToken.insertMany([{ _id: secretId(token), userId, name, role, hint: token.slice(0, 10), createdAt: now }]);
    return { token, record: row!.toObject() as ApiTokenRecord };
  }

  async resolve(token: string, now: Date): Promise<ApiTokenRecord | null> {
    const record = await this.models.ApiToken.findById(secretId(token)).lean<ApiTokenRecord>();
    if (!record || record.revokedAt) return null;
    // Coarse on purpose: scripts call often, the list only needs the day.
    if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() > 60_000) {
      await this.models.ApiToken.updateOne({ _id: record._id }, { $set: { lastUsedAt: now } });
    }
    return record;
  }

  async listOf(userId?: Types.ObjectId): Promise<ApiTokenRecord[]> {
    return this.models.ApiToken.find(userId ? { userId } : {}).sort({ createdAt: -1 }).lean<ApiTokenRecord[]>();
  }

  async get(id: string): Promise<ApiTokenRecord | null> {
    return this.models.ApiToken.findById(id).lean<ApiTokenRecord>();
  }

  async revoke(id: string, now: Date): Promise<boolean> {
    return (await this.models.ApiToken.updateOne({ _id: id, revokedAt: { $exists: false } }, { $set: { revokedAt: now } })).modifiedCount === 1;
  }

  async revokeAllOf(userId: Types.ObjectId, now: Date): Promise<void> {
    await this.models.ApiToken.updateMany({ userId, revokedAt: { $exists: false } }, { $set: { revokedAt: now } });
  }

  /** A new one-time setup link; older unused ones stop working, so only the last printed link is valid. */
  async createSetup(now: Date, ttlMs: number): Promise<{ token: string; expiresAt: Date }> {
    const token = newSecret('setup');
    const expiresAt = new Date(now.getTime() + ttlMs);
    await this.models.SetupToken.deleteMany({ usedAt: { $exists: false } });
    await this.models.SetupToken.insertMany([{ _id: secretId(token), expiresAt, createdAt: now }]);
    return { token, expiresAt };
  }

  /** Spends the setup link atomically: two tabs racing get one owner, not two. */
  async useSetup(token: string, now: Date): Promise<boolean> {
    const res = await this.models.SetupToken.updateOne({ _id: secretId(token), usedAt: { $exists: false }, expiresAt: { $gt: now } }, { $set: { usedAt: now } });
    return res.modifiedCount === 1;
  }
}
