import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The sentiment head: softmax regression (negative, neutral, positive) over the shared encoder's query vector — the
 * vector the analyzer already has for the message, so the head costs three dot products. Weights are trained
 * offline by scripts/train-sentiment.ts (GoEmotions + our own customer-service sentences) and committed, one file
 * per encoder: they never apply to another vector space.
 */
export interface SentimentHeadWeights {
  encoder: string;
  dimensions: number;
  /** Row per class (negative, neutral, positive): `dimensions` weights then the bias. */
  rows: number[][];
  /** Provenance and held-back scores, for the notes; not read at run time. */
  trainedOn?: Record<string, unknown>;
}

export const SENTIMENT_WEIGHTS_DIR = join(__dirname, 'weights');

export function sentimentWeightsPath(encoderId: string, dir = SENTIMENT_WEIGHTS_DIR): string {
  return join(dir, `${encoderId}.json`);
}

export class SentimentHead {
  private readonly rows: Float64Array[];

  constructor(readonly weights: SentimentHeadWeights) {
    if (weights.rows.length !== 3 || weights.rows.some((r) => r.length !== weights.dimensions + 1)) throw new Error(`sentiment weights for ${weights.encoder} are malformed`);
    this.rows = weights.rows.map((r) => Float64Array.from(r));
  }

  /** The committed head for this encoder, or undefined (none trained for it, or a malformed file). */
  static forEncoder(encoderId: string | undefined, dir = SENTIMENT_WEIGHTS_DIR): SentimentHead | undefined {
    if (!encoderId) return undefined;
    const path = sentimentWeightsPath(encoderId, dir);
    if (!existsSync(path)) return undefined;
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as SentimentHeadWeights;
    if (parsed.encoder !== encoderId) return undefined;
    try {
      return new SentimentHead(parsed);
    } catch {
      return undefined;
    }
  }

  /** Class probabilities (negative, neutral, positive). */
  probabilities(vector: Float32Array): [number, number, number] {
    return softmax3(this.rows, vector);
  }

  /** P(positive) − P(negative), −1 … 1. */
  polarity(vector: Float32Array): number {
    const p = this.probabilities(vector);
    return p[2] - p[0];
  }
}

export function softmax3(rows: Float64Array[], x: Float32Array): [number, number, number] {
  const dims = x.length;
  const z = rows.map((w) => {
    let s = w[dims]!;
    for (let d = 0; d < dims; d++) s += w[d]! * x[d]!;
    return s;
  });
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const sum = e[0]! + e[1]! + e[2]!;
  return [e[0]! / sum, e[1]! / sum, e[2]! / sum];
}
