import type { Types } from 'mongoose';
import type { ChannelAddress, ChannelKind } from '../adapters/types';
import { isDuplicateKey } from './errors';
import type { Models } from './models';
import type { Annotations, ConversationRecord, Priority, StoredAddress } from './types';

export function toStoredAddress(address: ChannelAddress): StoredAddress {
  return {
    to: address.to,
    ...(address.threadId ? { threadId: address.threadId } : {}),
    extra: Object.entries(address.extra ?? {}).map(([k, v]) => ({ k, v })),
  };
}

export function fromStoredAddress(stored: StoredAddress): ChannelAddress {
  return {
    to: stored.to,
    ...(stored.threadId ? { threadId: stored.threadId } : {}),
    extra: Object.fromEntries((stored.extra ?? []).map(({ k, v }) => [k, v])),
  };
}

export interface Escalation {
  reason: string;
  team: string;
  priority: Priority;
}

export class ConversationRepository {
  constructor(private readonly models: Models) {}

  /**
   * The open conversation for this address, created on first contact. Also raises the `pending` flag *before*
   * the inbound message is written, so a crash between the two writes can only cause an empty claim, never a
   * message no worker will look at.
   */
  async openFor(input: {
    channelId: string;
    channelKind: ChannelKind;
    contactId: Types.ObjectId;
    address: ChannelAddress;
    now: Date;
  }): Promise<ConversationRecord> {
    const openKey = `${input.channelId}:${input.address.to}${input.address.threadId ? `:${input.address.threadId}` : ''}`;
    const upsert = () =>
      this.models.Conversation.findOneAndUpdate(
        { openKey },
        {
          $setOnInsert: {
            contactId: input.contactId,
            channelId: input.channelId,
            channelKind: input.channelKind,
            status: 'bot',
            priority: 'normal',
            latest: {},
            tags: [],
            unhelpfulTurns: 0,
            pendingVersion: 0,
            leaseUntil: new Date(0),
          },
          $set: { pending: true, lastInboundAt: input.now, address: toStoredAddress(input.address) },
        },
        { upsert: true, returnDocument: 'after', lean: true },
      );
    try {
      const row = await upsert();
      if (row) return row as ConversationRecord;
    } catch (err) {
      // Two first messages raced on the same upsert: the loser retries and finds the winner's row.
      if (!isDuplicateKey(err)) throw err;
    }
    const row = await upsert();
    if (!row) throw new Error('conversation upsert returned nothing');
    return row as ConversationRecord;
  }

  /** Bumped after an inbound message is stored: a worker holding the lease sees the version moved and re-runs. */
  async signalPending(id: Types.ObjectId): Promise<void> {
    await this.models.Conversation.updateOne({ _id: id }, { $set: { pending: true }, $inc: { pendingVersion: 1 } });
  }

  /** Atomic lease: at most one worker processes a conversation at a time, so its messages are handled in order. */
  async claimPending(owner: string, leaseMs: number, now: Date): Promise<ConversationRecord | null> {
    return this.models.Conversation.findOneAndUpdate(
      { pending: true, leaseUntil: { $lte: now } },
      { $set: { leaseUntil: new Date(now.getTime() + leaseMs), leaseOwner: owner } },
      { returnDocument: 'after', sort: { lastInboundAt: 1 }, lean: true },
    ) as Promise<ConversationRecord | null>;
  }

  async extendLease(id: Types.ObjectId, owner: string, leaseMs: number, now: Date): Promise<boolean> {
    const res = await this.models.Conversation.updateOne(
      { _id: id, leaseOwner: owner },
      { $set: { leaseUntil: new Date(now.getTime() + leaseMs) } },
    );
    return res.matchedCount === 1;
  }

  /**
   * Gives the lease back. `pending` is cleared only if no message arrived since the claim (same version);
   * otherwise the flag stays up and the conversation is claimed again.
   */
  async release(id: Types.ObjectId, owner: string, claimedVersion: number): Promise<void> {
    const cleared = await this.models.Conversation.updateOne(
      { _id: id, leaseOwner: owner, pendingVersion: claimedVersion },
      { $set: { pending: false, leaseUntil: new Date(0) }, $unset: { leaseOwner: 1 } },
    );
    if (cleared.matchedCount === 0) {
      await this.models.Conversation.updateOne(
        { _id: id, leaseOwner: owner },
        { $set: { leaseUntil: new Date(0) }, $unset: { leaseOwner: 1 } },
      );
    }
  }

  async get(id: Types.ObjectId | string): Promise<ConversationRecord | null> {
    return this.models.Conversation.findById(id).lean<ConversationRecord>();
  }

  async recordAnalysis(id: Types.ObjectId, latest: Annotations, unhelpful: boolean): Promise<void> {
    await this.models.Conversation.updateOne(
      { _id: id },
      unhelpful ? { $set: { latest }, $inc: { unhelpfulTurns: 1 } } : { $set: { latest, unhelpfulTurns: 0 } },
    );
  }

  /** Hands the conversation to people; the bot stays silent from here until it is returned or resolved. */
  async escalate(id: Types.ObjectId, escalation: Escalation, latest: Annotations): Promise<void> {
    await this.models.Conversation.updateOne(
      { _id: id, status: 'bot' },
      {
        $set: {
          status: 'pending',
          team: escalation.team,
          priority: escalation.priority,
          escalationReason: escalation.reason,
          latest,
        },
      },
    );
  }

  async assign(id: Types.ObjectId, assignee: string): Promise<void> {
    await this.models.Conversation.updateOne(
      { _id: id, status: { $ne: 'resolved' } },
      { $set: { status: 'assigned', assignee } },
    );
  }

  async returnToBot(id: Types.ObjectId): Promise<void> {
    await this.models.Conversation.updateOne(
      { _id: id, status: { $in: ['pending', 'assigned'] } },
      { $set: { status: 'bot', unhelpfulTurns: 0 }, $unset: { assignee: 1, escalationReason: 1 } },
    );
  }

  /** Closing frees the address: the customer's next message opens a new conversation. */
  async resolve(id: Types.ObjectId, now: Date): Promise<void> {
    const row = await this.get(id);
    if (!row || row.status === 'resolved') return;
    await this.models.Conversation.updateOne(
      { _id: id, status: { $ne: 'resolved' } },
      {
        $set: { status: 'resolved', resolvedAt: now, resolutionMs: now.getTime() - row.createdAt.getTime() },
        $unset: { openKey: 1 },
      },
    );
  }

  /** First response time is measured once, from the conversation's first inbound message. */
  async recordFirstResponse(id: Types.ObjectId, at: Date): Promise<void> {
    const row = await this.models.Conversation.findOne({ _id: id, firstResponseAt: { $exists: false } }).lean<ConversationRecord>();
    if (!row) return;
    await this.models.Conversation.updateOne(
      { _id: id, firstResponseAt: { $exists: false } },
      { $set: { firstResponseAt: at, firstResponseMs: at.getTime() - row.createdAt.getTime() } },
    );
  }
}
