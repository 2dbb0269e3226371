import type { Choice } from '../../../adapters/types';
import type { PassageSource } from './passages';
import { toPassage } from './passages';
import { READING_LIMIT, type Reading } from './reading';
import type { Passage } from './types';

/** Prefix of a clarifying option's choice id: `kb:<section id>`; a tap answers from that section. */
export const SECTION_CHOICE_PREFIX = 'kb:';

export const CLARIFY_TEXT = 'I can help with that. Which of these is your question about?';

/** What the brain does with the help centre for this turn. */
export type AnswerPlan =
  /** Ask which section is meant, with one button per option (ids `kb:<section>`). */
  | { kind: 'clarify'; text: string; choices: Choice[]; best: number }
  /** Hand these passages to the answerer (the chosen ones, when the decision has read the message, first). */
  | { kind: 'passages'; passages: Passage[]; best: number; reading?: Reading['kind'] };

/**
 * From the message (or a tapped option) to the passages to answer from: the answer decision when one is fitted
 * for the encoder, plain retrieval otherwise. Kept apart from the brain so the brain's turn only branches on it.
 */
export async function planAnswer(text: string, actionValue: string | undefined, source: PassageSource): Promise<AnswerPlan> {
  if (actionValue?.startsWith(SECTION_CHOICE_PREFIX)) {
    const tapped = source.passage?.(actionValue.slice(SECTION_CHOICE_PREFIX.length));
    if (tapped) return { kind: 'passages', passages: [tapped], best: 1, reading: 'answer' };
  }
  const reading = source.read ? await source.read(text) : undefined;
  if (!reading) {
    const passages = await source.retrieve(text, READING_LIMIT);
    return { kind: 'passages', passages, best: passages[0]?.confidence ?? 0 };
  }
  const best = reading.probability;
  if (reading.kind === 'clarify') {
    const choices = reading.options.map((o) => ({ id: `${SECTION_CHOICE_PREFIX}${o.chunk.id}`, title: o.chunk.heading || o.chunk.title }));
    return { kind: 'clarify', text: CLARIFY_TEXT, choices, best };
  }
  const chosen = reading.kind === 'answer' ? reading.sections : [];
  // The best unit's other hits follow as context (a generating answerer may use them; the extractive one does not).
  const bestUnit = [...reading.units].sort((a, b) => b.probability - a.probability)[0];
  const rest = (bestUnit?.hits ?? []).filter((h) => !chosen.some((c) => c.chunk.id === h.chunk.id));
  const passages = [...chosen.map((h) => toPassage(h, false, true)), ...rest.map((h) => toPassage(h, false, false))];
  return { kind: 'passages', passages, best, reading: reading.kind };
}
