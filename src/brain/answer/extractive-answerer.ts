import type { Answerer, GroundedAnswer, Passage } from './types';

export interface AbstainThresholds {
  /** Calibrated confidence of hybrid retrieval (ANSWER_MIN_CONFIDENCE), when no answer decision has read the message. */
  semantic: number;
  /** Share of the question's words in the passage, for keyword-only retrieval (ANSWER_MIN_SCORE). */
  lexical: number;
}

/**
 * The offline answerer: the chosen passages, verbatim, with their citations. It never writes a sentence the help
 * centre does not contain, which is what makes it safe to run without a model. When the answer decision has read
 * the message (passages carry `chosen`), it quotes exactly the sections chosen, one after the other when the
 * message asked two things; otherwise it quotes the best passage if it reaches the threshold of its mode.
 */
export class ExtractiveAnswerer implements Answerer {
  constructor(private readonly thresholds: AbstainThresholds) {}

  async answer(_question: string, passages: Passage[]): Promise<GroundedAnswer> {
    const best = passages[0];
    if (!best) return { kind: 'abstain', reason: 'no passage' };
    if (passages.some((p) => p.chosen !== undefined)) {
      const chosen = passages.filter((p) => p.chosen);
      if (chosen.length === 0) return { kind: 'abstain', reason: 'the answer decision found no section that answers it' };
      if (chosen.length === 1) return { kind: 'answer', text: chosen[0]!.text, citations: chosen };
      // Each part under its own heading, so the customer sees which answer is which.
      return { kind: 'answer', text: chosen.map((p) => `${p.heading ?? p.title}\n${p.text}`).join('\n\n'), citations: chosen };
    }
    const min = best.lexical ? this.thresholds.lexical : this.thresholds.semantic;
    if (best.confidence < min) return { kind: 'abstain', reason: `best passage confidence ${best.confidence.toFixed(2)} < ${min}` };
    return { kind: 'answer', text: best.text, citations: [best] };
  }
}
