import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Embedder } from '../../../knowledge/embedder';

/** Weights of the off-topic head for one encoder: logistic regression over the encoder's query vector. */
export interface OffTopicWeights {
  /** The encoder these weights were trained on (Embedder.id): weights never apply to another vector space. */
  encoder: string;
  dimensions: number;
  bias: number;
  weights: number[];
  /** What it was trained on and how it scored on the held-back part, for the notes; not read at run time. */
  trainedOn?: Record<string, unknown>;
}

export const WEIGHTS_DIR = join(__dirname, 'weights');

export function weightsPath(encoderId: string, dir = WEIGHTS_DIR): string {
  return join(dir, `${encoderId}.json`);
}

/** The committed weights for this encoder, or undefined (another encoder, or none trained yet). */
export function loadOffTopicWeights(encoderId: string, dir = WEIGHTS_DIR): OffTopicWeights | undefined {
  const path = weightsPath(encoderId, dir);
  if (!existsSync(path)) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as OffTopicWeights;
  if (parsed.encoder !== encoderId || parsed.weights.length !== parsed.dimensions) return undefined;
  return parsed;
}

/**
 * P(the message is not a support question) for a message, from the shared sentence embedding. The query vector is
 * the one retrieval embeds too (embedQueries, cached by text), so the head costs one dot product.
 */
export class OffTopicModel {
  private readonly w: Float32Array;

  constructor(
    private readonly embedder: Embedder,
    private readonly weights: OffTopicWeights,
  ) {
    if (weights.encoder !== embedder.id) throw new Error(`off-topic weights are for ${weights.encoder}, not ${embedder.id}`);
    this.w = Float32Array.from(weights.weights);
  }

  static forEmbedder(embedder: Embedder | undefined, dir = WEIGHTS_DIR): OffTopicModel | undefined {
    const weights = embedder ? loadOffTopicWeights(embedder.id, dir) : undefined;
    return embedder && weights ? new OffTopicModel(embedder, weights) : undefined;
  }

  async probability(text: string): Promise<number> {
    const embed = this.embedder.embedQueries?.bind(this.embedder) ?? this.embedder.embed.bind(this.embedder);
    const [vector] = await embed([text]);
    return this.probabilityOf(vector!);
  }

  probabilityOf(vector: Float32Array): number {
    return sigmoid(dot(this.w, vector) + this.weights.bias);
  }
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
