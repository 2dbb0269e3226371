/**
 * Sparse text features for the embedded intent model: word unigrams and bigrams plus character 3–5-grams of
 * each word (robust to typos and inflections), hashed into a fixed space (no vocabulary to store or grow),
 * weighted by sublinear TF × IDF and L2-normalised.
 */
export interface SparseVector {
  indices: Uint32Array;
  values: Float32Array;
}

export const DEFAULT_DIMENSION = 1 << 18;

export function tokenize(text: string): string[] {
  return (
    text
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .match(/[\p{L}\p{N}]+(?:'[\p{L}]+)?/gu) ?? []
  );
}

/** FNV-1a: fast, well spread, stable across runs and machines (the model file depends on it). */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export class HashingVectorizer {
  private idf: Float32Array | undefined;

  constructor(readonly dimension: number = DEFAULT_DIMENSION) {}

  /** Raw term counts by hashed feature (before IDF). */
  counts(text: string): Map<number, number> {
    const words = tokenize(text);
    const counts = new Map<number, number>();
    const add = (feature: string) => {
      const index = hash(feature) % this.dimension;
      counts.set(index, (counts.get(index) ?? 0) + 1);
    };
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      add(`w:${w}`);
      if (i + 1 < words.length) add(`b:${w} ${words[i + 1]}`);
      const padded = `<${w}>`;
      for (let n = 3; n <= 5; n++) {
        for (let j = 0; j + n <= padded.length; j++) add(`c:${padded.slice(j, j + n)}`);
      }
    }
    add('bias');
    return counts;
  }

  /** Learns IDF from the training texts. */
  fit(texts: string[]): void {
    const df = new Float32Array(this.dimension);
    for (const text of texts) for (const index of this.counts(text).keys()) df[index] += 1;
    const idf = new Float32Array(this.dimension);
    const n = texts.length;
    for (let i = 0; i < this.dimension; i++) idf[i] = Math.log((1 + n) / (1 + df[i]!)) + 1;
    this.idf = idf;
  }

  transform(text: string): SparseVector {
    const counts = this.counts(text);
    const indices = new Uint32Array(counts.size);
    const values = new Float32Array(counts.size);
    let k = 0;
    let norm = 0;
    for (const [index, count] of counts) {
      const weight = (1 + Math.log(count)) * (this.idf ? this.idf[index]! : 1);
      indices[k] = index;
      values[k] = weight;
      norm += weight * weight;
      k += 1;
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < values.length; i++) values[i] *= scale;
    return { indices, values };
  }

  exportIdf(): Float32Array | undefined {
    return this.idf;
  }

  importIdf(idf: Float32Array): void {
    this.idf = idf;
  }
}
