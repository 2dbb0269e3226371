import { messageIds, type MailRaw } from '../../adapters/email/inbound';
import { EMAIL_ADDRESS_KEYS as K, emailSettingsOf } from '../../adapters/email/settings';
import type { ChannelInstance, InboundEvent } from '../../adapters/types';
import type { Store } from '../../conversations';
import { openKeyOf } from '../../conversations/conversations';
import { inboundDedupeKey } from '../../conversations/messages';
import type { ConversationRecord } from '../../conversations/types';
import { csatScore } from '../pipeline/choices';

/**
 * Which conversation a mail belongs to (docs/decisions.md, "Email threading"), decided before ingest by setting the
 * address's `threadId` (an email conversation is keyed by sender and thread):
 *  1. thread headers: the newest of In-Reply-To / References that names a mail of this channel — one we received
 *     (its Message-ID) or one we sent (the Message-ID we gave it) — puts the mail in that mail's conversation. A
 *     reply to a resolved conversation reopens it: a reply to one of our replies always lands in its conversation;
 *  2. subject (configurable): no known headers, but the same sender has an open conversation with the same
 *     normalised subject, active within `subjectWindowHours`;
 *  3. otherwise a new thread, keyed by the mail's own Message-ID.
 */
export class EmailThreader {
  constructor(
    private readonly store: Store,
    private readonly clock: () => Date,
  ) {}

  async thread(channel: ChannelInstance, event: InboundEvent): Promise<InboundEvent> {
    if (channel.kind !== 'email' || event.kind !== 'message' || event.address.threadId) return event;
    // A mail fetched again (after a crash, a UIDVALIDITY reset) is ingest's duplicate; it must not reopen anything.
    if (await this.store.messages.findByDedupeKey(inboundDedupeKey(channel.id, event.externalId))) return event;
    const raw = event.raw as MailRaw;
    const threadId = (await this.byHeaders(channel, raw, event)) ?? (await this.bySubject(channel, event)) ?? raw.messageId;
    return { ...event, address: { ...event.address, threadId } };
  }

  private async byHeaders(channel: ChannelInstance, raw: MailRaw, event: Extract<InboundEvent, { kind: 'message' }>): Promise<string | undefined> {
    // Every parent In-Reply-To names (mail stored before they were split kept them as one string: split it here).
    const parents = raw.inReplyToIds ?? messageIds(raw.inReplyTo);
    const ids = [...new Set([...parents, ...[...raw.references].reverse()].filter((id): id is string => !!id && id !== raw.messageId))];
    if (ids.length === 0) return undefined;
    const known = await this.store.models.Message.find(
      { $or: [{ dedupeKey: { $in: ids.map((id) => inboundDedupeKey(channel.id, id)) } }, { channelId: channel.id, 'delivery.externalIds': { $in: ids } }] },
      { conversationId: 1, externalId: 1, delivery: 1 },
    ).lean();
    // The most specific header wins: In-Reply-To, then the newest reference.
    for (const id of ids) {
      const hit = known.find((m) => m.externalId === id || m.delivery?.externalIds?.includes(id));
      if (!hit) continue;
      const conversation = await this.store.conversations.get(hit.conversationId);
      if (!conversation?.address.threadId) continue;
      // The same thread but another sender (a colleague in Cc answering): their own conversation on the thread.
      if (conversation.address.to !== event.address.to) return conversation.address.threadId;
      if (conversation.status === 'resolved') await this.reopenUnlessSurvey(channel, conversation, event);
      return conversation.address.threadId;
    }
    return undefined;
  }

  private async reopenUnlessSurvey(channel: ChannelInstance, conversation: ConversationRecord, event: Extract<InboundEvent, { kind: 'message' }>): Promise<void> {
    const text = event.parts.map((p) => (p.type === 'text' ? p.text : '')).join(' ');
    if (conversation.openKey && csatScore(undefined, text, conversation.offeredChoices) !== undefined) return; // the survey answer
    await this.store.conversations.reopen(conversation._id, openKeyOf(channel.id, { to: conversation.address.to, threadId: conversation.address.threadId! }), this.clock());
  }

  private async bySubject(channel: ChannelInstance, event: Extract<InboundEvent, { kind: 'message' }>): Promise<string | undefined> {
    const settings = emailSettingsOf(channel);
    const key = event.address.extra?.[K.subjectKey];
    if (!settings.threadBySubject || !key) return undefined;
    const since = new Date(this.clock().getTime() - settings.subjectWindowHours * 3_600_000);
    const open = await this.store.models.Conversation.findOne({
      channelId: channel.id,
      'address.to': event.address.to,
      openKey: { $exists: true },
      status: { $ne: 'resolved' },
      lastInboundAt: { $gte: since },
      'address.extra': { $elemMatch: { k: K.subjectKey, v: key } },
    })
      .sort({ lastInboundAt: -1 })
      .lean<ConversationRecord>();
    return open?.address.threadId;
  }
}
