import type { Answerer, GroundedAnswer, Passage } from './types';

/**
 * The offline answerer: the best passage, verbatim, with its citation. It never writes a sentence the help
 * centre does not contain, which is what makes it safe to run without a model; below the threshold it abstains.
 */
export class ExtractiveAnswerer implements Answerer {
  constructor(private readonly minConfidence: number) {}

  async answer(_question: string, passages: Passage[]): Promise<GroundedAnswer> {
    const best = passages[0];
    if (!best || best.confidence < this.minConfidence) {
      return { kind: 'abstain', reason: best ? `best passage confidence ${best.confidence.toFixed(2)} < ${this.minConfidence}` : 'no passage' };
    }
    return { kind: 'answer', text: best.text, citations: [best] };
  }
}
