import type { ReportSink } from './report-events';
import type { Types } from 'mongoose';
import type { ChannelAddress, ChannelKind } from '../adapters/types';
import { isDuplicateKey } from './errors';
import type { Models } from './models';
import type { Annotations, ConversationAssist, ConversationRecord, Priority, StoredAddress } from './types';

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

/** One open conversation per channel address (and thread): the unique key ingest upserts on. */
export function openKeyOf(channelId: string, address: ChannelAddress): string {
  return `${channelId}:${address.to}${address.threadId ? `:${address.threadId}` : ''}`;
}

export interface Escalation {
  reason: string;
  team: string;
  priority: Priority;
}

export class ConversationRepository {
  constructor(
    private readonly models: Models,
    /** Told of each transition the reports count (src/reporting), right after the write that made it. */
    private readonly report: ReportSink = async () => undefined,
  ) {}

  /** The open conversation for this address, created on first contact. */
  async openFor(input: {
    channelId: string;
    channelKind: ChannelKind;
    contactId: Types.ObjectId;
    address: ChannelAddress;
    now: Date;
  }): Promise<ConversationRecord> {
    const openKey = openKeyOf(input.channelId, input.address);
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

  /** The open conversation at this address, if there is one (ambient thread replies only continue one). */
  async findOpen(channelId: string, address: ChannelAddress): Promise<ConversationRecord | null> {
    return this.models.Conversation.findOne({ openKey: openKeyOf(channelId, address) }).lean<ConversationRecord>();
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
    // A re-escalation starts a new clock: the reminder and the reply time are about this hand-over.
    const res = await this.models.Conversation.updateOne(
      { _id: id, status: 'bot' },
      {
        $set: {
          ...(botHelpsUntil ? { botHelpsUntil } : {}),
          lastBotReplyAt: now,
          status: 'pending',
          escalatedAt: now,
          team: escalation.team,
          priority: escalation.priority,
          escalationReason: escalation.reason,
          latest,
        },
      },
    );
    if (res.modifiedCount === 1) await this.report({ conversationId: id, at: now, fact: { type: 'handed_off', reason: escalation.reason, team: escalation.team, priority: escalation.priority } });
  }

  /**
   * An agent takes the conversation: from "pending" (or from themselves, harmlessly). Returns the conversation as it
   * is after the attempt, so the caller can tell a colleague who already has it.
   */
  async claim(id: Types.ObjectId, agent: { id: string; name?: string }, now: Date): Promise<{ claimed: boolean; conversation: ConversationRecord | null }> {
    const claimed = await this.models.Conversation.findOneAndUpdate(
      // From "bot" too: an agent may take a conversation back after returning it to the bot.
      { _id: id, $or: [{ status: { $in: ['pending', 'bot'] } }, { status: 'assigned', assignee: agent.id }] },
      {
        $set: { status: 'assigned', assignee: agent.id, claimedAt: now, ...(agent.name ? { assigneeName: agent.name } : {}) },
        $unset: { botHelpsUntil: 1 },
      },
      { returnDocument: 'after', lean: true },
    );
    if (claimed) {
      // A re-claim by the same agent reports again; the outcome keeps the first claim.
      await this.report({ conversationId: id, at: now, fact: { type: 'claimed', agent: agent.id } });
      return { claimed: true, conversation: claimed as ConversationRecord };
    }
    return { claimed: false, conversation: await this.get(id) };
  }

  /** Assigns without the desk (admin tools, tests); the conversation must still be open. */
  async assign(id: Types.ObjectId, assignee: string): Promise<void> {
    await this.models.Conversation.updateOne(
      { _id: id, status: { $ne: 'resolved' } },
      { $set: { status: 'assigned', assignee }, $unset: { botHelpsUntil: 1 } },
    );
  }

  /**
   * Hands an open conversation to another person (assigned to them) or to a team (waiting for anyone in it).
   * Returns the conversation after the change, or null when it was resolved or back with the bot meanwhile.
   */
  async reassign(id: Types.ObjectId, to: { agent: { id: string; name: string } } | { team: string }, now: Date): Promise<ConversationRecord | null> {
    const update =
      'agent' in to
        ? { $set: { status: 'assigned', assignee: to.agent.id, assigneeName: to.agent.name, claimedAt: now }, $unset: { botHelpsUntil: 1 } }
        : { $set: { status: 'pending', team: to.team }, $unset: { assignee: 1, assigneeName: 1, claimedAt: 1, botHelpsUntil: 1, slaRemindedAt: 1 } };
    return this.models.Conversation.findOneAndUpdate({ _id: id, status: { $in: ['pending', 'assigned'] } }, update, { returnDocument: 'after', lean: true }) as Promise<ConversationRecord | null>;
  }

  /** Back to the bot; true when it was with people. */
  async returnToBot(id: Types.ObjectId, now = new Date()): Promise<boolean> {
    const res = await this.models.Conversation.updateOne(
      { _id: id, status: { $in: ['pending', 'assigned'] } },
      {
        $set: { status: 'bot', unhelpfulTurns: 0 },
        $unset: { assignee: 1, assigneeName: 1, escalationReason: 1, offeredChoices: 1, botHelpsUntil: 1, slaRemindedAt: 1 },
      },
    );
    if (res.modifiedCount === 1) await this.report({ conversationId: id, at: now, fact: { type: 'returned_to_bot' } });
    return res.modifiedCount === 1;
  }

  /**
   * Closing frees the address, so the customer's next message opens a new conversation — except while a
   * satisfaction survey waits (`csatChoices`): then the address stays with this conversation until the customer
   * answers it or writes about something else (src/pipeline/ingest.ts lets go of it then). True when this call
   * resolved it.
   */
  async resolve(id: Types.ObjectId, now: Date, options: { by?: string; csatChoices?: Array<{ id: string; title: string }> } = {}): Promise<boolean> {
    const row = await this.get(id);
    if (!row || row.status === 'resolved') return false;
    const res = await this.models.Conversation.updateOne(
      { _id: id, status: { $ne: 'resolved' } },
      {
        $set: {
          status: 'resolved',
          resolvedAt: now,
          resolutionMs: now.getTime() - row.createdAt.getTime(),
          ...(options.by ? { resolvedBy: options.by } : {}),
          ...(options.csatChoices ? { csat: { requestedAt: now }, offeredChoices: options.csatChoices } : {}),
        },
        $unset: { botHelpsUntil: 1, ...(options.csatChoices ? {} : { openKey: 1 }) },
      },
    );
    if (res.modifiedCount === 1) {
      await this.report({ conversationId: id, at: now, fact: { type: 'resolved', ms: now.getTime() - row.createdAt.getTime(), surveyed: options.csatChoices !== undefined, ...(options.by ? { by: options.by } : {}) } });
    }
    return res.modifiedCount === 1;
  }

  /**
   * A resolved conversation taken up again (an email reply to it): back with the bot, holding its address. When
   * another conversation already holds the address, that one stays the open one (false).
   */
  async reopen(id: Types.ObjectId, openKey: string, now = new Date()): Promise<boolean> {
    try {
      // A new episode: the reports count what follows apart from the resolved one, which is no longer durable.
      const before = await this.models.Conversation.findOneAndUpdate(
        { _id: id, status: 'resolved' },
        {
          $set: { status: 'bot', openKey, unhelpfulTurns: 0 },
          $inc: { episode: 1 },
          $unset: { assignee: 1, assigneeName: 1, escalationReason: 1, offeredChoices: 1, slaRemindedAt: 1 },
        },
        { returnDocument: 'before', lean: true, projection: { episode: 1 } },
      );
      if (!before) return false;
      await this.report({ conversationId: id, at: now, episode: (before as { episode?: number }).episode ?? 0, fact: { type: 'reopened' } });
      return true;
    } catch (err) {
      if (isDuplicateKey(err)) return false;
      throw err;
    }
  }

  /** The customer's satisfaction score, once; the address is let go of at the same time. */
  async recordCsat(id: Types.ObjectId, score: number, now: Date): Promise<boolean> {
    const res = await this.models.Conversation.updateOne(
      { _id: id, status: 'resolved', 'csat.score': { $exists: false } },
      { $set: { 'csat.score': score, 'csat.answeredAt': now }, $unset: { openKey: 1, offeredChoices: 1 } },
    );
    if (res.modifiedCount === 1) await this.report({ conversationId: id, at: now, fact: { type: 'survey_answered', score } });
    return res.modifiedCount === 1;
  }

  /** A resolved conversation stops holding its address (the survey went unanswered and the customer moved on). */
  async releaseAddress(id: Types.ObjectId): Promise<void> {
    await this.models.Conversation.updateOne({ _id: id, status: 'resolved' }, { $unset: { openKey: 1, offeredChoices: 1 } });
  }

  /** The first time a person wrote to the customer after the escalation. */
  async recordAgentReply(conversation: Pick<ConversationRecord, '_id' | 'escalatedAt' | 'agentFirstReplyAt' | 'createdAt'>, now: Date): Promise<void> {
    if (conversation.agentFirstReplyAt) return;
    const since = conversation.escalatedAt ?? conversation.createdAt;
    const res = await this.models.Conversation.updateOne(
      { _id: conversation._id, agentFirstReplyAt: { $exists: false } },
      { $set: { agentFirstReplyAt: now, agentReplyMs: now.getTime() - since.getTime() } },
    );
    if (res.modifiedCount === 1) await this.report({ conversationId: conversation._id, at: now, fact: { type: 'first_human_reply', ms: now.getTime() - since.getTime() } });
  }

  async setAssist(id: Types.ObjectId, assist: ConversationAssist): Promise<void> {
    await this.models.Conversation.updateOne({ _id: id }, { $set: { assist } });
  }

  /** Escalations nobody claimed since `before`, not reminded yet, oldest first. */
  async unclaimedSince(before: Date, limit = 20): Promise<ConversationRecord[]> {
    return this.models.Conversation.find({ status: 'pending', escalatedAt: { $lte: before }, slaRemindedAt: { $exists: false } })
      .sort({ escalatedAt: 1 })
      .limit(limit)
      .lean<ConversationRecord[]>();
  }

  /** Marks the reminder sent; false when another process got there first. */
  async markSlaReminded(id: Types.ObjectId, now: Date): Promise<boolean> {
    const res = await this.models.Conversation.updateOne(
      { _id: id, status: 'pending', slaRemindedAt: { $exists: false } },
      { $set: { slaRemindedAt: now } },
    );
    return res.modifiedCount === 1;
  }

  /**
   * Where a waiting conversation stands in its team's queue: 1 + the team's pending conversations escalated before
   * it (the order the desk lists them in). Undefined when it is not waiting.
   */
  async queuePosition(conversation: Pick<ConversationRecord, '_id' | 'status' | 'team' | 'escalatedAt'>): Promise<number | undefined> {
    if (conversation.status !== 'pending' || !conversation.team || !conversation.escalatedAt) return undefined;
    const ahead = await this.models.Conversation.countDocuments({
      status: 'pending',
      team: conversation.team,
      $or: [{ escalatedAt: { $lt: conversation.escalatedAt } }, { escalatedAt: conversation.escalatedAt, _id: { $lt: conversation._id } }],
    });
    return ahead + 1;
  }

  /**
   * How long the team's recent hand-overs waited for a person's first reply (ms, newest first): the figure a waiting
   * customer is quoted. At most `limit` conversations whose first agent reply came after `since`.
   */
  async recentFirstReplyTimes(team: string, since: Date, limit = 20): Promise<number[]> {
    const rows = await this.models.Conversation.find({ team, agentFirstReplyAt: { $gte: since }, agentReplyMs: { $exists: true } }, { agentReplyMs: 1 })
      .sort({ agentFirstReplyAt: -1 })
      .limit(limit)
      .lean<Array<{ agentReplyMs: number }>>();
    return rows.map((r) => r.agentReplyMs);
  }

  /** A status reply went out while the conversation waits for a person (it stays pending). */
  async recordWaitingReply(id: Types.ObjectId, now: Date, offeredChoices: Array<{ id: string; title: string }> = []): Promise<void> {
    await this.models.Conversation.updateOne({ _id: id, status: 'pending' }, { $set: { lastBotReplyAt: now, offeredChoices } });
  }

  /** Open escalations for the desk's `/switchboard` command: waiting, or owned by `assignee`. */
  async escalations(filter: { status: 'pending' | 'assigned'; assignee?: string }, limit = 10): Promise<ConversationRecord[]> {
    return this.models.Conversation.find({ status: filter.status, ...(filter.assignee ? { assignee: filter.assignee } : {}) })
      .sort({ escalatedAt: 1, _id: 1 })
      .limit(limit)
      .lean<ConversationRecord[]>();
  }

  async countByStatus(status: ConversationRecord['status'], since?: Date): Promise<number> {
    return this.models.Conversation.countDocuments({ status, ...(since ? { updatedAt: { $gte: since } } : {}) });
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
    await this.report({ conversationId: conversation._id, at, fact: { type: 'first_bot_response', ms: at.getTime() - conversation.createdAt.getTime() } });
  }
}
