import type { Answerer, GroundedAnswer, Passage } from './types';

export interface AbstainThresholds {
  /** Calibrated confidence of hybrid retrieval (ANSWER_MIN_CONFIDENCE). */
  semantic: number;
  /** Share of the question's words in the passage, for keyword-only retrieval (ANSWER_MIN_SCORE). */
  lexical: number;
}

/**
 * The offline answerer: the best passage, verbatim, with its citation. It never writes a sentence the help
 * centre does not contain, which is what makes it safe to run without a model; below the threshold it abstains.
 */
export class ExtractiveAnswerer implements Answerer {
  constructor(private readonly thresholds: AbstainThresholds) {}

  async answer(_question: string, passages: Passage[]): Promise<GroundedAnswer> {
    const best = passages[0];
    if (!best) return { kind: 'abstain', reason: 'no passage' };
    const min = best.lexical ? this.thresholds.lexical : this.thresholds.semantic;
    if (best.confidence < min) return { kind: 'abstain', reason: `best passage confidence ${best.confidence.toFixed(2)} < ${min}` };
    return { kind: 'answer', text: best.text, citations: [best] };
  }
}
