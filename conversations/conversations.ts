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

  /** The open conversation for this address, created on first contact. */
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
          },
          $set: { lastInboundAt: input.now, address: toStoredAddress(input.address) },
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

  async get(id: Types.ObjectId | string): Promise<ConversationRecord | null> {
    return this.models.Conversation.findById(id).lean<ConversationRecord>();
  }

  /** One write per bot turn: the latest analysis, the unhelpful-turn streak, and that a reply was queued. */
  async recordTurn(
    id: Types.ObjectId,
    latest: Annotations,
    unhelpful: boolean,
    now: Date,
    offeredChoices: Array<{ id: string; title: string }> = [],
  ): Promise<void> {
    const set = { latest, lastBotReplyAt: now, offeredChoices };
    await this.models.Conversation.updateOne(
      { _id: id },
      unhelpful ? { $set: set, $inc: { unhelpfulTurns: 1 } } : { $set: { ...set, unhelpfulTurns: 0 } },
    );
  }

  /** Hands the conversation to people; the bot stays silent from here until it is returned or resolved. */
  async escalate(id: Types.ObjectId, escalation: Escalation, latest: Annotations, now: Date, botHelpsUntil?: Date): Promise<void> {
    await this.models.Conversation.updateOne(
      { _id: id, status: 'bot' },
      {
        $set: {
          ...(botHelpsUntil ? { botHelpsUntil } : {}),
          lastBotReplyAt: now,
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
      { $set: { status: 'assigned', assignee }, $unset: { botHelpsUntil: 1 } },
    );
  }

  async returnToBot(id: Types.ObjectId): Promise<void> {
    await this.models.Conversation.updateOne(
      { _id: id, status: { $in: ['pending', 'assigned'] } },
      { $set: { status: 'bot', unhelpfulTurns: 0 }, $unset: { assignee: 1, escalationReason: 1, offeredChoices: 1, botHelpsUntil: 1 } },
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

  /**
   * First response time, measured once from the conversation's creation. The caller passes the conversation it
   * loaded: when that already has a first response nothing is written (and the filter stays `_id`-only, which
   * the embedded store answers without a scan).
   */
  async recordFirstResponse(conversation: Pick<ConversationRecord, '_id' | 'createdAt' | 'firstResponseAt'>, at: Date): Promise<void> {
    if (conversation.firstResponseAt) return;
    await this.models.Conversation.updateOne(
      { _id: conversation._id },
      { $set: { firstResponseAt: at, firstResponseMs: at.getTime() - conversation.createdAt.getTime() } },
    );
  }
}
