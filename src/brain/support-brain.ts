import type { Choice } from '../../adapters/types';
import type { Annotations } from '../../conversations/types';
import type { Analysis, Analyzer } from './analysis/types';
import { planAnswer } from './answer/answer-path';
import type { PassageSource } from './answer/passages';
import type { Answerer, GroundedAnswer } from './answer/types';
import type { IntentSpec } from './catalog/intents';
import { afterHours, asksToOptOutOfAi, HANDOFF_CHOICE, handoffInLanguage, RATE_HELPFUL, RATE_UNHELPFUL, RATING_CHOICES, REPLIES, saysNotHelpful } from './replies';
import { describeOpening, isOpen, nextOpening } from './routing/hours';
import { route, type RoutingConfig, type RoutingOutcome } from './routing/rules';
import { yieldToEventLoop } from './yield';
import { HANDOFF_ACTION, type Brain, type BrainContext, type Decision, type EscalationReason } from './types';

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
  clock?: () => Date;
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
  private readonly intentsByName: Map<string, IntentSpec>;
  private readonly clock: () => Date;

  constructor(private readonly parts: SupportBrainParts) {
    this.name = parts.name;
    this.intentsByName = new Map(parts.intents.map((i) => [i.name, i]));
    this.clock = parts.clock ?? (() => new Date());
  }

  async decide(ctx: BrainContext): Promise<Decision> {
    const text = ctx.text.trim();
    const analysis = await this.parts.analyzer.analyze(text, ctx.conversation.language ? { conversationLanguage: ctx.conversation.language } : {});
    const intent = analysis.intent.outOfScope ? undefined : this.intentsByName.get(analysis.intent.name);
    const routing = route(this.parts.routing, { analysis, ...(intent ? { intent } : {}), vip: ctx.contact.vip, channelKind: ctx.channelKind });
    const notes = annotate(analysis, routing);
    const alreadyQueued = ctx.conversation.status === 'pending';

    if (ctx.actionValue === HANDOFF_ACTION || analysis.wantsHuman) {
      return this.escalate('customer_request', REPLIES.handoff, routing, notes, alreadyQueued);
    }
    if (asksToOptOutOfAi(text)) {
      return { ...this.escalate('ai_opt_out', REPLIES.optOut, routing, notes, alreadyQueued), effects: { aiOptOut: true } };
    }
    if (ctx.contact.aiOptOut) return this.escalate('ai_opt_out', REPLIES.optedOut, routing, notes, alreadyQueued);

    const rating = ctx.actionValue === RATE_HELPFUL ? 'helpful' : ctx.actionValue === RATE_UNHELPFUL || saysNotHelpful(text) ? 'unhelpful' : undefined;
    if (rating === 'helpful') {
      return { kind: 'answer', text: REPLIES.thanksForRating, citations: [], annotations: { ...notes, decision: 'answer' }, effects: { rating } };
    }
    if (rating === 'unhelpful') {
      if (ctx.conversation.unhelpfulTurns + 1 >= this.parts.routing.unhelpfulTurns) {
        return { ...this.escalate('repeated_failure', REPLIES.repeated, routing, notes, alreadyQueued), effects: { rating } };
      }
      return {
        kind: 'clarify',
        text: REPLIES.sorryUnhelpful,
        choices: [HANDOFF_CHOICE],
        annotations: { ...notes, decision: 'clarify', unhelpful: true },
        effects: { rating },
      };
    }

    if (routing.escalate) {
      const reply = routing.escalate === 'negative_sentiment' ? REPLIES.upset : routing.escalate === 'urgent' ? REPLIES.urgent : REPLIES.policy;
      return this.escalate(routing.escalate, reply, routing, notes, alreadyQueued);
    }

    if (intent?.answer && analysis.intent.confidence >= this.parts.cannedMinConfidence) {
      return { kind: 'answer', text: intent.answer, citations: [], choices: [HANDOFF_CHOICE], annotations: { ...notes, decision: 'answer' } };
    }

    const history = ctx.history.filter((h) => h.author !== 'system').map((h) => ({ author: h.author as 'contact' | 'bot' | 'agent', text: h.text }));
    await yieldToEventLoop();
    const plan = await planAnswer(text, ctx.actionValue, this.parts.passages);
    await yieldToEventLoop();
    if (plan.kind === 'clarify') {
      // Between two sections: one short question with the options as buttons, instead of a hand-over.
      return { kind: 'clarify', text: plan.text, choices: [...plan.choices, HANDOFF_CHOICE], annotations: { ...notes, decision: 'clarify', answerScore: round(plan.best) } };
    }
    const passages = plan.passages;
    const answer = await this.parts.answerer.answer(text, passages, { ...(analysis.language ? { language: analysis.language } : {}), history });
    const best = plan.best;
    Object.assign(notes, provenance(analysis, answer));
    if (answer.kind === 'answer') {
      const choices: Choice[] = [...RATING_CHOICES, HANDOFF_CHOICE];
      return {
        kind: 'answer',
        text: answer.text,
        citations: answer.citations.map((c) => ({ title: c.title, ...(c.url ? { url: c.url } : {}) })),
        choices,
        annotations: { ...notes, decision: 'answer', answerScore: round(best), ...(answer.citations[0] ? { answerSource: answer.citations[0].id } : {}) },
      };
    }
    if (answer.kind === 'abstain' && answer.reason === 'policy') {
      return this.escalate('policy', REPLIES.policy, routing, { ...notes, answerScore: round(best) }, alreadyQueued);
    }
    // Honest abstention: say we do not know and bring in people, rather than guess.
    const foreign = analysis.language && this.parts.answerLanguages && !this.parts.answerLanguages.includes(analysis.language);
    const inTheirLanguage = foreign ? handoffInLanguage(analysis.language) : undefined;
    if (foreign) {
      return this.escalate('unsupported_language', inTheirLanguage ?? REPLIES.abstain, routing, { ...notes, answerScore: round(best), unhelpful: true }, alreadyQueued);
    }
    return this.escalate('low_confidence', REPLIES.abstain, routing, { ...notes, answerScore: round(best), unhelpful: true }, alreadyQueued);
  }

  private escalate(reason: EscalationReason, text: string, routing: RoutingOutcome, notes: Annotations, alreadyQueued: boolean): Decision {
    const now = this.clock();
    const annotations: Annotations = { ...notes, decision: 'escalate', reason };
    if (alreadyQueued) {
      // Escalated earlier outside hours and the bot kept helping: the queue entry stands, no second escalation.
      return { kind: 'clarify', text: REPLIES.alreadyQueued, choices: [], annotations: { ...annotations, decision: 'clarify' } };
    }
    const base = { kind: 'escalate' as const, reason, team: routing.team, priority: routing.priority, annotations };
    const hours = routing.hours;
    if (hours && !isOpen(hours, now)) {
      const back = nextOpening(hours, now);
      if (back) {
        const teamName = this.parts.routing.teams[routing.team]?.name ?? routing.team;
        // An AI opt-out is the one case where the bot must not keep talking.
        const keepHelping = reason !== 'ai_opt_out';
        return {
          ...base,
          text: keepHelping ? `${text}\n\n${afterHours(teamName.toLowerCase(), describeOpening(back, hours.timezone, now))}` : text,
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
