import { textForAgents } from './agent-text';
import { deskActionValue, type DeskButton, type EscalationCard } from '../../adapters/desk';
import type { Store } from '../../conversations';
import type { ContactRecord, ConversationRecord, MessageRecord } from '../../conversations/types';
import { channelLabel, reasonLabel } from './labels';

/** The customer as agents see them: a name, or the handle the channel gave, or "Customer". */
export function customerName(contact: ContactRecord | null, handle?: string): string {
  return contact?.displayName ?? handle ?? contact?.email ?? contact?.phone ?? 'Customer';
}

export function authorLabel(message: MessageRecord, customer: string): string {
  switch (message.author.kind) {
    case 'contact':
      return customer;
    case 'bot':
      return 'Bot';
    case 'agent':
      return message.author.name ?? 'Agent';
    case 'system':
      return 'System';
  }
}

function buttonsFor(conversation: ConversationRecord): DeskButton[] {
  const id = String(conversation._id);
  const button = (action: DeskButton['action'], title: string, style?: DeskButton['style']): DeskButton => ({
    action,
    title,
    value: deskActionValue(action, id),
    ...(style ? { style } : {}),
  });
  const assist = [button('refresh_suggestion', 'Refresh suggestion'), button('draft_email', 'Draft email'), button('next_action', 'Next best action')];
  const send = conversation.assist?.suggestion ? [button('send_suggested', 'Send suggested reply')] : [];
  switch (conversation.status) {
    case 'pending':
      return [button('claim', 'Claim', 'primary'), ...send, button('resolve', 'Resolve'), button('return_to_bot', 'Return to bot'), ...assist];
    case 'assigned':
      return [...send, button('resolve', 'Resolve', 'primary'), button('return_to_bot', 'Return to bot'), ...assist];
    case 'bot':
      return [button('claim', 'Take over', 'primary')];
    case 'resolved':
      return [];
  }
}

function statusLine(conversation: ConversationRecord): string {
  switch (conversation.status) {
    case 'pending':
      return conversation.botHelpsUntil ? 'Waiting for an agent (outside hours: the bot keeps helping until then)' : 'Waiting for an agent';
    case 'assigned':
      return `Claimed by ${conversation.assigneeName ?? conversation.assignee ?? 'an agent'}`;
    case 'bot':
      return 'Back with the bot';
    case 'resolved': {
      const by = conversation.resolvedBy ? ` by ${conversation.resolvedBy}` : '';
      const csat = conversation.csat?.score !== undefined ? ` — customer rated ${conversation.csat.score}/5` : conversation.csat ? ' — satisfaction survey sent' : '';
      return `Resolved${by}${csat}`;
    }
  }
}

/** Builds the card from the conversation's current state, so every redraw shows the truth, not a diff. */
export async function buildEscalationCard(store: Store, conversation: ConversationRecord): Promise<EscalationCard> {
  const [contact, history, channel, identity] = await Promise.all([
    store.contacts.get(conversation.contactId),
    store.messages.history(conversation._id, 12),
    store.channels.get(conversation.channelId),
    store.models.Identity.findOne({ contactId: conversation.contactId, channelId: conversation.channelId }).lean(),
  ]);
  const name = customerName(contact, identity?.handle);
  const latest = conversation.latest ?? {};
  const visible = history.filter((m) => !m.internal).map((m) => ({ message: m, text: textForAgents(m) })).filter((v) => v.text);
  return {
    conversationId: String(conversation._id),
    customer: {
      name,
      ...(identity?.handle ? { handle: identity.handle } : identity?.externalId ? { handle: identity.externalId } : {}),
      channelKind: conversation.channelKind,
      channelName: channel?.name && channel.name !== channelLabel(conversation.channelKind) ? `${channelLabel(conversation.channelKind)} (${channel.name})` : channelLabel(conversation.channelKind),
    },
    reason: conversation.escalationReason ?? 'handed_over',
    reasonLabel: reasonLabel(conversation.escalationReason),
    team: conversation.team ?? 'support',
    priority: conversation.priority,
    ...(latest.intent ? { intent: latest.intent } : latest.outOfScope ? { intent: 'out of scope' } : {}),
    ...(latest.sentiment ? { sentiment: latest.sentiment } : {}),
    ...(latest.frustration !== undefined ? { frustration: latest.frustration } : {}),
    ...(latest.language ? { language: latest.language } : {}),
    summary: conversation.assist?.summary ?? 'No summary yet.',
    // A card is a glance, and platforms cap a card's size (Teams ~28 KB): a pasted log or a long mail is clipped
    // here, whole in the thread and the store.
    lastMessages: visible.slice(-6).map((v) => ({ author: authorLabel(v.message, name), text: clipForCard(v.text) })),
    ...(conversation.assist?.suggestion ? { suggestedReply: { text: conversation.assist.suggestion.text, sources: conversation.assist.suggestion.citations } } : {}),
    status: conversation.status,
    ...(conversation.assigneeName ? { assignee: conversation.assigneeName } : {}),
    statusLine: statusLine(conversation),
    buttons: buttonsFor(conversation),
  };
}

const CARD_MESSAGE_CHARS = 500;

function clipForCard(text: string): string {
  return text.length > CARD_MESSAGE_CHARS ? `${text.slice(0, CARD_MESSAGE_CHARS - 1).trimEnd()}…` : text;
}
