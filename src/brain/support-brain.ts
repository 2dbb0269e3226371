import type { Choice } from '../../adapters/types';
import type { Annotations } from '../../conversations/types';
import type { Analysis, Analyzer } from './analysis/types';
import { planAnswer } from './answer/answer-path';
import type { PassageSource } from './answer/passages';
import type { Answerer, GroundedAnswer } from './answer/types';
import type { IntentSpec } from './catalog/intents';
import { readInContext } from './context';
import { clearlyOffTopic, offTopicAfterAbstaining, type OffTopicEvidence, type OffTopicModel } from './offtopic';
import { queueStatusText, waitingTurn } from './queue-status';
import { asksToOptOutOfAi, RATE_HELPFUL, RATE_UNHELPFUL, replyLanguage, saysNotHelpful, Voice, type SentenceName } from './replies';
import { isOpen, nextOpening } from './routing/hours';
import { route, type RoutingConfig, type RoutingOutcome } from './routing/rules';
import { yieldToEventLoop } from './yield';
import { HANDOFF_ACTION, type Brain, type BrainContext, type Decision, type EscalationReason, type QueueStatus, type WaitingReply } from './types';

export interface SupportBrainParts {
  name: string;
  analyzer: Analyzer;
  passages: PassageSource;
  answerer: Answerer;
  intents: IntentSpec[];
  routing: RoutingConfig;
  /** A canned intent answer is used only above this confidence; otherwise the knowledge base answers. */
  cannedMinConfidence: number;
  /**
   * Languages the answerer can reply in. The extractive answerer only quotes the knowledge base, so it is the
   * knowledge base's languages; a generating model answers in any. Unset: any.
   */
  answerLanguages?: string[];
  /** The off-topic head over the shared encoder; without it, off-topic messages are handed over as before. */
  offTopic?: OffTopicModel;
  /** What the help centre covers (its article titles), for "I can help with …". */
  topics?: string[];
  clock?: () => Date;
}

/** How this turn speaks and whether a hand-over already stands. */
interface Turn {
  voice: Voice;
  alreadyQueued: boolean;
  queue?: QueueStatus;
}

/**
 * The brain every provider shares: analyse the message, apply the admin's routing rules, then answer from the
 * knowledge base with citations or hand over with a reason. Providers differ only in the parts they plug in
 * (embedded analyzer and extractive answers, or a model with the embedded parts as fallback); the decisions
 * about when people take over live here, in code and in `routing.yaml`, never in model output.
 */
export class SupportBrain implements Brain {
  readonly name: string;
  readonly usesHistory = true;
  private indexed: { list: IntentSpec[]; byName: Map<string, IntentSpec> } | undefined;
  private readonly clock: () => Date;

  constructor(private readonly parts: SupportBrainParts) {
    this.name = parts.name;
    this.clock = parts.clock ?? (() => new Date());
  }

  /** The admin's intent by name, from the catalog in force (it changes when an admin saves one in the console). */
  private intentNamed(name: string): IntentSpec | undefined {
    const list = this.parts.intents;
    if (this.indexed?.list !== list) this.indexed = { list, byName: new Map(list.map((i) => [i.name, i])) };
    return this.indexed.byName.get(name);
  }

  async decide(ctx: BrainContext): Promise<Decision> {
    const text = ctx.text.trim();
    const history = ctx.history.filter((h) => h.author !== 'system').map((h) => ({ author: h.author as 'contact' | 'bot' | 'agent', text: h.text }));
    // A dependent follow-up ("and how long does that take?") is read with the question it follows.
    const read = await readInContext(this.parts.analyzer, text, history, ctx.conversation.language, (a) => this.standsAlone(a));
    const { query } = read;
    const language = replyLanguage(text, read.analysis.language, ctx.conversation.language, this.parts.answerLanguages?.[0]);
    const analysis: Analysis = { ...read.analysis, ...(language ? { language } : {}) };
    const intent = analysis.intent.outOfScope ? undefined : this.intentNamed(analysis.intent.name);
    const routing = route(this.parts.routing, { analysis, ...(intent ? { intent } : {}), vip: ctx.contact.vip, channelKind: ctx.channelKind });
    const notes = annotate(analysis, routing);
    const voice = Voice.for(analysis.language);
    const turn: Turn = { voice, alreadyQueued: ctx.conversation.status === 'pending', ...(ctx.queue ? { queue: ctx.queue } : {}) };
    // The extractive answerer quotes the knowledge base and cannot translate it: such a customer is handed over.
    const foreign = !!analysis.language && !!this.parts.answerLanguages && !this.parts.answerLanguages.includes(analysis.language);

    if (ctx.actionValue === HANDOFF_ACTION || analysis.wantsHuman) {
      return this.escalate('customer_request', 'handoff', routing, notes, turn);
    }
    if (asksToOptOutOfAi(text)) {
      return { ...this.escalate('ai_opt_out', 'optOut', routing, notes, turn), effects: { aiOptOut: true } };
    }
    if (ctx.contact.aiOptOut) return this.escalate('ai_opt_out', 'optedOut', routing, notes, turn);

    const rating = ctx.actionValue === RATE_HELPFUL ? 'helpful' : ctx.actionValue === RATE_UNHELPFUL || saysNotHelpful(text) ? 'unhelpful' : undefined;
    if (rating === 'helpful') {
      return { kind: 'answer', text: voice.say('thanksForRating'), citations: [], annotations: { ...notes, decision: 'answer' }, effects: { rating } };
    }
    if (rating === 'unhelpful') {
      if (ctx.conversation.unhelpfulTurns + 1 >= this.parts.routing.unhelpfulTurns) {
        return { ...this.escalate('repeated_failure', 'repeated', routing, notes, turn), effects: { rating } };
      }
      return {
        kind: 'clarify',
        text: voice.say('sorryUnhelpful'),
        choices: [voice.handoffChoice],
        annotations: { ...notes, decision: 'clarify', unhelpful: true },
        effects: { rating },
      };
    }

    if (routing.escalate) {
      const reply = routing.escalate === 'negative_sentiment' ? 'upset' : routing.escalate === 'urgent' ? 'urgent' : 'policy';
      return this.escalate(routing.escalate, reply, routing, notes, turn);
    }

    // Canned intent answers are written in the help centre's language.
    if (!foreign && intent?.answer && analysis.intent.confidence >= this.parts.cannedMinConfidence) {
      return { kind: 'answer', text: intent.answer, citations: [], choices: [voice.handoffChoice], annotations: { ...notes, decision: 'answer' } };
    }

    // The head reads English (the shared encoder is English-only): a foreign-language message is never called off-topic.
    const offTopic = foreign ? undefined : await this.offTopicEvidence(query, analysis);
    if (offTopic && clearlyOffTopic(offTopic)) return this.offTopicReply(voice, notes, offTopic);

    await yieldToEventLoop();
    const plan = await planAnswer(query, ctx.actionValue, this.parts.passages);
    await yieldToEventLoop();
    if (plan.kind === 'clarify') {
      // The options are English section titles: a customer in another language is handed over in theirs instead.
      if (foreign) return this.escalate('unsupported_language', 'foreign', routing, { ...notes, answerScore: round(plan.best), unhelpful: true }, turn);
      // Between two sections: one short question with the options as buttons, instead of a hand-over.
      return { kind: 'clarify', text: plan.text, choices: [...plan.choices, voice.handoffChoice], annotations: { ...notes, decision: 'clarify', answerScore: round(plan.best) } };
    }
    const passages = plan.passages;
    const answer = await this.parts.answerer.answer(query, passages, { ...(analysis.language ? { language: analysis.language } : {}), history });
    const best = plan.best;
    Object.assign(notes, provenance(analysis, answer));
    if (answer.kind === 'answer') {
      const choices: Choice[] = [...voice.ratingChoices, voice.handoffChoice];
      return {
        kind: 'answer',
        text: answer.text,
        citations: answer.citations.map((c) => ({ title: c.title, ...(c.url ? { url: c.url } : {}) })),
        choices,
        annotations: { ...notes, decision: 'answer', answerScore: round(best), ...(answer.citations[0] ? { answerSource: answer.citations[0].id } : {}) },
      };
    }
    if (answer.kind === 'abstain' && answer.reason === 'policy') {
      return this.escalate('policy', 'policy', routing, { ...notes, answerScore: round(best) }, turn);
    }
    if (foreign) {
      return this.escalate('unsupported_language', 'foreign', routing, { ...notes, answerScore: round(best), unhelpful: true }, turn);
    }
    // Chit-chat or a general request the help centre has nothing on: say what the assistant is for, no hand-over.
    if (offTopic && offTopicAfterAbstaining(offTopic)) return this.offTopicReply(voice, { ...notes, answerScore: round(best) }, offTopic);
    // Honest abstention: say we do not know and bring in people, rather than guess.
    return this.escalate('low_confidence', 'abstain', routing, { ...notes, answerScore: round(best), unhelpful: true }, turn);
  }

  /** A customer writing while a person is awaited: where they stand, in their language (src/brain/queue-status.ts). */
  async whileQueued(ctx: BrainContext & { queue: QueueStatus }): Promise<WaitingReply | undefined> {
    const analysis = await this.parts.analyzer.analyze(ctx.text.trim(), ctx.conversation.language ? { conversationLanguage: ctx.conversation.language } : {});
    return waitingTurn(ctx, analysis, this.parts.routing, this.clock());
  }

  /** A confident canned intent (a greeting, thanks) is never re-read as a follow-up of the previous question. */
  private standsAlone(analysis: Analysis): boolean {
    if (analysis.wantsHuman) return true;
    const intent = analysis.intent.outOfScope ? undefined : this.intentNamed(analysis.intent.name);
    return !!intent?.answer && analysis.intent.confidence >= this.parts.cannedMinConfidence;
  }

  private async offTopicEvidence(query: string, analysis: Analysis): Promise<OffTopicEvidence | undefined> {
    if (!this.parts.offTopic) return undefined;
    return { probability: await this.parts.offTopic.probability(query), outOfScope: analysis.intent.outOfScope };
  }

  private offTopicReply(voice: Voice, notes: Annotations, evidence: OffTopicEvidence): Decision {
    return {
      kind: 'clarify',
      text: voice.offTopic(this.parts.topics ?? this.parts.passages.topics?.() ?? []),
      choices: [voice.handoffChoice],
      annotations: { ...notes, decision: 'clarify', reason: 'off_topic', ...(evidence.probability !== undefined ? { offTopicScore: round(evidence.probability) } : {}) },
    };
  }

  private escalate(reason: EscalationReason, sentence: SentenceName | 'foreign', routing: RoutingOutcome, notes: Annotations, turn: Turn): Decision {
    const now = this.clock();
    const { voice } = turn;
    const text = sentence === 'foreign' ? voice.foreignHandover() : voice.handover(sentence);
    const annotations: Annotations = { ...notes, decision: 'escalate', reason };
    if (turn.alreadyQueued) {
      // Escalated earlier outside hours and the bot kept helping: the queue entry stands, no second escalation.
      const status = turn.queue && !voice.handoffOnly ? ` ${queueStatusText(voice, this.parts.routing, turn.queue, now)}` : '';
      return { kind: 'clarify', text: voice.handover('alreadyQueued') + status, choices: [], annotations: { ...annotations, decision: 'clarify' } };
    }
    const base = { kind: 'escalate' as const, reason, team: routing.team, priority: routing.priority, annotations };
    const hours = routing.hours;
    if (hours && !isOpen(hours, now)) {
      const back = nextOpening(hours, now);
      if (back) {
        const teamName = this.parts.routing.teams[routing.team]?.name ?? routing.team;
        // An AI opt-out is the one case where the bot must not keep talking.
        const keepHelping = reason !== 'ai_opt_out';
        // A language with only its hand-over sentence gets that alone (the bot still helps, in no mixed reply).
        const note = keepHelping && !voice.handoffOnly ? `\n\n${voice.afterHours(teamName, back, hours.timezone, now)}` : '';
        return {
          ...base,
          text: `${text}${note}`,
          ...(keepHelping ? { botHelpsUntil: back } : {}),
        };
      }
    }
    return { ...base, text };
  }
}

function annotate(analysis: Analysis, routing: RoutingOutcome): Annotations {
  const entities = analysis.entities.map((e) => (['email', 'phone', 'card', 'iban'].includes(e.kind) ? { kind: e.kind } : { kind: e.kind, value: e.value }));
  return {
    ...(analysis.language ? { language: analysis.language } : {}),
    intent: analysis.intent.name,
    intentConfidence: analysis.intent.confidence,
    outOfScope: analysis.intent.outOfScope,
    sentiment: analysis.sentiment.label,
    sentimentScore: round(analysis.sentiment.score),
    frustration: round(analysis.sentiment.frustration),
    urgent: analysis.sentiment.urgent,
    team: routing.team,
    priority: routing.priority,
    ...(routing.applied.length ? { rules: routing.applied } : {}),
    ...(entities.length ? { entities } : {}),
  };
}

/** "openai", "embedded", or "openai→embedded (timeout)" when the provider fell back for this turn. */
function provenance(analysis: Analysis, answer: GroundedAnswer): Pick<Annotations, 'provider' | 'fallbackReason'> {
  const parts = [analysis, answer];
  const fellBack = parts.find((p) => p.provider === 'embedded-fallback');
  if (fellBack) return { provider: 'openai→embedded', ...(fellBack.fallbackReason ? { fallbackReason: fellBack.fallbackReason } : {}) };
  return parts.some((p) => p.provider === 'openai') ? { provider: 'openai' } : {};
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
