import { EventEmitter } from 'node:events';
import type { Types } from 'mongoose';
import type { Logger } from 'pino';
import type { Part } from '../../adapters/types';
import type { Store } from '../../conversations';
import type { JobRecord } from '../../conversations/jobs';
import type { ConversationRecord, MessageRecord } from '../../conversations/types';
import type { Brain, BrainContext, Decision, QueueStatus } from '../brain/types';
import type { OutboundInput } from '../../conversations/messages';
import { disclosureFor } from '../brain/replies';
import { boundForBrain, type BrainText } from './brain-text';
import { chosenByText, csatScore } from './choices';
import type { Deliverer } from './deliverer';

export interface ProcessorOptions {
  /** Identifies this worker in leases (host:pid:n). */
  owner: string;
  leaseMs: number;
  /** Shown once, above the first bot reply of a conversation. Empty: no disclosure. */
  aiDisclosure: string;
  /**
   * Processing attempts for one message before it is handed to people with the error recorded. An attempt is
   * counted when it starts, so a message whose turn hangs or kills the worker is quarantined after this many claims.
   */
  maxAttempts?: number;
  /** The brain reads at most this many characters of a message (and of each history entry); the rest stays stored. */
  brainMaxChars?: number;
}

/**
 * What the people side (src/desk) hears from the pipeline. An interface, so the pipeline does not depend on the
 * desk; every call is idempotent and made before the message is marked done, so a crash re-runs it harmlessly.
 */
export interface HandoffListener {
  /** The conversation was just handed to people because of `cause` (the message that led to it). */
  escalated(conversationId: Types.ObjectId, cause: Types.ObjectId, now: Date): Promise<void>;
  /** A customer message arrived while people own (or are about to own) the conversation. */
  customerMessage(conversation: ConversationRecord, message: MessageRecord, now: Date): Promise<void>;
  /** The customer answered the satisfaction survey of a resolved conversation. */
  csatAnswered(conversationId: Types.ObjectId, score: number, now: Date): Promise<void>;
}

export const CSAT_THANKS = 'Thank you for your feedback!';

/**
 * Turns stored inbound messages into decisions and queued replies, one conversation at a time (the
 * conversation's process job is the lock).
 *
 * Crash safety comes from the write order: the reply is inserted under a key derived from the inbound message (a
 * re-run collides with it instead of repeating it) and its delivery job is upserted, then conversation state,
 * then the message is marked done. A worker that dies anywhere in between leaves the job leased; when the
 * lease expires the next worker re-runs the message and produces nothing twice.
 *
 * Events (observability, and the seams crash tests use): `claimed`, `queued`, `processed`, `failed`, `quarantined`,
 * `decided` (decision, milliseconds the brain took), `escalated` ({ reason, team }: handed to people, by the brain or
 * because processing gave up).
 */
export class ConversationProcessor extends EventEmitter {
  private readonly maxAttempts: number;
  private readonly brainMaxChars: number;

  constructor(
    private readonly store: Store,
    private readonly brain: Brain,
    private readonly options: ProcessorOptions,
    private readonly log: Logger,
    private readonly onQueued: () => void = () => {},
    private readonly clock: () => Date = () => new Date(),
    /** When set, replies are delivered at once by this worker instead of waiting for a delivery loop. */
    private readonly inlineDeliverer?: Deliverer,
    private readonly handoff?: HandoffListener,
  ) {
    super();
    this.maxAttempts = options.maxAttempts ?? 5;
    this.brainMaxChars = options.brainMaxChars ?? 4000;
  }

  /** Claims and processes one conversation's waiting messages. Resolves false when there was nothing to do. */
  async tick(): Promise<boolean> {
    const claimedAt = this.clock();
    const job = await this.store.jobs.claim('process', this.options.owner, this.options.leaseMs, claimedAt);
    if (!job) return false;
    this.emit('claimed', job);
    let [conversation, batch] = await Promise.all([
      this.store.conversations.get(job.conversationId),
      this.store.messages.pendingByIds(job.messageIds),
    ]);
    if (job.messageIds.length === 0 && conversation) {
      // Only after a crash between "message stored" and "job told": find the message the slow way.
      batch = await this.store.messages.pendingInbound(job.conversationId);
    }
    const handled: Types.ObjectId[] = [...job.messageIds];
    let leaseStart = claimedAt.getTime();
    for (const message of batch) {
      if (!conversation) break;
      if (this.clock().getTime() - leaseStart > this.options.leaseMs / 2) {
        const now = this.clock();
        if (!(await this.store.jobs.extend(job._id, this.options.owner, this.options.leaseMs, now))) {
          this.log.warn({ conversation: String(job.conversationId) }, 'lease lost mid-batch; another worker takes over');
          return true;
        }
        leaseStart = now.getTime();
      }
      // Counted before any work: a turn that never ends (a hang, a killed worker) still uses up an attempt.
      let attempt: number | undefined;
      try {
        attempt = await this.store.messages.recordProcessingAttempt(message._id, this.clock());
        conversation = attempt > this.maxAttempts ? await this.quarantine(conversation, message, attempt) : await this.handle(conversation, message);
        handled.push(message._id);
      } catch (err) {
        const retryAt = await this.recordFailure(conversation, message, err, attempt);
        await this.store.jobs.releaseProcess(job, this.options.owner, handled, retryAt);
        return true;
      }
    }
    await this.store.jobs.releaseProcess(job, this.options.owner, handled);
    return true;
  }

  private async handle(conversation: ConversationRecord, message: MessageRecord): Promise<ConversationRecord> {
    const now = this.clock();
    if (conversation.status === 'resolved') return this.handleSurveyAnswer(conversation, message, now);
    if (conversation.status !== 'bot') await this.handoff?.customerMessage(conversation, message, now);
    if (message.automated) {
      // An auto-reply, bounce or list mail: kept for agents, never answered (that is how mail loops start).
      await this.store.messages.markProcessed(message._id, 'silent:automated', { decision: 'silent', reason: message.automated }, now);
      this.emit('processed', message, undefined);
      return conversation;
    }
    const botKeepsHelping = conversation.status === 'pending' && conversation.botHelpsUntil !== undefined && conversation.botHelpsUntil > now;
    if (conversation.status === 'pending' && !botKeepsHelping && this.brain.whileQueued) return this.handleWhileQueued(conversation, message, now);
    if (conversation.status !== 'bot' && !botKeepsHelping) {
      // A person owns (or is about to own) this conversation: the bot stays silent; agents see the message.
      await this.store.messages.markProcessed(message._id, `silent:${conversation.status}`, { decision: 'silent' }, now);
      this.emit('processed', message, undefined);
      return conversation;
    }
    const { context, input } = await this.brainContext(conversation, message, now);
    const brainStarted = performance.now();
    const decided = await this.brain.decide(context);
    this.emit('decided', decided, performance.now() - brainStarted);
    const decision: Decision = input.truncatedFrom ? { ...decided, annotations: { ...decided.annotations, truncatedFrom: input.truncatedFrom } } : decided;

    // Effects first: a re-run after a crash repeats them harmlessly (both are idempotent).
    if (decision.effects?.rating) await this.store.messages.rateLatestBotReply(conversation._id, decision.effects.rating, message.receivedAt, now);
    if (decision.effects?.aiOptOut) await this.store.contacts.setAiOptOut(message.contactId, true);

    const isFirstReply = !conversation.lastBotReplyAt && !conversation.firstResponseAt;
    await this.queueReply(conversation, message, decision, isFirstReply, now);

    let next: ConversationRecord = { ...conversation, lastBotReplyAt: now, latest: decision.annotations };
    if (decision.kind === 'escalate') {
      // Escalate before marking the message done: a crash in between must re-run into "a person owns it".
      const escalation = { reason: decision.reason, team: decision.team, priority: decision.priority };
      await this.store.conversations.escalate(conversation._id, escalation, decision.annotations, now, decision.botHelpsUntil);
      await this.handoff?.escalated(conversation._id, message._id, now);
      await this.store.messages.markProcessed(message._id, decision.kind, decision.annotations, now);
      // After the message is done: a re-run after a crash (which repeats the writes above) is not counted twice.
      this.emit('escalated', { reason: decision.reason, team: decision.team });
      next = {
        ...next,
        status: 'pending',
        team: decision.team,
        priority: decision.priority,
        escalationReason: decision.reason,
        ...(decision.botHelpsUntil ? { botHelpsUntil: decision.botHelpsUntil } : {}),
      };
    } else {
      // The reply is queued; the turn's two remaining writes are independent (losing the analysis is harmless).
      const unhelpful = decision.annotations.unhelpful === true;
      await Promise.all([
        this.store.conversations.recordTurn(conversation._id, decision.annotations, unhelpful, now, decision.choices ?? []),
        this.store.messages.markProcessed(message._id, decision.kind, decision.annotations, now),
      ]);
      next = { ...next, unhelpfulTurns: unhelpful ? conversation.unhelpfulTurns + 1 : 0 };
    }
    this.emit('processed', message, decision);
    return next;
  }

  /** What the brain reads for this message: the text (bounded), the contact, the conversation, recent history. */
  private async brainContext(conversation: ConversationRecord, message: MessageRecord, now: Date): Promise<{ context: BrainContext; input: BrainText }> {
    let [contact, history, queue] = await Promise.all([
      this.store.contacts.get(message.contactId),
      this.brain.usesHistory ? this.store.messages.history(conversation._id, 12) : Promise.resolve([]),
      this.queueStatus(conversation, now),
    ]);
    if (!contact) {
      await this.store.contacts.createFor(message.contactId);
      contact = await this.store.contacts.get(message.contactId);
    }
    const input = boundForBrain(message.text, this.brainMaxChars);
    const actionValue = message.actionValue ?? chosenByText(input.text, conversation.offeredChoices);
    const context: BrainContext = {
      conversationId: String(conversation._id),
      text: input.text,
      ...(actionValue !== undefined ? { actionValue } : {}),
      channelKind: conversation.channelKind,
      contact: {
        aiOptOut: contact?.aiOptOut ?? false,
        vip: contact?.vip ?? false,
        ...(contact?.displayName ? { displayName: contact.displayName } : {}),
      },
      conversation: {
        status: conversation.status,
        unhelpfulTurns: conversation.unhelpfulTurns,
        ...(conversation.latest?.language ? { language: conversation.latest.language } : {}),
      },
      // Agents' internal notes are for colleagues, not for the customer's assistant (or a provider's prompt); a
      // message given up on (quarantined, or failed for good) is never read by the brain again.
      history: history
        .filter((h) => !h._id.equals(message._id) && !h.internal && !GIVEN_UP.has(h.processing?.outcome ?? ''))
        .map((h) => ({ author: h.author.kind, text: boundForBrain(h.text, this.brainMaxChars).text })),
      ...(queue ? { queue } : {}),
    };
    return { context, input };
  }

  /**
   * Where a handed-over conversation stands in its team's queue, and the team's recent first-reply times (the
   * brain turns them into "usually within 10 minutes", or uses the configured wait when they are too few).
   */
  private async queueStatus(conversation: ConversationRecord, now: Date): Promise<QueueStatus | undefined> {
    if (conversation.status !== 'pending' || !conversation.team) return undefined;
    const [position, recentFirstReplyMs] = await Promise.all([
      this.store.conversations.queuePosition(conversation),
      this.store.conversations.recentFirstReplyTimes(conversation.team, new Date(now.getTime() - RECENT_REPLIES_MS)),
    ]);
    if (position === undefined) return undefined;
    const repliedSinceHandoff = !!(conversation.lastBotReplyAt && conversation.escalatedAt && conversation.lastBotReplyAt > conversation.escalatedAt);
    return { team: conversation.team, position, recentFirstReplyMs, repliedSinceHandoff };
  }

  /**
   * A customer writing while the conversation waits for a person: the brain may answer with where they stand
   * (queue position, expected wait) or stay silent; the conversation stays with people either way.
   */
  private async handleWhileQueued(conversation: ConversationRecord, message: MessageRecord, now: Date): Promise<ConversationRecord> {
    const { context } = await this.brainContext(conversation, message, now);
    const reply = context.queue ? await this.brain.whileQueued!({ ...context, queue: context.queue }) : undefined;
    if (!reply) {
      await this.store.messages.markProcessed(message._id, 'silent:pending', { decision: 'silent' }, now);
      this.emit('processed', message, undefined);
      return conversation;
    }
    if (reply.effects?.aiOptOut) await this.store.contacts.setAiOptOut(message.contactId, true);
    // Withdrawn before anyone took it: back to the bot (a re-run finds it with the bot and handles it as a turn).
    const withdrawn = reply.effects?.withdraw === true && (await this.store.conversations.returnToBot(conversation._id, now));
    const parts: Part[] = [{ type: 'text', text: reply.text }];
    if (reply.choices?.length) parts.push({ type: 'choices', choices: reply.choices });
    await this.queueOutbound(conversation, message, { author: { kind: 'bot' }, parts, citations: [], annotations: reply.annotations }, now);
    if (!withdrawn) await this.store.conversations.recordWaitingReply(conversation._id, now, reply.choices ?? []);
    await this.store.messages.markProcessed(message._id, withdrawn ? 'withdrawn' : 'status', reply.annotations, now);
    this.emit('processed', message, undefined);
    return withdrawn ? { ...conversation, status: 'bot', unhelpfulTurns: 0, lastBotReplyAt: now } : { ...conversation, lastBotReplyAt: now };
  }

  /**
   * A resolved conversation only still receives messages while its survey waits (the ingestor moves anything else
   * to a new conversation): the answer is stored on the conversation and thanked for.
   */
  private async handleSurveyAnswer(conversation: ConversationRecord, message: MessageRecord, now: Date): Promise<ConversationRecord> {
    const score = csatScore(message.actionValue, message.text, conversation.offeredChoices);
    if (score === undefined || conversation.csat?.score !== undefined) {
      await this.store.messages.markProcessed(message._id, 'silent:resolved', { decision: 'silent' }, now);
      this.emit('processed', message, undefined);
      return conversation;
    }
    await this.store.conversations.recordCsat(conversation._id, score, now);
    await this.queueOutbound(conversation, message, { author: { kind: 'system' }, parts: [{ type: 'text', text: CSAT_THANKS }], citations: [] }, now);
    await this.handoff?.csatAnswered(conversation._id, score, now);
    await this.store.messages.markProcessed(message._id, 'csat', {}, now);
    this.emit('processed', message, undefined);
    return { ...conversation, csat: { ...(conversation.csat ?? { requestedAt: now }), score, answeredAt: now } };
  }

  private async queueReply(conversation: ConversationRecord, message: MessageRecord, decision: Decision, isFirstReply: boolean, now: Date): Promise<void> {
    await this.queueOutbound(
      conversation,
      message,
      {
        author: { kind: 'bot' },
        parts: this.replyParts(decision, isFirstReply),
        citations: decision.kind === 'answer' ? decision.citations : [],
        annotations: decision.annotations,
      },
      now,
    );
  }

  private async queueOutbound(
    conversation: ConversationRecord,
    message: MessageRecord,
    content: Pick<OutboundInput, 'author' | 'parts' | 'citations' | 'annotations'>,
    now: Date,
  ): Promise<void> {
    const dedupeKey = `reply:${String(message._id)}`;
    const queued = await this.store.messages.queueOutbound({
      conversationId: conversation._id,
      contactId: message.contactId,
      channelId: conversation.channelId,
      ...content,
      dedupeKey,
      replyTo: message._id,
      now,
    });
    // A re-run after a crash finds the reply written before; it still needs a delivery job if it never got one.
    const reply = queued ?? (await this.store.messages.findByDedupeKey(dedupeKey));
    if (reply?.delivery?.status !== 'queued') return;
    const inline = this.inlineDeliverer;
    const held = await this.store.jobs.enqueueDelivery(reply, now, inline ? { owner: inline.owner, leaseMs: inline.leaseMs } : undefined);
    this.emit('queued', message, reply);
    if (inline && held) {
      // Delivery failures are the deliverer's business (recorded, retried by the job); they do not fail processing.
      await inline.deliverHeld(held, reply, conversation).catch((err) => this.log.error({ err }, 'inline delivery failed'));
    } else {
      this.onQueued();
    }
  }

  private replyParts(decision: Decision, isFirstReply: boolean): Part[] {
    const disclosure = isFirstReply && this.options.aiDisclosure ? disclosureFor(this.options.aiDisclosure, decision.annotations.language) : '';
    const text = disclosure ? `${disclosure}\n\n${decision.text}` : decision.text;
    const parts: Part[] = [{ type: 'text', text }];
    const choices = decision.kind === 'escalate' ? undefined : decision.choices;
    if (choices?.length) parts.push({ type: 'choices', choices });
    return parts;
  }

  /**
   * A failing brain or store must not wedge the conversation: the error is stored on the message, the job is
   * retried after a back-off (not in a hot loop), and after `maxAttempts` the conversation goes to people with
   * the reason recorded. Returns when to retry, or undefined when the message was given up on.
   */
  private async recordFailure(conversation: ConversationRecord, message: MessageRecord, err: unknown, attempt: number | undefined): Promise<Date | undefined> {
    const errorText = err instanceof Error ? err.message : String(err);
    // The attempt was counted when it started, unless counting it is what failed.
    let attempts: number;
    if (attempt === undefined) attempts = await this.store.messages.recordProcessingFailure(message._id, errorText);
    else {
      attempts = attempt;
      await this.store.messages.recordProcessingError(message._id, errorText);
    }
    this.log.error({ err, conversation: String(conversation._id), message: String(message._id), attempts }, 'processing failed');
    this.emit('failed', message, err);
    const now = this.clock();
    if (attempts >= this.maxAttempts) {
      await this.giveUp(conversation, message, 'error', now);
      return new Date(now.getTime());
    }
    return new Date(now.getTime() + Math.min(1000 * 2 ** attempts, 60_000));
  }

  /**
   * A message claimed again after `maxAttempts` attempts that never finished (each hung or killed its worker):
   * the brain does not see it again. People get the conversation with the reason; the full text stays stored.
   */
  private async quarantine(conversation: ConversationRecord, message: MessageRecord, attempt: number): Promise<ConversationRecord> {
    this.log.error({ conversation: String(conversation._id), message: String(message._id), attempts: attempt - 1 }, 'message quarantined: its processing never finished');
    const now = this.clock();
    await this.giveUp(conversation, message, 'quarantined', now);
    this.emit('quarantined', message);
    this.emit('processed', message, undefined);
    return conversation.status === 'bot' ? { ...conversation, status: 'pending', escalationReason: 'processing_error', priority: 'high' } : conversation;
  }

  private async giveUp(conversation: ConversationRecord, message: MessageRecord, outcome: 'error' | 'quarantined', now: Date): Promise<void> {
    const escalation = { reason: 'processing_error', team: conversation.team ?? 'support', priority: 'high' as const };
    await this.store.conversations.escalate(conversation._id, escalation, { reason: 'processing_error' }, now);
    await this.handoff?.escalated(conversation._id, message._id, now);
    await this.store.messages.markProcessed(message._id, outcome, { decision: 'escalate', reason: 'processing_error' }, now);
    this.emit('escalated', { reason: escalation.reason, team: escalation.team });
  }
}

/** The first replies a queued customer's expected wait is measured from: the team's, in the last two weeks. */
const RECENT_REPLIES_MS = 14 * 24 * 3_600_000;

/** Outcomes of messages the pipeline gave up on: never fed to the brain again, not even as history. */
const GIVEN_UP: ReadonlySet<string> = new Set(['error', 'quarantined']);

export type { JobRecord };
