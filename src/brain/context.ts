import type { Analysis, Analyzer } from './analysis/types';

/**
 * Reading a follow-up with the turns before it. "And how long does that take?" or "what about the US?" mean
 * nothing alone: intent and retrieval must read them with the question they follow. The rule is about the shape
 * of the message, not its topic:
 *   - it is short and brings at most one topic word of its own (a dependent follow-up rarely restates anything), and
 *   - it opens the way a continuation opens ("and …", "what about …", "how about …", "also …", "same for …"), or
 *     it points back ("that", "it", "there", …) and is either very short or carries no content word of its own.
 * Then the query is the previous customer question(s) followed by the follow-up. Anything else is read alone:
 * a new question with its own content words ("how do I cancel my order?") must not be dragged back to the old one.
 */

export interface Turn {
  author: 'contact' | 'bot' | 'agent' | 'system';
  text: string;
}

export interface ContextualQuery {
  /** What intent and retrieval read. */
  query: string;
  /** The message was read with earlier customer turns. */
  followUp: boolean;
}

/** A follow-up has at most this many words. */
const MAX_FOLLOW_UP_WORDS = 8;
/** A follow-up with more topic words of its own than this is read as a question of its own. */
const MAX_OWN_TOPIC_WORDS = 1;
/** A question this short that points back ("is it free?", "where is it?") continues the last one. */
const MAX_SHORT_POINTER_WORDS = 4;
/** How many earlier customer messages a chain of follow-ups reaches back. */
const MAX_CHAIN = 2;

const CONTINUATION = /^(?:ok(?:ay)?|right|thanks|great|cool|and|so)?[\s,.!]*(?:and|also|plus|or|but|then|what about|how about|what if|and if|same (?:for|with)|as well as|even)\b/i;
const POINTS_BACK = /\b(?:that|it|this|these|those|them|they|there|one|ones|same)\b/i;

// Words that carry no topic: question words, pronouns, auxiliaries, quantity words, the commonest verbs.
const NO_TOPIC = new Set(
  (
    'a an the and or but so also plus then too as well even if what when where which who whom whose why how about ' +
    'is are was were be been being am do does did doing done have has had having can could will would shall should ' +
    'may might must need needs i me my mine you your yours we us our it its they them their this that these those ' +
    'there here one ones same long much many more less soon often far usually normally typically take takes took ' +
    'cost costs get gets got work works go goes going come comes apply applies possible ok okay thanks right please ' +
    'still just only very really any some all every each for to of in on at by with from into than not no yes'
  ).split(' '),
);

// A follow-up that asks the same question of something else ("what about …", "and for …", "same for …").
const SUBSTITUTION = /^(?:ok(?:ay)?|right|thanks|great|so)?[\s,.!]*(?:(?:and|but) )?(?:(?:what|how) about|(?:and|or) (?:for|in|to|with|from|if)|same (?:for|with))\b/i;

/** Proper names: capitalised words other than a sentence's first word and "I" ("Germany", "US", "PayPal"). */
function names(text: string): string[] {
  return (text.match(/[\p{L}\p{N}']+/gu) ?? []).filter((w, i) => i > 0 && w !== 'I' && /^\p{Lu}/u.test(w));
}

function withoutNames(text: string): string {
  const drop = new Set(names(text));
  return text
    .split(/(\s+)/)
    .filter((part) => !drop.has(part.replace(/[^\p{L}\p{N}']/gu, '')))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
}

/**
 * A message that only makes sense with the customer question before it. A follow-up that brings two or more topic
 * words of its own ("and how do I change my email?") is a new question in a continuing voice: read alone, since
 * the earlier question would only pull retrieval back to the old section (measured: scripts/eval-followups.ts).
 */
export function isDependentFollowUp(text: string): boolean {
  const w = words(text);
  if (w.length === 0 || w.length > MAX_FOLLOW_UP_WORDS) return false;
  const topicWords = w.filter((word) => !NO_TOPIC.has(word)).length;
  if (topicWords > MAX_OWN_TOPIC_WORDS) return false;
  if (CONTINUATION.test(text.trim())) return true;
  // "Is it free?": a pointer back in a very short question is a follow-up even with a word of its own.
  return POINTS_BACK.test(text) && (w.length <= MAX_SHORT_POINTER_WORDS || topicWords === 0);
}

/**
 * The message as intent and retrieval should read it. Only customer turns since the bot last spoke count as the
 * question being continued; a follow-up after a hand-off or a greeting has nothing to continue.
 */
export function contextualQuery(text: string, history: Turn[]): ContextualQuery {
  if (!isDependentFollowUp(text)) return { query: text, followUp: false };
  const earlier: string[] = [];
  // Walk back over the customer's own messages (a chain of follow-ups reaches the question that started it).
  for (let i = history.length - 1; i >= 0 && earlier.length < MAX_CHAIN; i--) {
    const turn = history[i]!;
    if (turn.author !== 'contact') continue;
    earlier.unshift(turn.text.trim());
    if (!isDependentFollowUp(turn.text)) break;
  }
  if (earlier.length === 0) return { query: text, followUp: false };
  // "What about the US?" after a question about Germany swaps the place: the old name must not outweigh the new.
  const previous = SUBSTITUTION.test(text.trim()) && names(text).length > 0 ? earlier.map(withoutNames) : earlier;
  return { query: `${previous.join(' ')} ${text.trim()}`, followUp: true };
}

/**
 * Analyses a message, reading a dependent follow-up's intent with the question it follows. Sentiment, entities,
 * language and a request for a person stay the message's own; only the intent (and the query retrieval searches)
 * come from the message in context. A message that `standsAlone` (a confident greeting or thanks, a request for a
 * person) is never re-read.
 */
export async function readInContext(
  analyzer: Analyzer,
  text: string,
  history: Turn[],
  conversationLanguage: string | undefined,
  standsAlone: (analysis: Analysis) => boolean,
): Promise<{ analysis: Analysis; query: string }> {
  const options = conversationLanguage ? { conversationLanguage } : {};
  const own = await analyzer.analyze(text, options);
  const read = contextualQuery(text, history);
  if (!read.followUp || standsAlone(own)) return { analysis: own, query: text };
  const inContext = await analyzer.analyze(read.query, options);
  return { analysis: { ...own, intent: inContext.intent }, query: read.query };
}
