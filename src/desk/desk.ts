import { Types } from 'mongoose';
import type { Logger } from 'pino';
import { parseDeskActionValue, type DeskAction, type ThreadPost } from '../../adapters/desk';
import type { ChannelInstance, InboundEvent, Part, RawResponse } from '../../adapters/types';
import type { Store } from '../../conversations';
import { deskThreadId, deskThreadKey, type DeskThreadRecord } from '../../conversations/desk';
import { plainText } from '../../conversations/messages';
import type { ConversationRecord, MessageRecord } from '../../conversations/types';
import { CSAT_CHOICES } from '../pipeline/choices';
import type { HandoffListener } from '../pipeline/processor';
import { textForAgents } from './agent-text';
import { draftEmail, nextBestAction, type AgentAssist } from './assist';
import { customerName } from './card';
import { answerCommand } from './commands';
import { proposeFromAgentAnswer } from '../learning/agent-answers';
import { deskChannelFor, deskChannels, deskSettingsOf, type DeskSettings } from './settings';
import type { DeskSurfaces } from './surfaces';

/** How long after its first send a card whose root is not stored may still have replies overtaking it. */
const CARD_IN_FLIGHT_MS = 15 * 60_000;

export interface DeskOptions {
  /** Lines an agent starts with this stay internal notes (never sent to the customer). */
  notePrefix: string;
  /** Shown to customers instead of agents' own names, when set ("Support team"). */
  agentAlias?: string;
  /** Ask for a 1–5 rating when a person resolves the conversation. */
  csatOnResolve: boolean;
  /** A link agents can open to a customer's file (part `index` of the message), when the gateway has a public URL. */
  mediaLink?: (messageId: string, partIndex: number, now: Date) => string | undefined;
}

export const CUSTOMER_TEXTS = {
  returnedToBot: "You're back with our assistant. Ask me anything, or type \"human\" to reach a person again.",
  csatQuestion: 'Your conversation has been marked as resolved. How did we do? Reply with a number from 1 (bad) to 5 (great).',
} as const;

type DeskEvent = Extract<InboundEvent, { kind: 'message' | 'action' | 'command' }>;

/** What the webhook route does with an event the desk took: answer with `response`, or the usual acknowledgement. */
export interface DeskOutcome {
  response?: RawResponse;
}

interface Desk {
  channel: ChannelInstance;
  settings: DeskSettings;
}

/**
 * The people side of a hand-off, for every desk (a Slack or Teams channel instance with `settings.desk`):
 *  - hears the pipeline (HandoffListener): an escalation queues the thread root card, customer messages are
 *    mirrored into the thread, a survey answer redraws the card;
 *  - takes the desk's own events before the customer pipeline sees them (`intercept`): agents' replies in a thread
 *    go to the customer on the original channel (attributed, idempotent per platform event), `//` lines stay
 *    internal notes, card buttons claim / send the suggestion / resolve (with a survey) / return to the bot / ask
 *    for assist, and `/switchboard` commands answer in place.
 * Everything is written as rows first (messages in the outbox, desk posts in the desk outbox) and drawn by the
 * deliverers, so a slow or failing platform never loses an agent's reply or blocks the webhook's answer.
 */
export class DeskService implements HandoffListener {
  private desksCache: { at: number; desks: Desk[] } | undefined;

  constructor(
    private readonly store: Store,
    private readonly surfaces: DeskSurfaces,
    private readonly assist: AgentAssist,
    private readonly options: DeskOptions,
    private readonly log: Logger,
    private readonly clock: () => Date,
    /** A customer-bound message was queued: wake a delivery worker. */
    private readonly onOutbound: (message: MessageRecord) => Promise<void>,
    /** A desk post was queued: wake the desk deliverer. */
    private readonly onDeskPost: () => void,
  ) {}

  // ── the pipeline's side ────────────────────────────────────────────────────────────────────────────────────────

  async escalated(conversationId: Types.ObjectId, cause: Types.ObjectId, now: Date): Promise<void> {
    const conversation = await this.store.conversations.get(conversationId);
    if (!conversation || conversation.status === 'bot' || conversation.status === 'resolved') return;
    // The console's inbox is a desk on every gateway: the summary and suggestion are prepared even with no chat desk.
    await this.refreshAssist(conversation, now);
    const desks = await this.desks();
    if (desks.length === 0) return;
    for (const desk of desks) {
      const target = { channel: deskChannelFor(desk.settings, conversation.team), extra: toKeyValues(desk.settings.extra) };
      const { thread } = await this.store.desk.ensureThread({ conversationId, deskChannelId: desk.channel.id, target });
      const fresh = await this.store.desk.queue({ key: `card:${thread._id}`, threadId: thread._id, conversationId, kind: 'card', cause: String(cause), now });
      if (!fresh && (await this.store.desk.byKey(`card:${thread._id}`))?.cause !== String(cause)) {
        // Escalated again after going back to the bot: the same thread, redrawn, with a line saying so.
        await this.queueUpdate(thread._id, conversationId, `escalated:${String(cause)}`, now, { kind: 'event', text: `Escalated again: ${conversation.escalationReason ?? 'handed over'}` });
      }
    }
    this.onDeskPost();
  }

  async customerMessage(conversation: ConversationRecord, message: MessageRecord, now: Date): Promise<void> {
    const threads = await this.store.desk.threadsOf(conversation._id);
    if (threads.length === 0) return;
    const contact = await this.store.contacts.get(conversation.contactId);
    for (const thread of threads) {
      await this.store.desk.queue({
        key: `mirror:${String(message._id)}:${thread.deskChannelId}`,
        threadId: thread._id,
        conversationId: conversation._id,
        kind: 'post',
        post: {
          kind: 'customer',
          text: textForAgents(message, (index) => this.options.mediaLink?.(String(message._id), index, now)) || '(empty message)',
          authorName: customerName(contact, message.author.name),
        },
        now,
      });
    }
    this.onDeskPost();
  }

  async csatAnswered(conversationId: Types.ObjectId, score: number, now: Date): Promise<void> {
    for (const thread of await this.store.desk.threadsOf(conversationId)) {
      await this.queueUpdate(thread._id, conversationId, `csat:${String(conversationId)}`, now, { kind: 'event', text: `The customer rated the conversation ${score}/5.` });
    }
    this.onDeskPost();
  }

  /** An agent's reply did not reach the customer as written: say so, and why, in the thread it came from. */
  async agentReplyOutcome(message: MessageRecord, outcome: { failed: { code: string; message: string } } | { substitute: { code: string; description: string } }, now: Date): Promise<void> {
    const quoted = quote(message.text);
    const text =
      'failed' in outcome
        ? `Not delivered to the customer: ${quoted} — ${failureReason(outcome.failed)}`
        : `Not delivered as written: ${quoted} — ${outcome.substitute.description}.`;
    for (const thread of await this.store.desk.threadsOf(message.conversationId)) {
      await this.queuePost(thread, `delivery:${String(message._id)}`, now, { kind: 'event', text });
    }
    this.onDeskPost();
  }

  /** A platform reported after the send that a message failed: when an agent wrote it, the thread hears why. */
  async failedAfterSend(channel: ChannelInstance, event: Extract<InboundEvent, { kind: 'status' }>): Promise<void> {
    const message = await this.store.models.Message.findOne({ channelId: channel.id, 'delivery.externalIds': event.externalId }).lean<MessageRecord>();
    if (message?.author.kind !== 'agent') return;
    const error = event.error ?? { code: 'failed', message: `${channel.kind} reported the message as not delivered` };
    await this.agentReplyOutcome(message, { failed: error }, this.clock());
  }

  // ── the console's side (src/http/console): the same acts as a card's buttons, drawn at every chat desk too ──────

  /**
   * An agent's act from the console. `key` names the click or the form post (the browser sends one per act), so a
   * retried request does not send twice. Returns what agents read back ("Already with Ana.").
   */
  async consoleAct(conversationId: Types.ObjectId, agent: Agent, act: ConsoleAct, key: string): Promise<{ ok: boolean; message: string }> {
    const now = this.clock();
    const conversation = await this.store.conversations.get(conversationId);
    if (!conversation) return { ok: false, message: 'No such conversation.' };
    const threads = await this.store.desk.threadsOf(conversationId);
    const tell = async (text: string) => {
      for (const thread of threads) await this.queueUpdate(thread._id, conversationId, `console:${key}`, now, { kind: 'event', text });
    };
    const open = conversation.status === 'pending' || conversation.status === 'assigned';
    switch (act.kind) {
      case 'claim': {
        const { claimed, conversation: after } = await this.store.conversations.claim(conversationId, agent, now);
        if (!claimed) return { ok: false, message: alreadyWith(after) };
        await tell(`${agent.name} claimed the conversation in the console.`);
        return { ok: true, message: 'Claimed.' };
      }
      case 'reply': {
        if (conversation.status === 'resolved') return { ok: false, message: 'Not sent: this conversation is resolved.' };
        if (conversation.status !== 'assigned' || conversation.assignee !== agent.id) {
          const { claimed, conversation: after } = await this.store.conversations.claim(conversationId, agent, now);
          if (!claimed) return { ok: false, message: `Not sent: the conversation is with ${after?.assigneeName ?? 'someone else'}.` };
          await tell(`${agent.name} claimed the conversation in the console.`);
        }
        const replyKey = `agent:console:${key}`;
        const after = (await this.store.conversations.get(conversationId)) ?? conversation;
        await this.sendToCustomer(after, agent, [{ type: 'text', text: act.text }], replyKey, now, act.citations ?? []);
        // Mirrored into the chat desks' threads, so colleagues there read what was said.
        for (const thread of threads) await this.queuePost(thread, `console-reply:${key}`, now, { kind: 'event', text: `${agent.name} (console): ${act.text}` });
        await this.proposeKnowledge(after, agent, act.text, replyKey, now);
        return { ok: true, message: 'Sent.' };
      }
      case 'note': {
        await this.store.messages.insertNote({
          conversationId,
          contactId: conversation.contactId,
          channelId: conversation.channelId,
          author: { kind: 'agent', id: agent.id, name: agent.name },
          text: act.text,
          dedupeKey: `note:console:${key}`,
          now,
        });
        for (const thread of threads) await this.queuePost(thread, `console-note:${key}`, now, { kind: 'event', text: `Note from ${agent.name}: ${act.text}` });
        return { ok: true, message: 'Note saved.' };
      }
      case 'resolve': {
        if (conversation.status === 'resolved') return { ok: false, message: 'Already resolved.' };
        await this.resolveAndAskSurvey(conversation, agent, now);
        await tell(`${agent.name} resolved the conversation in the console.`);
        return { ok: true, message: 'Resolved.' };
      }
      case 'return_to_bot': {
        if (await this.store.conversations.returnToBot(conversationId, now)) {
          await this.sendToCustomer(conversation, undefined, [{ type: 'text', text: CUSTOMER_TEXTS.returnedToBot }], `returned:console:${key}`, now);
        }
        await tell(`${agent.name} returned the conversation to the bot.`);
        return { ok: true, message: 'Back with the bot.' };
      }
      case 'reassign': {
        if (!open) return { ok: false, message: `This conversation is ${conversation.status === 'resolved' ? 'resolved' : 'with the bot'}; claim it first.` };
        const after = await this.store.conversations.reassign(conversationId, 'agent' in act.to ? { agent: act.to.agent } : { team: act.to.team }, now);
        if (!after) return { ok: false, message: 'The conversation changed meanwhile; reload it.' };
        const whom = 'agent' in act.to ? act.to.agent.name : `the ${act.to.team} team`;
        await tell(`${agent.name} handed the conversation to ${whom}.`);
        return { ok: true, message: `Handed to ${whom}.` };
      }
      case 'refresh_suggestion': {
        await this.refreshAssist(conversation, now);
        return { ok: true, message: 'Suggestion refreshed.' };
      }
    }
  }

  // ── the desk's side ────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * Takes the event when it belongs to a desk: a card button, a slash command, a reply in an escalation thread,
   * or a message addressed to the bot in a desk channel (a command in Teams). Undefined: not the desk's business.
   */
  async intercept(channel: ChannelInstance, event: InboundEvent): Promise<DeskOutcome | undefined> {
    if (channel.kind !== 'slack' && channel.kind !== 'teams') return undefined;
    if (event.kind === 'command') return { response: await this.command(channel, event, event.text) };
    if (event.kind === 'action') {
      const parsed = parseDeskActionValue(event.value);
      if (!parsed) return undefined;
      await this.action(channel, event, parsed.action, new Types.ObjectId(parsed.conversationId));
      return {};
    }
    if (event.kind !== 'message') return undefined;
    if (event.address.threadId) {
      const thread =
        (await this.store.desk.threadByKey(deskThreadKey(channel.id, event.address.to, event.address.threadId))) ??
        (event.isSelf ? null : await this.threadOfCardInFlight(channel, event.address.to, event.address.threadId));
      if (thread) {
        if (!event.isSelf) await this.agentMessage(channel, thread, event);
        return {};
      }
    }
    const settings = deskSettingsOf(channel);
    if (settings && deskChannels(settings).has(event.address.to) && !event.isSelf && !event.ambient) {
      // Addressed to the bot in a desk channel but not in an escalation thread: a command ("@Switchboard mine").
      const text = plainText(event.parts).replace(/^\/?switchboard\b/i, '').trim();
      const answer = await this.commandText(channel, event, text);
      if (event.address.threadId) {
        const surface = this.surfaces.get(channel);
        await surface
          .postInThread({ channel: event.address.to, rootId: event.address.threadId, ...(event.address.extra ? { extra: event.address.extra } : {}) }, { kind: 'event', text: answer })
          .catch((err: unknown) => this.log.warn({ err }, 'desk: could not answer a command'));
      }
      return {};
    }
    return undefined;
  }

  /**
   * A reply in a thread we do not know yet may be under a card whose answer (its root id) is not stored yet: the
   * post went out, then the process died or the answer was lost or is still on its way. When a card of this desk is
   * in flight, the thread's root is read back from the platform, and its nonce names our thread: the root is stored
   * here (as the deliverer would) and the reply is the agent's, not channel chatter.
   */
  private async threadOfCardInFlight(channel: ChannelInstance, platformChannel: string, rootId: string): Promise<DeskThreadRecord | null> {
    const settings = deskSettingsOf(channel);
    if (!settings || !deskChannels(settings).has(platformChannel)) return null;
    if (!(await this.store.desk.hasCardInFlight(channel.id, new Date(this.clock().getTime() - CARD_IN_FLIGHT_MS)))) return null;
    const surface = this.surfaces.get(channel);
    if (!surface.cardNonce) return null;
    // Unreadable now (rate limit, network): thrown, so the platform redelivers the reply instead of it being dropped.
    const nonce = await surface.cardNonce(platformChannel, rootId);
    const thread = nonce ? await this.store.desk.threadByPostingNonce(nonce) : null;
    if (!thread || thread.deskChannelId !== channel.id) return null;
    const threadKey = deskThreadKey(channel.id, platformChannel, rootId);
    await this.store.desk.setRoot(thread._id, { rootId, rootChannel: platformChannel, threadKey, extra: [] });
    this.log.info({ channel: channel.id, thread: thread._id }, 'desk: a reply overtook its card; thread root stored from the card read back');
    return { ...thread, rootId, rootChannel: platformChannel, threadKey, extra: [] };
  }

  private async command(channel: ChannelInstance, event: DeskEvent, text: string): Promise<RawResponse> {
    const answer = await this.commandText(channel, event, text);
    // Slack shows an ephemeral answer only to the agent who asked; Teams gets the text posted by the caller.
    return { status: 200, body: { response_type: 'ephemeral', text: answer } };
  }

  private async commandText(channel: ChannelInstance, event: DeskEvent, text: string): Promise<string> {
    // Commands list waiting customers by name: only in the desk's channels, and only for its agents when listed.
    const refusal = await this.commandRefusal(channel, event);
    if (refusal) return refusal;
    const agent = await this.agentOf(channel, event.from);
    return answerCommand(this.store, { text, agentId: agent.id, deskChannelId: channel.id, now: this.clock() });
  }

  private async commandRefusal(channel: ChannelInstance, event: DeskEvent): Promise<string | undefined> {
    const settings = deskSettingsOf(channel);
    if (!settings) return 'Switchboard desk commands work only in a desk channel, and this workspace has no desk configured.';
    const channels = deskChannels(settings);
    const name = event.address.extra?.channelName;
    const inDesk =
      channels.has(event.address.to) ||
      (name !== undefined && (channels.has(`#${name}`) || channels.has(name))) ||
      // A desk configured by name (`#support-desk`): its id is known once a card landed there.
      (await this.store.models.DeskThread.exists({ deskChannelId: channel.id, rootChannel: event.address.to })) !== null;
    if (!inDesk) return `Switchboard desk commands work only in the desk channel${channels.size > 1 ? 's' : ''} (${[...channels].map((c) => (/^[A-Z0-9]+$/.test(c) ? `<#${c}>` : c)).join(', ')}).`;
    if (settings.agents && !settings.agents.includes(event.from.externalId)) {
      return "You are not on this desk's agent list, so desk commands are not available to you. Ask an admin to add you (settings.desk.agents).";
    }
    return undefined;
  }

  private async agentMessage(channel: ChannelInstance, thread: DeskThreadRecord, event: Extract<InboundEvent, { kind: 'message' }>): Promise<void> {
    const now = this.clock();
    const conversation = await this.store.conversations.get(thread.conversationId);
    if (!conversation) return;
    const agent = await this.agentOf(channel, event.from);
    const text = plainText(event.parts).trim();
    if (!text) return;
    if (text.startsWith(this.options.notePrefix)) {
      await this.store.messages.insertNote({
        conversationId: conversation._id,
        contactId: conversation.contactId,
        channelId: conversation.channelId,
        author: { kind: 'agent', id: agent.id, name: agent.name },
        text: text.slice(this.options.notePrefix.length).trim(),
        dedupeKey: `note:${channel.id}:${event.externalId}`,
        now,
      });
      return;
    }
    if (conversation.status === 'resolved' || conversation.status === 'bot') {
      const state = conversation.status === 'resolved' ? 'is resolved' : 'is back with the bot';
      await this.queuePost(thread, `not-sent:${event.externalId}`, now, { kind: 'event', text: `Not sent: this conversation ${state}. Press "Take over" on the card to reply again.` });
      return;
    }
    if (conversation.status === 'pending') await this.claim(channel, thread, conversation, agent, now, `claim:${event.externalId}`);
    const key = `agent:${channel.id}:${event.externalId}`;
    await this.sendToCustomer(conversation, agent, [{ type: 'text', text }], key, now);
    await this.proposeKnowledge(conversation, agent, text, key, now);
  }

  /**
   * The agent's answer and the customer's question become a proposed knowledge entry (src/learning), inert until
   * an admin approves it. After the reply is queued, and never at its expense: a failure here is logged, and a
   * redelivered event (same key) tries again without proposing twice.
   */
  private async proposeKnowledge(conversation: ConversationRecord, agent: Agent, text: string, answerKey: string, now: Date): Promise<void> {
    try {
      const history = await this.store.messages.history(conversation._id, 30);
      await proposeFromAgentAnswer(this.store.models.Message.db, { conversation, history, agent, text, answerKey, now });
    } catch (err) {
      this.log.warn({ err, conversation: String(conversation._id) }, 'learning: could not propose the agent answer as knowledge');
    }
  }

  private async action(channel: ChannelInstance, event: DeskEvent, action: DeskAction, conversationId: Types.ObjectId): Promise<void> {
    const now = this.clock();
    const conversation = await this.store.conversations.get(conversationId);
    const thread = await this.store.desk.thread(deskThreadId(conversationId, channel.id));
    if (!conversation || !thread) {
      this.log.info({ channel: channel.id, action, conversation: String(conversationId) }, 'desk: action for an unknown conversation');
      return;
    }
    const agent = await this.agentOf(channel, event.from);
    const key = `${action}:${event.externalId}`;
    switch (action) {
      case 'claim':
        await this.claim(channel, thread, conversation, agent, now, key);
        return;
      case 'send_suggested': {
        const suggestion = conversation.assist?.suggestion;
        if (!suggestion || conversation.status === 'resolved') return;
        if (conversation.status !== 'assigned') await this.claim(channel, thread, conversation, agent, now, `claim:${key}`);
        await this.sendToCustomer(conversation, agent, [{ type: 'text', text: suggestion.text }], `suggested:${channel.id}:${event.externalId}`, now, suggestion.citations);
        await this.queuePost(thread, `sent:${key}`, now, { kind: 'event', text: `${agent.name} sent the suggested reply.` });
        return;
      }
      case 'resolve':
        await this.resolve(thread, conversation, agent, now, key);
        return;
      case 'return_to_bot':
        if (await this.store.conversations.returnToBot(conversation._id, now)) {
          await this.sendToCustomer(conversation, undefined, [{ type: 'text', text: CUSTOMER_TEXTS.returnedToBot }], `returned:${channel.id}:${event.externalId}`, now);
        }
        await this.queueUpdate(thread._id, conversation._id, key, now, { kind: 'event', text: `${agent.name} returned the conversation to the bot.` });
        return;
      case 'refresh_suggestion':
        await this.refreshAssist(conversation, now);
        await this.queueUpdate(thread._id, conversation._id, key, now, { kind: 'event', text: `${agent.name} refreshed the suggested reply.` });
        return;
      case 'draft_email':
      case 'next_action': {
        const input = await this.assistInput(conversation);
        const text = action === 'draft_email' ? `*Follow-up email draft*\n\`\`\`\n${draftEmail(input, conversation.assist, agent.name)}\n\`\`\`` : `*Next best action*\n${nextBestAction(input)}`;
        await this.queuePost(thread, key, now, { kind: 'assist', text });
        return;
      }
    }
  }

  private async claim(channel: ChannelInstance, thread: DeskThreadRecord, conversation: ConversationRecord, agent: Agent, now: Date, key: string): Promise<void> {
    const { claimed, conversation: after } = await this.store.conversations.claim(conversation._id, agent, now);
    const text = claimed ? `${agent.name} claimed the conversation.` : alreadyWith(after);
    await this.queueUpdate(thread._id, conversation._id, key, now, { kind: 'event', text });
    this.log.info({ desk: channel.id, conversation: String(conversation._id), agent: agent.id, claimed }, 'desk: claim');
  }

  private async resolve(thread: DeskThreadRecord, conversation: ConversationRecord, agent: Agent, now: Date, key: string): Promise<void> {
    await this.resolveAndAskSurvey(conversation, agent, now);
    await this.queueUpdate(thread._id, conversation._id, key, now, { kind: 'event', text: `${agent.name} resolved the conversation.` });
  }

  /** Resolves and, when surveys are on, asks the customer for a rating (from a card button or the console). */
  private async resolveAndAskSurvey(conversation: ConversationRecord, agent: Agent, now: Date): Promise<void> {
    const survey = this.options.csatOnResolve ? CSAT_CHOICES : undefined;
    await this.store.conversations.resolve(conversation._id, now, { by: agent.name, ...(survey ? { csatChoices: survey } : {}) });
    const after = await this.store.conversations.get(conversation._id);
    if (survey && after?.status === 'resolved' && after.csat?.requestedAt && after.csat.score === undefined) {
      // Keyed by the resolution, not the click: a repeated click or a crashed re-run asks once.
      await this.sendToCustomer(after, undefined, [{ type: 'text', text: CUSTOMER_TEXTS.csatQuestion }, { type: 'choices', choices: survey }], `csat-ask:${String(conversation._id)}:${after.csat.requestedAt.getTime()}`, now);
    }
  }

  /** Queues a message to the customer in the outbox (idempotent by key) and tells the delivery workers. */
  private async sendToCustomer(
    conversation: ConversationRecord,
    agent: Agent | undefined,
    parts: Part[],
    dedupeKey: string,
    now: Date,
    citations: Array<{ title: string; url?: string }> = [],
  ): Promise<void> {
    const author = agent ? { kind: 'agent' as const, id: agent.id, name: this.options.agentAlias ?? agent.name } : { kind: 'system' as const };
    const queued = await this.store.messages.queueOutbound({
      conversationId: conversation._id,
      contactId: conversation.contactId,
      channelId: conversation.channelId,
      author,
      parts: parts.filter((p) => p.type !== 'text' || p.text.length > 0),
      citations,
      dedupeKey,
      now,
    });
    const message = queued ?? (await this.store.messages.findByDedupeKey(dedupeKey));
    if (!message || message.delivery?.status !== 'queued') return;
    await this.store.jobs.enqueueDelivery(message, now);
    if (agent) await this.store.conversations.recordAgentReply(conversation, now);
    await this.onOutbound(message);
  }

  private async refreshAssist(conversation: ConversationRecord, now: Date): Promise<void> {
    const assist = await this.assist.prepare(await this.assistInput(conversation), now, { useBrain: conversation.escalationReason !== 'processing_error' });
    await this.store.conversations.setAssist(conversation._id, assist);
  }

  /** Every caller has just loaded `conversation`; only the customer and the history are read here. */
  private async assistInput(conversation: ConversationRecord) {
    const [contact, history] = await Promise.all([this.store.contacts.get(conversation.contactId), this.store.messages.history(conversation._id, 30)]);
    return { conversation, customerName: customerName(contact), history };
  }

  private async queueUpdate(threadId: string, conversationId: Types.ObjectId, key: string, now: Date, post?: ThreadPost): Promise<void> {
    await this.store.desk.queue({ key: `update:${key}:${threadId}`, threadId, conversationId, kind: 'update', now });
    if (post) await this.store.desk.queue({ key: `post:${key}:${threadId}`, threadId, conversationId, kind: 'post', post, now });
    this.onDeskPost();
  }

  private async queuePost(thread: DeskThreadRecord, key: string, now: Date, post: ThreadPost): Promise<void> {
    await this.store.desk.queue({ key: `post:${key}:${thread._id}`, threadId: thread._id, conversationId: thread.conversationId, kind: 'post', post, now });
    this.onDeskPost();
  }

  private async agentOf(channel: ChannelInstance, from: { externalId: string; displayName?: string; handle?: string }): Promise<Agent> {
    const named = from.displayName ?? (await this.surfaces.get(channel).userName?.(from.externalId).catch(() => undefined));
    return { id: `${channel.id}:${from.externalId}`, name: named ?? from.handle ?? from.externalId };
  }

  /** Channels that are desks; re-read every few seconds so an admin's new desk works without a restart. */
  async desks(): Promise<Desk[]> {
    const now = Date.now();
    if (this.desksCache && now - this.desksCache.at < 5_000) return this.desksCache.desks;
    const channels = await this.store.channels.list();
    const desks: Desk[] = [];
    for (const listed of channels) {
      const settings = deskSettingsOf(listed);
      const channel = settings ? await this.store.channels.get(listed.id) : undefined; // get() skips disabled ones
      if (channel && settings) desks.push({ channel, settings });
    }
    this.desksCache = { at: now, desks };
    return desks;
  }
}

export interface Agent {
  id: string;
  name: string;
}

/** What an agent can do to a conversation from the console. */
export type ConsoleAct =
  | { kind: 'claim' }
  | { kind: 'reply'; text: string; citations?: Array<{ title: string; url?: string }> }
  | { kind: 'note'; text: string }
  | { kind: 'resolve' }
  | { kind: 'return_to_bot' }
  | { kind: 'reassign'; to: { agent: Agent } | { team: string } }
  | { kind: 'refresh_suggestion' };

function toKeyValues(record: Record<string, string>): Array<{ k: string; v: string }> {
  return Object.entries(record).map(([k, v]) => ({ k, v }));
}

/** Why a claim did not take: who has the conversation. */
function alreadyWith(conversation: ConversationRecord | null): string {
  return `Already with ${conversation?.assigneeName ?? conversation?.assignee ?? 'someone else'}${conversation?.status === 'resolved' ? ' (resolved)' : ''}.`;
}

function quote(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return `"${line.length > 80 ? `${line.slice(0, 79)}…` : line}"`;
}

/** Agents read this in the thread: the platform rule in words, the raw code for whoever investigates. */
function failureReason(error: { code: string; message: string }): string {
  if (error.code.endsWith(':window_closed')) {
    return `the customer's last message is too old for this channel to allow a reply now (its messaging window closed, and no re-engagement template is configured) [${error.code}]`;
  }
  return `${error.message} [${error.code}]`;
}
