import { Types } from 'mongoose';
import type { Identity } from '../adapters/types';
import type { Models } from './models';
import type { ContactRecord } from './types';

export class ContactRepository {
  constructor(private readonly models: Models) {}

  /**
   * Finds or allocates the contact behind a channel identity. The identity row (keyed by channel + external id)
   * is the source of truth; when `created` is true the caller writes the contact document with `createFor`.
   * A crash between the two leaves an identity whose contact is created by the next reader (see `createFor`).
   */
  async resolve(channelId: string, identity: Identity, now: Date): Promise<{ contactId: Types.ObjectId; created: boolean }> {
    const candidate = new Types.ObjectId();
    const row = await this.models.Identity.findOneAndUpdate(
      { _id: `${channelId}:${identity.externalId}` },
      {
        $setOnInsert: { contactId: candidate, channelId, externalId: identity.externalId },
        $set: { lastSeenAt: now, ...(identity.handle ? { handle: identity.handle } : {}) },
      },
      { upsert: true, returnDocument: 'after', lean: true },
    );
    if (!row) throw new Error('identity upsert returned nothing');
    const created = row.contactId.equals(candidate);
    return { contactId: row.contactId, created };
  }

  /**
   * Creates the contact document behind an identity. Also the repair path: if a crash fell between the identity
   * upsert and this write, the next reader that finds no contact calls it again (it is an idempotent upsert).
   */
  async createFor(contactId: Types.ObjectId, identity: Partial<Identity> = {}): Promise<void> {
    await this.models.Contact.updateOne(
      { _id: contactId },
      {
        $setOnInsert: {
          ...(identity.displayName ? { displayName: identity.displayName } : {}),
          ...(identity.email ? { email: identity.email.toLowerCase() } : {}),
          ...(identity.phone ? { phone: identity.phone } : {}),
          attributes: [],
          aiOptOut: false,
          vip: false,
        },
      },
      { upsert: true },
    );
  }

  /** The contact behind a channel identity, without creating one (a receipt's sender must already be known). */
  async contactIdOf(channelId: string, externalId: string): Promise<Types.ObjectId | undefined> {
    const row = await this.models.Identity.findById(`${channelId}:${externalId}`).select({ contactId: 1 }).lean();
    return row?.contactId;
  }

  async get(id: Types.ObjectId): Promise<ContactRecord | null> {
    return this.models.Contact.findById(id).lean<ContactRecord>();
  }

  async setAiOptOut(id: Types.ObjectId, optOut: boolean): Promise<void> {
    await this.models.Contact.updateOne({ _id: id }, { $set: { aiOptOut: optOut } });
  }

  async setVip(id: Types.ObjectId, vip: boolean): Promise<void> {
    await this.models.Contact.updateOne({ _id: id }, { $set: { vip } });
  }
}
