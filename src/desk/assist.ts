import type { Logger } from 'pino';
import type { Citation } from '../../adapters/types';
import type { ConversationAssist, ConversationRecord, MessageRecord } from '../../conversations/types';
import type { Brain } from '../brain/types';
import { boundForBrain } from '../pipeline/brain-text';
import { channelLabel, humanise, reasonLabel } from './labels';

export interface AssistInput {
  conversation: ConversationRecord;
  customerName: string;
  /** The conversation so far, oldest first (internal notes included; they are never quoted to the customer). */
  history: MessageRecord[];
}

/** Intents whose answer needs the order: the suggestion asks for it when the customer has not given one. */
const NEEDS_ORDER = new Set(['track_order', 'late_delivery', 'refund_status', 'cancel_order', 'return_item', 'damaged_item', 'change_address', 'warranty_claim']);

const OPENERS: Record<string, string> = {
  track_order: "I'm checking where your order is right now",
  late_delivery: "I'm sorry your order is late — I'm looking into it now",
  refund_status: "I'm checking the status of your refund now",
  cancel_order: "I'm looking at your cancellation now",
  return_item: "I'll help you with the return",
  damaged_item: "I'm sorry the item arrived damaged — we'll put that right",
  payment_problem: "I'm sorry about the trouble with your payment — I'm looking into it",
  account_access: "I'll help you get back into your account",
  change_address: "I'll update the delivery address for you",
  warranty_claim: "I'll help you with the warranty claim",
  complaint: "I'm sorry about your experience, and thank you for telling us",
};

/**
 * Agent assist without a provider: a summary, a suggested reply, a follow-up email draft and a next best action,
 * built from what the pipeline already knows (the brain's analysis, the knowledge base, the conversation). The
 * suggested reply asks the same brain that answers customers, so it cites the same articles; when the knowledge
 * base has nothing, it is a short, honest holding reply for the intent.
 */
export class AgentAssist {
  constructor(
    private readonly brain: Brain,
    private readonly log: Logger,
    /** The processor's BRAIN_MAX_CHARS: the assist asks the same brain, so it reads the same bounded text. */
    private readonly brainMaxChars = 4000,
  ) {}

  /**
   * `useBrain: false` for a conversation handed over because the brain failed on it (processing_error): the summary
   * comes from the analysis and the suggestion is a holding reply, so a message that hangs the brain is not fed to
   * it again here.
   */
  async prepare(input: AssistInput, now: Date, options: { useBrain?: boolean } = {}): Promise<ConversationAssist> {
    if (options.useBrain === false) {
      return { summary: summarize(input), suggestion: { text: `Hi ${firstName(input.customerName)}, ${holdingReply(input.conversation)}`, citations: [] }, at: now };
    }
    const [summary, suggestion] = await Promise.all([
      this.summary(input),
      this.suggest(input).catch((err: unknown) => {
        this.log.warn({ err, conversation: String(input.conversation._id) }, 'assist: no suggested reply');
        return undefined;
      }),
    ]);
    return { summary, ...(suggestion ? { suggestion } : {}), at: now };
  }

  /** The brain's model writes it when there is one; the analysis-based summary is the fallback and the default. */
  private async summary(input: AssistInput): Promise<string> {
    const own = summarize(input);
    if (!this.brain.summarize) return own;
    const transcript = input.history
      .filter((m) => !m.internal && m.text.trim() && !givenUp(m))
      .map((m) => ({ author: m.author.kind === 'contact' ? 'Customer' : m.author.kind === 'bot' ? 'Assistant' : m.author.kind === 'agent' ? 'Agent' : 'System', text: boundForBrain(m.text, this.brainMaxChars).text }));
    try {
      return await this.brain.summarize(transcript, own);
    } catch (err) {
      this.log.warn({ err, conversation: String(input.conversation._id) }, 'assist: the model summary failed; using the analysis summary');
      return own;
    }
  }

  async suggest(input: AssistInput): Promise<{ text: string; citations: Citation[] }> {
    const { conversation } = input;
    // A message the pipeline gave up on (it hung or crashed the brain) is never handed to the brain again here either.
    const customerTurns = input.history.filter((m) => m.direction === 'inbound' && !m.actionValue && m.text.trim().length > 3 && !givenUp(m)).reverse();
    const greeting = `Hi ${firstName(input.customerName)},`;
    // The latest question the knowledge base can answer, looked at from the newest: "I want a person" has none.
    // Two at most: with a provider brain every try is a model call.
    for (const turn of customerTurns.slice(0, 2)) {
      const decision = await this.brain.decide({
        text: boundForBrain(turn.text, this.brainMaxChars).text,
        channelKind: conversation.channelKind,
        contact: { aiOptOut: false, vip: false },
        conversation: { status: 'bot', unhelpfulTurns: 0, ...(conversation.latest?.language ? { language: conversation.latest.language } : {}) },
        history: [],
      });
      if (decision.kind === 'answer' && decision.citations.length > 0) {
        return { text: `${greeting} ${decision.text}`, citations: decision.citations };
      }
    }
    return { text: `${greeting} ${holdingReply(conversation)}`, citations: [] };
  }
}

function givenUp(m: { processing?: { outcome?: string } }): boolean {
  return m.processing?.outcome === 'quarantined' || m.processing?.outcome === 'error';
}

function holdingReply(conversation: ConversationRecord): string {
  const intent = conversation.latest?.intent;
  const opener = (intent && OPENERS[intent]) ?? "thanks for your patience — I'm looking into this for you now";
  const order = conversation.latest?.entities?.find((e) => e.kind === 'order')?.value;
  const sentence = `${opener.charAt(0).toUpperCase()}${opener.slice(1)}${order ? ` (order ${order})` : ''}.`;
  return intent && NEEDS_ORDER.has(intent) && !order ? `${sentence} Could you send me your order number?` : sentence;
}

export function summarize(input: AssistInput): string {
  const { conversation, history } = input;
  const latest = conversation.latest ?? {};
  const customer = history.filter((m) => m.direction === 'inbound' && !m.actionValue);
  const botReplies = history.filter((m) => m.author.kind === 'bot');
  const unhelpful = botReplies.filter((m) => m.rating?.value === 'unhelpful').length;
  const topic = latest.outOfScope ? 'something outside the bot’s topics' : latest.intent ? humanise(latest.intent).toLowerCase() : 'an unclassified request';
  const mood = [latest.sentiment ?? 'neutral', latest.frustration !== undefined && latest.frustration >= 0.3 ? `frustration ${latest.frustration.toFixed(2)}` : '']
    .filter(Boolean)
    .join(', ');
  const lines = [`${input.customerName} wrote on ${channelLabel(conversation.channelKind)} about ${topic} (${mood}${latest.urgent ? ', urgent' : ''}).`];
  if (customer.length > 0) {
    const first = clip(customer[0]!.text);
    const last = clip(customer[customer.length - 1]!.text);
    lines.push(customer.length > 1 ? `First: “${first}” Latest: “${last}”` : `They said: “${first}”`);
  }
  lines.push(
    `The bot replied ${botReplies.length} time${botReplies.length === 1 ? '' : 's'}${unhelpful ? `, ${unhelpful} rated unhelpful` : ''}; handed over because: ${reasonLabel(conversation.escalationReason).toLowerCase()}.`,
  );
  const mentioned = (latest.entities ?? []).map((e) => (e.value ? `${e.kind} ${e.value}` : `${/^[aeiou]/.test(e.kind) ? 'an' : 'a'} ${e.kind}`));
  if (mentioned.length) lines.push(`Mentioned: ${[...new Set(mentioned)].join(', ')}.`);
  return lines.join('\n');
}

/** A follow-up email an agent can paste: the suggestion, framed as a letter. */
export function draftEmail(input: AssistInput, assist: ConversationAssist | undefined, agentName: string): string {
  const topic = input.conversation.latest?.intent ? humanise(input.conversation.latest.intent).toLowerCase() : 'your request';
  const body = (assist?.suggestion?.text ?? `Hi ${firstName(input.customerName)}, ${holdingReply(input.conversation)}`).replace(/^Hi [^,]+,\s*/, '');
  const sources = assist?.suggestion?.citations.filter((c) => c.url).map((c) => `- ${c.title}: ${c.url}`) ?? [];
  return [
    `Subject: Re: ${topic}`,
    '',
    `Hi ${firstName(input.customerName)},`,
    '',
    body,
    ...(sources.length ? ['', 'More detail:', ...sources] : []),
    '',
    'If anything is still unclear, just reply to this email.',
    '',
    'Best regards,',
    agentName,
  ].join('\n');
}

/** What an experienced colleague would do next, from the state of the conversation. */
export function nextBestAction(input: AssistInput): string {
  const { conversation } = input;
  const latest = conversation.latest ?? {};
  const steps: string[] = [];
  if (conversation.status === 'pending') steps.push('Claim the conversation so the customer knows a person has it.');
  if (latest.sentiment === 'negative' || (latest.frustration ?? 0) >= 0.5) steps.push('Acknowledge the frustration and apologise once before solving.');
  const order = latest.entities?.find((e) => e.kind === 'order')?.value;
  if (latest.intent && NEEDS_ORDER.has(latest.intent)) {
    steps.push(order ? `Look up order ${order} in the order system and give the customer a concrete date or status.` : 'Ask for the order number first.');
  }
  if (conversation.escalationReason === 'low_confidence') steps.push('No article answers this: after replying, add the answer to the knowledge base.');
  if (conversation.escalationReason === 'unsupported_language' && latest.language) steps.push(`Reply in the customer’s language (${latest.language}).`);
  if (latest.entities?.some((e) => e.kind === 'card' || e.kind === 'iban')) steps.push('The customer shared payment details: do not repeat them; handle this in the payments tool.');
  if (steps.length === 0) steps.push('Reply with the suggested answer, then resolve the conversation to send the satisfaction survey.');
  return steps.map((s, i) => `${i + 1}. ${s}`).join('\n');
}

function firstName(name: string): string {
  const first = name.trim().split(/\s+/)[0];
  return first && !/^(customer|visitor|user)$/i.test(first) ? first : 'there';
}

function clip(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
