import { HashingVectorizer, type SparseVector } from './features';

export interface IntentExample {
  text: string;
  label: string;
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  /** L2 penalty, applied lazily per touched weight. */
  l2: number;
  /** Features seen in fewer training texts are dropped (noise, and memory). */
  minDf: number;
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = { epochs: 12, learningRate: 0.5, l2: 1e-6, minDf: 2, seed: 7 };

export interface IntentPrediction {
  label: string;
  confidence: number;
  /** The runner-up, for "did you mean" clarifications. */
  second?: { label: string; confidence: number };
}

/**
 * Multinomial logistic regression over hashed TF-IDF features, trained with AdaGrad SGD. Classic, fast on two
 * CPU cores (seconds to train on 10,000 examples, microseconds to predict) and honest about its confidence,
 * which is what out-of-scope detection thresholds on.
 */
export class IntentClassifier {
  private constructor(
    readonly labels: string[],
    private readonly vectorizer: HashingVectorizer,
    /** Hashed feature index → row in `weights`; features never seen in training have no row. */
    private readonly columns: Map<number, number>,
    /** Row-major [feature][class]. */
    private readonly weights: Float32Array,
    private readonly bias: Float32Array,
  ) {}

  static train(examples: IntentExample[], options: TrainOptions = DEFAULT_TRAIN_OPTIONS): IntentClassifier {
    if (examples.length === 0) throw new Error('no training examples');
    const labels = [...new Set(examples.map((e) => e.label))].sort();
    const labelIndex = new Map(labels.map((l, i) => [l, i]));
    const k = labels.length;
    const vectorizer = new HashingVectorizer();
    const texts = examples.map((e) => e.text);
    vectorizer.fit(texts);

    const df = new Map<number, number>();
    for (const text of texts) for (const index of vectorizer.counts(text).keys()) df.set(index, (df.get(index) ?? 0) + 1);
    const columns = new Map<number, number>();
    for (const [index, count] of df) if (count >= options.minDf) columns.set(index, columns.size);

    const rows = examples.map((e) => ({ x: compact(vectorizer.transform(e.text), columns), y: labelIndex.get(e.label)! }));
    const weights = new Float32Array(columns.size * k);
    const bias = new Float32Array(k);
    const gradSq = new Float32Array(columns.size * k).fill(1e-8);
    const biasGradSq = new Float32Array(k).fill(1e-8);
    const scores = new Float64Array(k);
    const random = mulberry32(options.seed);
    const order = rows.map((_, i) => i);

    for (let epoch = 0; epoch < options.epochs; epoch++) {
      shuffle(order, random);
      for (const i of order) {
        const { x, y } = rows[i]!;
        softmaxInto(scores, x, weights, bias, k);
        // Gradient of cross-entropy: p - onehot(y).
        for (let c = 0; c < k; c++) {
          const g = scores[c]! - (c === y ? 1 : 0);
          if (Math.abs(g) < 1e-4) continue;
          biasGradSq[c] += g * g;
          bias[c] -= (options.learningRate * g) / Math.sqrt(biasGradSq[c]!);
          for (let j = 0; j < x.indices.length; j++) {
            const w = x.indices[j]! * k + c;
            const gw = g * x.values[j]! + options.l2 * weights[w]!;
            gradSq[w] += gw * gw;
            weights[w] -= (options.learningRate * gw) / Math.sqrt(gradSq[w]!);
          }
        }
      }
    }
    return new IntentClassifier(labels, vectorizer, columns, weights, bias);
  }

  predict(text: string): IntentPrediction {
    const k = this.labels.length;
    const scores = new Float64Array(k);
    softmaxInto(scores, compact(this.vectorizer.transform(text), this.columns), this.weights, this.bias, k);
    let best = 0;
    let second = -1;
    for (let c = 1; c < k; c++) {
      if (scores[c]! > scores[best]!) {
        second = best;
        best = c;
      } else if (second < 0 || scores[c]! > scores[second]!) {
        second = c;
      }
    }
    return {
      label: this.labels[best]!,
      confidence: scores[best]!,
      ...(second >= 0 ? { second: { label: this.labels[second]!, confidence: scores[second]! } } : {}),
    };
  }
}

/** Maps hashed indices to model rows, dropping features the model never saw. */
function compact(vector: SparseVector, columns: Map<number, number>): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < vector.indices.length; i++) {
    const column = columns.get(vector.indices[i]!);
    if (column === undefined) continue;
    indices.push(column);
    values.push(vector.values[i]!);
  }
  return { indices: Uint32Array.from(indices), values: Float32Array.from(values) };
}

function softmaxInto(out: Float64Array, x: SparseVector, weights: Float32Array, bias: Float32Array, k: number): void {
  for (let c = 0; c < k; c++) out[c] = bias[c]!;
  for (let j = 0; j < x.indices.length; j++) {
    const base = x.indices[j]! * k;
    const v = x.values[j]!;
    for (let c = 0; c < k; c++) out[c] += weights[base + c]! * v;
  }
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (out[c]! > max) max = out[c]!;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < k; c++) out[c] /= sum;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
