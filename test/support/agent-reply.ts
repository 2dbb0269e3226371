import type { EventEmitter } from 'node:events';
import type { Part } from '../../adapters/types';
import { inboundDedupeKey } from '../../conversations/messages';
import type { MessageRecord } from '../../conversations/types';
import type { TestGateway } from './gateway';
import { until } from './until';

/** Files an agent attaches in the tests: two public ones, and a stored inbound attachment that has no public URL. */
export const AGENT_FILES: Part[] = [
  { type: 'text', text: 'Here is your return label and a photo of where to stick it.' },
  { type: 'media', url: 'https://cdn.shop.example/labels/R-1042.pdf', mimeType: 'application/pdf', name: 'R-1042.pdf' },
  { type: 'media', url: 'https://cdn.shop.example/howto/label.jpg', mimeType: 'image/jpeg', caption: 'On the flap, please' },
  { type: 'media', url: 'attachment:0', mimeType: 'image/png', name: 'customer-photo.png' },
];

/** Queues an agent's reply with `parts` in the conversation of `inbound` (as the desk does), without a delivery job yet. */
export async function queueAgentReply(
  t: TestGateway,
  inbound: Pick<MessageRecord, 'conversationId' | 'contactId' | 'channelId'>,
  parts: Part[],
  now = new Date(),
  author = { kind: 'agent' as const, id: 'agent-1', name: 'Ana' },
): Promise<MessageRecord> {
  return (await t.gateway.store.messages.queueOutbound({ conversationId: inbound.conversationId, contactId: inbound.contactId, channelId: inbound.channelId, author, parts, now }))!;
}

/**
 * An agent's reply with `parts` in the conversation of the inbound message `inboundExternalId`, queued and handed to
 * the outbox like the desk does; resolves once it was sent (or failed), with the stored outbound message.
 */
export async function agentReplies(t: TestGateway, channelId: string, inboundExternalId: string, parts: Part[], now = new Date(), extra: EventEmitter[] = []): Promise<MessageRecord> {
  const models = t.gateway.store.models;
  const inbound = await models.Message.findOne({ dedupeKey: inboundDedupeKey(channelId, inboundExternalId) }).lean<MessageRecord>();
  if (!inbound) throw new Error(`no inbound message ${inboundExternalId} on ${channelId}`);
  const queued = await queueAgentReply(t, inbound, parts, now);
  await t.gateway.store.jobs.enqueueDelivery(queued, now);
  return until(
    t,
    async () => {
      const m = await models.Message.findById(queued._id).lean<MessageRecord>();
      return m?.delivery?.status === 'sent' || m?.delivery?.status === 'failed' ? m : undefined;
    },
    extra,
  );
}
