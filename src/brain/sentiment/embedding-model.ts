import type { Embedder } from '../../../knowledge/embedder';
import { NEGATIVE_EXAMPLES, NEUTRAL_EXAMPLES, POSITIVE_EXAMPLES } from './examples';
import { softmax3 } from './head';
import { normalizeMessage } from './normalize';

const CLASSES = 3; // negative, neutral, positive
const ITERATIONS = 300;
const LEARNING_RATE = 2;
const L2 = 1e-3;

/**
 * A softmax regression over sentence embeddings, trained at start-up on the ~320 sentences in examples.ts (about
 * two seconds with the embedded MiniLM). It catches complaints and praise phrased in ways no rule lists. Full-batch
 * gradient descent from zero weights: the same embedder gives the same model every time.
 */
export class EmbeddingSentimentModel {
  private constructor(
    private readonly embedder: Embedder,
    private readonly weights: Float64Array[],
  ) {}

  static async train(embedder: Embedder): Promise<EmbeddingSentimentModel> {
    const examples = [
      ...NEGATIVE_EXAMPLES.map((t) => [t, 0] as const),
      ...NEUTRAL_EXAMPLES.map((t) => [t, 1] as const),
      ...POSITIVE_EXAMPLES.map((t) => [t, 2] as const),
    ];
    // One text at a time: batched int8 inference makes a vector depend on its batch companions.
    const vectors: Float32Array[] = [];
    for (const [text] of examples) vectors.push((await embedder.embed([normalizeMessage(text)]))[0]!);
    const dims = embedder.dimensions;
    const weights = Array.from({ length: CLASSES }, () => new Float64Array(dims + 1));
    for (let it = 0; it < ITERATIONS; it++) {
      const grad = Array.from({ length: CLASSES }, () => new Float64Array(dims + 1));
      vectors.forEach((x, n) => {
        const p = softmax3(weights, x);
        for (let k = 0; k < CLASSES; k++) {
          const g = p[k]! - (examples[n]![1] === k ? 1 : 0);
          const row = grad[k]!;
          for (let d = 0; d < dims; d++) row[d]! += g * x[d]!;
          row[dims]! += g;
        }
      });
      for (let k = 0; k < CLASSES; k++) {
        const w = weights[k]!;
        const g = grad[k]!;
        for (let d = 0; d <= dims; d++) w[d]! -= LEARNING_RATE * (g[d]! / vectors.length + (d < dims ? L2 * w[d]! : 0));
      }
    }
    return new EmbeddingSentimentModel(embedder, weights);
  }

  /** P(positive) − P(negative), −1 … 1, for an already-normalised message. */
  async polarity(normalized: string): Promise<number> {
    const [vector] = await this.embedder.embed([normalized]);
    const p = softmax3(this.weights, vector!);
    return p[2]! - p[0]!;
  }
}

