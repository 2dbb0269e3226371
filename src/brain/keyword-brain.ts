import type { Choice } from '../../adapters/types';
import { confidentEnough, type KeywordRetriever } from '../../knowledge/retriever';
import { extractEntities, isPii } from './entities';
import { asksForHuman, isGreeting, isThanks } from './intents';
import { detectLanguage } from './language';
import { HANDOFF_ACTION, type Brain, type BrainContext, type Decision } from './types';

export interface KeywordBrainOptions {
  /** Share of the question's meaningful words an article must contain before we answer from it. */
  minConfidence: number;
  /** Unhelpful turns in a row after which a person takes over. */
  maxUnhelpfulTurns: number;
  defaultTeam: string;
}

const HANDOFF_CHOICE: Choice = { id: HANDOFF_ACTION, title: 'Talk to a person' };

/**
 * The interim embedded brain: answers from the help centre by best keyword match (BM25), cites the article,
 * abstains when the match is weak, and hands over when asked or after repeated misses.
 */
export class KeywordBrain implements Brain {
  readonly name = 'keyword';

  constructor(
    private readonly retriever: KeywordRetriever,
    private readonly options: KeywordBrainOptions,
  ) {}

  async decide(ctx: BrainContext): Promise<Decision> {
    const text = ctx.text.trim();
    const language = detectLanguage(text, ctx.conversation.language ? { fallback: ctx.conversation.language } : {});
    const entities = extractEntities(text).map((e) => (isPii(e.kind) ? { kind: e.kind } : { kind: e.kind, value: e.value }));
    const base = { ...(language ? { language } : {}), ...(entities.length ? { entities } : {}) };

    if (ctx.actionValue === HANDOFF_ACTION || asksForHuman(text)) {
      return this.escalate('customer_request', "Of course — I'm handing you over to a member of our team. They'll reply here.", ctx, base);
    }
    if (ctx.contact.aiOptOut) {
      return this.escalate('ai_opt_out', 'Thanks for your message — a member of our team will reply here.', ctx, base);
    }
    if (isGreeting(text)) {
      return {
        kind: 'clarify',
        text: 'Hi! Ask me anything about orders, shipping, returns, payments or your account.',
        choices: [HANDOFF_CHOICE],
        annotations: { ...base, intent: 'greeting', intentConfidence: 1, decision: 'clarify' },
      };
    }
    if (isThanks(text)) {
      return {
        kind: 'answer',
        text: "You're welcome! Is there anything else I can help with?",
        citations: [],
        annotations: { ...base, intent: 'thanks', intentConfidence: 1, decision: 'answer' },
      };
    }

    const [best] = this.retriever.search(text, 3);
    if (best && confidentEnough(best, this.options.minConfidence)) {
      return {
        kind: 'answer',
        text: best.chunk.text,
        citations: [{ title: best.chunk.title, ...(best.chunk.url ? { url: best.chunk.url } : {}) }],
        choices: [HANDOFF_CHOICE],
        annotations: {
          ...base,
          intent: `faq:${best.chunk.id}`,
          intentConfidence: round(best.coverage),
          answerScore: round(best.score),
          decision: 'answer',
        },
      };
    }

    const confidence = round(best?.coverage ?? 0);
    if (ctx.conversation.unhelpfulTurns + 1 >= this.options.maxUnhelpfulTurns) {
      return this.escalate(
        'low_confidence',
        "I'm sorry, I couldn't find a good answer. I'm passing your question to a member of our team.",
        ctx,
        { ...base, intentConfidence: confidence },
      );
    }
    return {
      kind: 'clarify',
      text: "I'm not sure I found the right answer to that. Could you rephrase it, or would you like to talk to a person?",
      choices: [HANDOFF_CHOICE],
      annotations: { ...base, intent: 'unknown', intentConfidence: confidence, decision: 'clarify', reason: 'low_confidence' },
    };
  }

  private escalate(
    reason: Extract<Decision, { kind: 'escalate' }>['reason'],
    text: string,
    ctx: BrainContext,
    annotations: Decision['annotations'],
  ): Decision {
    return {
      kind: 'escalate',
      text,
      reason,
      team: this.options.defaultTeam,
      priority: ctx.contact.vip ? 'high' : 'normal',
      annotations: { ...annotations, decision: 'escalate', reason },
    };
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
