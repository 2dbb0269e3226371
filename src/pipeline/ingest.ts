import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { ChannelInstance, InboundEvent } from '../../adapters/types';
import type { Store } from '../../conversations';
import { inboundDedupeKey } from '../../conversations/messages';
import { boundParts, serializeRaw } from '../../conversations/raw-budget';
import { csatScore } from './choices';
import type { Types } from 'mongoose';

export type IngestResult =
  | { kind: 'message'; conversationId: Types.ObjectId; messageId: Types.ObjectId; duplicate: boolean }
  | { kind: 'status'; updated: boolean }
  | { kind: 'ignored'; reason: string };

/**
 * Persists one normalized event. Everything the pipeline needs later is written here, before the platform
 * gets its 2xx, so a crash after the acknowledgement loses nothing. Emits `ingested` (event, result, channel).
 */
export class Ingestor extends EventEmitter {
  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    /** Called after a new inbound message is stored: wakes a local worker instead of waiting for the next poll. */
    private readonly onPending: () => void = () => {},
    private readonly clock: () => Date = () => new Date(),
  ) {
    super();
  }

  async ingest(channel: ChannelInstance, event: InboundEvent): Promise<IngestResult> {
    const result = await this.persist(channel, event);
    this.emit('ingested', event, result, channel);
    return result;
  }

  private async persist(channel: ChannelInstance, event: InboundEvent): Promise<IngestResult> {
    switch (event.kind) {
      case 'unsupported':
        this.log.info({ channel: channel.id, reason: event.reason }, 'unsupported event acknowledged');
        return { kind: 'ignored', reason: event.reason };
      case 'command':
        // Commands are for agents at a desk (src/desk); one that reaches the customer pipeline has no desk to answer.
        this.log.info({ channel: channel.id, command: event.command }, 'command without a desk acknowledged');
        return { kind: 'ignored', reason: 'command without a desk' };
      case 'status': {
        // A receipt sent by a client (a web chat visitor) moves only that client's own messages: ids can be
        // guessed or replayed, and a visitor must not mark another visitor's reply as read.
        const contactId = event.from ? await this.store.contacts.contactIdOf(channel.id, event.from.externalId) : undefined;
        if (event.from && !contactId) return { kind: 'status', updated: false };
        let updated = await this.store.messages.applyStatus(channel.id, event.externalId, event.status, event.at, event.error, contactId);
        if (!updated) {
          // Channels whose receipts name our own message id (web chat) can overtake the send being recorded:
          // the widget confirms a message before the worker has written that it sent it.
          updated = await this.store.messages.applyStatusById(channel.id, event.externalId, event.status, event.at, contactId);
        }
        return { kind: 'status', updated };
      }
      case 'message':
        if (event.isSelf) return { kind: 'ignored', reason: 'own message' };
        if (event.ambient && !(await this.store.conversations.findOpen(channel.id, event.address))) {
          // A thread reply that did not address us, in a thread we are not part of: not ours to answer.
          return { kind: 'ignored', reason: 'not addressed to us' };
        }
        return this.storeInbound(channel, event, event.parts, undefined);
      case 'action':
        return this.storeInbound(
          channel,
          event,
          [{ type: 'text', text: event.title ?? event.value }],
          event.value,
        );
    }
  }

  private async storeInbound(
    channel: ChannelInstance,
    event: Extract<InboundEvent, { kind: 'message' | 'action' }>,
    partsIn: Extract<InboundEvent, { kind: 'message' }>['parts'],
    actionValue: string | undefined,
  ): Promise<IngestResult> {
    const now = this.clock();
    // Everything that depends on the payload's content is settled before the first write: a payload no store
    // can take (10,000 levels deep, megabytes of raw) must not leave a contact and conversation without their
    // message. Over budget, the raw becomes a summary and the message (its normalised parts) is still stored.
    const raw = serializeRaw(event.raw);
    const bounded = boundParts(partsIn);
    if (bounded.shortened) this.log.warn({ channel: channel.id, externalId: event.externalId }, 'inbound text over budget: stored shortened');
    const parts = bounded.parts;
    // Independent round trips run together: the acknowledgement waits for the store, so fewer stages = faster ack.
    const [dedupe, identity] = await Promise.all([
      this.store.messages.findByDedupeKey(inboundDedupeKey(channel.id, event.externalId)),
      this.store.contacts.resolve(channel.id, event.from, now),
    ]);
    if (dedupe) {
      return { kind: 'message', conversationId: dedupe.conversationId, messageId: dedupe._id, duplicate: true };
    }
    const { contactId } = identity;
    const open = () => this.store.conversations.openFor({ channelId: channel.id, channelKind: channel.kind, contactId, address: event.address, now });
    let [conversation] = await Promise.all([open(), identity.created ? this.store.contacts.createFor(contactId, event.from) : Promise.resolve()]);
    if (conversation.status === 'resolved') {
      // A resolved conversation keeps its address only while its satisfaction survey waits. An answer to the
      // survey belongs to it; anything else is a new request and opens a new conversation.
      const text = parts.map((p) => (p.type === 'text' ? p.text : '')).join(' ');
      if (csatScore(actionValue, text, conversation.offeredChoices) === undefined) {
        await this.store.conversations.releaseAddress(conversation._id);
        conversation = await open();
      }
    }
    // The job exists before the message does: a crash between the two writes leaves work to find, never a
    // stored message that no worker will look at.
    await this.store.jobs.ensureProcess(conversation._id, now);
    const { message, duplicate } = await this.store.messages.insertInbound({
      conversationId: conversation._id,
      contactId,
      channelId: channel.id,
      externalId: event.externalId,
      parts,
      ...(actionValue !== undefined ? { actionValue } : {}),
      ...(event.from.displayName ? { authorName: event.from.displayName } : {}),
      ...(event.kind === 'message' && event.automated ? { automated: event.automated } : {}),
      // Order is arrival order: platform clocks disagree and some resend old timestamps on redelivery.
      receivedAt: now,
      raw,
    });
    if (!duplicate) {
      await this.store.jobs.addToProcess(conversation._id, message._id, now);
      this.onPending();
    }
    return { kind: 'message', conversationId: message.conversationId, messageId: message._id, duplicate };
  }
}
