import { terms } from '../../../knowledge/retriever';

/**
 * The parts of a customer message worth searching the help centre for. Customers write "Hi! so I bought boots two
 * weeks ago and they don't fit. How do I return them?": the whole message dilutes the question with the greeting
 * and the story, and the question alone ("How do I return them?") has lost its subject. So the message is split
 * into sentences, greetings and thanks are dropped, and each remaining sentence is searched with the sentence before
 * it as context; the whole message is searched too. The answer decision then reads the best of them, and a message
 * with two questions can be answered from two sections.
 */
export interface QuestionUnit {
  text: string;
  /** Index of the message sentence this unit ends with (-1 for the whole message). */
  sentence: number;
  /** The sentence reads as a question or request ("?", "how", "can I", "please"), not as context. */
  asks: boolean;
}

/** At most this many units per message: each one costs an encoder pass and a ranking. */
export const MAX_UNITS = 3;
/** A part at least this share of the message's length is searched as the whole message only. */
const NEAR_WHOLE = 0.8;

const GREETING = /^(?:hi+|hey+|hello+|helo|hiya|good (?:morning|afternoon|evening)|dear [\w\s]+|thanks?(?: you)?(?: so much)?|thx|cheers|ok(?:ay)?|so|ugh|yo)\b[\s,!.:;-]*/i;
const ASKS =
  /\?|^(?:how|what|whats|what's|where|wheres|where's|when|why|which|who|can|could|do|does|did|is|are|will|would|should|may|shall|any)\b|\b(?:please|pls|plz|help|i (?:want|need|would like|'d like)|i wanna|tell me)\b/i;

/** Sentences of a message: split after . ! ? or at line breaks; runs of punctuation stay with their sentence. */
export function messageSentences(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .split(/\n+|(?<=[.!?])\s+|(?<=\S)\s+[-–—]\s+(?=\S)/)
    .map((s) => s.replace(/\s+/g, ' ').trim())
    .filter((s) => /[a-z0-9]/i.test(s));
}

/** The sentence without a leading greeting or filler; empty when that is all it was ("Hi!", "Thanks so much"). */
export function withoutGreeting(sentence: string): string {
  let rest = sentence;
  for (let i = 0; i < 3; i++) {
    const next = rest.replace(GREETING, '');
    if (next === rest) break;
    rest = next;
  }
  return /[a-z0-9]{2}/i.test(rest) ? rest.trim() : '';
}

/** Words that carry a topic (the retriever's own stop words removed), not counting order numbers and digits. */
export function meaningfulWords(text: string): number {
  return terms(text.replace(/\S*\d\S*/g, ' ')).filter((t) => t.length > 1).length;
}

/**
 * A sentence too thin to search on its own: no topic word at all, or a statement with only one ("Order
 * NW-US-2207745."). A question with one ("How do I return them?") is kept: its context unit carries the subject.
 */
function thin(sentence: string): boolean {
  const words = meaningfulWords(sentence);
  return words < 1 || (words < 2 && !ASKS.test(sentence));
}

export function questionUnits(message: string): QuestionUnit[] {
  const whole = message.replace(/\s+/g, ' ').trim();
  const sentences = messageSentences(message)
    .map(withoutGreeting)
    .filter((s) => s.length > 0);
  const units: QuestionUnit[] = [{ text: whole, sentence: -1, asks: ASKS.test(whole) }];
  if (sentences.length <= 1) {
    // One sentence after the greeting: search it without the greeting too, when that changes anything.
    if (sentences[0] && sentences[0].length < NEAR_WHOLE * whole.length) units.push({ text: sentences[0], sentence: 0, asks: ASKS.test(sentences[0]) });
    return units;
  }
  // Questions first (the last ones are usually the point), each with the sentence before it for its subject.
  const asking = sentences.map((s, i) => ({ s, i, asks: ASKS.test(s) })).filter((x) => x.asks);
  const chosen = (asking.length ? asking : sentences.map((s, i) => ({ s, i, asks: false })).filter((x) => !thin(x.s))).slice(-2);
  // One part per question first (with the sentence before it when that is its story, else alone), then the
  // questions alone as a second reading while the budget lasts: with two questions, each gets searched.
  const primary: QuestionUnit[] = [];
  const secondary: QuestionUnit[] = [];
  for (const { s, i, asks } of chosen) {
    const previous = i > 0 ? sentences[i - 1]! : '';
    const withStory = previous && !ASKS.test(previous) ? `${previous} ${s}` : '';
    // Nearly the whole message again (the greeting is all that differs): another encoder pass for nothing.
    const useful = (text: string) => text && text.length < NEAR_WHOLE * whole.length;
    const alone = thin(s) ? '' : s;
    if (useful(withStory)) {
      primary.push({ text: withStory, sentence: i, asks });
      if (useful(alone)) secondary.push({ text: alone, sentence: i, asks });
    } else if (useful(alone)) primary.push({ text: alone, sentence: i, asks });
  }
  for (const u of [...primary, ...secondary]) if (!units.some((x) => x.text === u.text)) units.push(u);
  return units.slice(0, MAX_UNITS);
}
