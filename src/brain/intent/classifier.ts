import { appendDense, DEFAULT_FEATURE_OPTIONS, type FeatureOptions, type SparseVector, TfidfVectorizer } from './features';
import { mulberry32 } from '../../random';

export interface IntentExample {
  text: string;
  label: string;
}

export interface TrainOptions {
  features: FeatureOptions;
  /** Which linear models to train; with both, their class probabilities are averaged. */
  model: 'logreg' | 'svm' | 'ensemble';
  /** Logistic regression: AdaGrad SGD epochs, step size and L2 penalty (applied per touched weight). */
  epochs: number;
  learningRate: number;
  l2: number;
  /** Linear SVM (one-vs-rest, squared hinge, dual coordinate descent): cost C and epochs. */
  svmC: number;
  svmEpochs: number;
  /** SVM margins are turned into probabilities by softmax(temperature × margin). */
  svmTemperature: number;
  /** Weight of the SVM in the ensemble (the logistic regression gets the rest). */
  svmWeight: number;
  /**
   * Which models see the static-embedding block (when `features.embeddingWeight` > 0 and the model files exist). It
   * helps the logistic regression most; the SVM gains little from it and trains three times slower with it.
   */
  embeddingModels: 'logreg' | 'svm' | 'both';
  /**
   * Relative weight of the sentence-embedding block (the shared encoder's query vector, centred on the training mean
   * and unit-length) when the classifier is trained with vectors; it then replaces the static word-piece block.
   */
  sentenceWeight: number;
  seed: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  features: DEFAULT_FEATURE_OPTIONS,
  model: 'ensemble',
  epochs: 6,
  learningRate: 0.5,
  l2: 1e-6,
  svmC: 1,
  svmEpochs: 6,
  svmTemperature: 8,
  svmWeight: 0.5,
  embeddingModels: 'both',
  sentenceWeight: 1,
  seed: 7,
};

/**
 * With sentence vectors, a message whose cosine to every training example is below this is out of scope (bge-small
 * query vectors; swept on CLINC150 dev with and without oos training rows and Banking77 dev, see the notes).
 */
export const INTENT_MIN_SIMILARITY = 0.64;
/** Out of scope below this confidence: with the sentence vector (beside the similarity above), and lexical alone. */
export const SENTENCE_MIN_CONFIDENCE = 0.4;
export const LEXICAL_MIN_CONFIDENCE = 0.5;

export interface IntentPrediction {
  label: string;
  confidence: number;
  /** The runner-up, for "did you mean" clarifications. */
  second?: { label: string; confidence: number };
}

interface LinearModel {
  /** Row-major [feature][class]. */
  weights: Float32Array;
  bias: Float32Array;
}

/**
 * Linear intent classifier over TF-IDF word and character n-grams plus, when the sentence model's files are
 * prepared, a static word-piece embedding block: multinomial logistic regression (AdaGrad SGD) and a one-vs-rest
 * linear SVM (dual coordinate descent), probabilities averaged. Classic, fast on two CPU cores (~20 s to train on
 * 10,000 examples with the embedding block, ~7 s without; under a millisecond to predict), deterministic for a given
 * seed, and with a confidence that out-of-scope detection can threshold on.
 */
export class IntentClassifier {
  private constructor(
    readonly labels: string[],
    private readonly vectorizer: TfidfVectorizer,
    private readonly logreg: LinearModel | undefined,
    private readonly svm: LinearModel | undefined,
    private readonly options: TrainOptions,
    /** Set when trained with sentence vectors: their training mean, subtracted before the block is normalised. */
    private readonly sentenceMean: Float32Array | undefined,
    /** The training vectors, row-major, and their label index: for the nearest-example similarity. */
    private readonly trainingVectors: { rows: Float32Array; labels: Int32Array; dims: number } | undefined,
  ) {}

  /**
   * Trains on `examples`; with `vectors` (the shared encoder's query vector of each example, in order) the dense
   * block is the sentence embedding and {@link predict} then wants the message's vector too.
   */
  static train(examples: IntentExample[], overrides: Partial<TrainOptions> = {}, vectors?: Float32Array[]): IntentClassifier {
    if (examples.length === 0) throw new Error('no training examples');
    if (vectors && vectors.length !== examples.length) throw new Error(`${vectors.length} vectors for ${examples.length} examples`);
    const options = { ...DEFAULT_TRAIN_OPTIONS, ...overrides };
    const labels = [...new Set(examples.map((e) => e.label))].sort();
    const labelIndex = new Map(labels.map((l, i) => [l, i]));
    // The sentence vector carries what the static word-piece block did, and more: one dense block, not two.
    const vectorizer = new TfidfVectorizer(vectors ? { ...options.features, embeddingWeight: 0 } : options.features);
    vectorizer.fit(examples.map((e) => e.text));
    const lexical = examples.map((e) => vectorizer.transform(e.text));
    const sentenceMean = vectors ? meanOf(vectors) : undefined;
    const sparseColumns = vectorizer.dimension;
    const embedded = vectors
      ? lexical.map((x, i) => withSentence(x, vectors[i]!, sentenceMean!, sparseColumns, options.sentenceWeight))
      : vectorizer.usesEmbeddings
        ? examples.map((e, i) => vectorizer.withEmbedding(e.text, lexical[i]!))
        : lexical;
    const y = Int32Array.from(examples, (e) => labelIndex.get(e.label)!);
    const d = sparseColumns + (vectors ? vectors[0]!.length : 0);
    const k = labels.length;
    const rowsFor = (model: 'logreg' | 'svm') => (options.embeddingModels === model || options.embeddingModels === 'both' ? embedded : lexical);
    const logreg = options.model === 'svm' ? undefined : trainLogreg(rowsFor('logreg'), y, d, k, options);
    const svm = options.model === 'logreg' ? undefined : trainSvm(rowsFor('svm'), y, d, k, options);
    const trainingVectors = vectors ? { rows: stack(vectors), labels: y, dims: vectors[0]!.length } : undefined;
    return new IntentClassifier(labels, vectorizer, logreg, svm, options, sentenceMean, trainingVectors);
  }

  /**
   * Cosine of `vector` to the nearest training example (vectors are unit-length), skipping examples labelled
   * `excludeLabel` (an `oos` class is not evidence that a message is in scope). −1 when not trained with vectors.
   * Out-of-scope detection reads it beside the confidence: a message unlike every example is out of scope even
   * when the linear models happen to prefer one intent.
   */
  nearestSimilarity(vector: Float32Array, excludeLabel?: string): number {
    const t = this.trainingVectors;
    if (!t) return -1;
    const skip = excludeLabel === undefined ? -1 : this.labels.indexOf(excludeLabel);
    let best = -1;
    for (let i = 0; i < t.labels.length; i++) {
      if (t.labels[i] === skip) continue;
      let s = 0;
      const base = i * t.dims;
      for (let d = 0; d < t.dims; d++) s += t.rows[base + d]! * vector[d]!;
      if (s > best) best = s;
    }
    return best;
  }

  /** Whether this classifier was trained with sentence vectors (and so reads the message's vector). */
  get usesSentenceVectors(): boolean {
    return this.sentenceMean !== undefined;
  }

  /**
   * Class probabilities, in the order of `labels`. `vector` is the message's query vector from the encoder the
   * classifier was trained with; without it (the encoder failed on this message) only the lexical blocks speak.
   */
  probabilities(text: string, vector?: Float32Array): Float64Array {
    const lexical = this.vectorizer.transform(text);
    const k = this.labels.length;
    const out = new Float64Array(k);
    // No known word or character n-gram: no evidence for any intent (the biases alone are not a prior worth trusting).
    if (lexical.indices.length === 0) return out.fill(1 / k);
    const embedded = this.sentenceMean
      ? vector
        ? withSentence(lexical, vector, this.sentenceMean, this.vectorizer.dimension, this.options.sentenceWeight)
        : lexical
      : this.vectorizer.usesEmbeddings
        ? this.vectorizer.withEmbedding(text, lexical)
        : lexical;
    const which = this.options.embeddingModels;
    const scratch = new Float64Array(k);
    const parts: Array<[LinearModel, number, number, SparseVector]> = [];
    if (this.logreg) parts.push([this.logreg, 1, this.svm ? 1 - this.options.svmWeight : 1, which === 'svm' ? lexical : embedded]);
    if (this.svm) parts.push([this.svm, this.options.svmTemperature, this.logreg ? this.options.svmWeight : 1, which === 'logreg' ? lexical : embedded]);
    for (const [model, temperature, weight, x] of parts) {
      scoresInto(scratch, x, model, k);
      softmax(scratch, temperature);
      for (let c = 0; c < k; c++) out[c] += weight * scratch[c]!;
    }
    return out;
  }

  predict(text: string, vector?: Float32Array): IntentPrediction {
    const scores = this.probabilities(text, vector);
    const k = this.labels.length;
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

function stack(vectors: Float32Array[]): Float32Array {
  const dims = vectors[0]!.length;
  const rows = new Float32Array(vectors.length * dims);
  vectors.forEach((v, i) => rows.set(v, i * dims));
  return rows;
}

function meanOf(vectors: Float32Array[]): Float32Array {
  const mean = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let j = 0; j < mean.length; j++) mean[j] += v[j]! / vectors.length;
  return mean;
}

/** `lexical` with the centred, unit-length sentence vector appended at column `offset`, weighted `weight`. */
function withSentence(lexical: SparseVector, vector: Float32Array, mean: Float32Array, offset: number, weight: number): SparseVector {
  const dense = new Float32Array(vector.length);
  let norm = 0;
  for (let j = 0; j < dense.length; j++) {
    dense[j] = vector[j]! - mean[j]!;
    norm += dense[j]! * dense[j]!;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let j = 0; j < dense.length; j++) dense[j] *= scale;
  return appendDense(lexical, dense, offset, weight);
}

function trainLogreg(rows: SparseVector[], y: Int32Array, d: number, k: number, options: TrainOptions): LinearModel {
  const weights = new Float32Array(d * k);
  const bias = new Float32Array(k);
  const gradSq = new Float32Array(d * k).fill(1e-8);
  const biasGradSq = new Float32Array(k).fill(1e-8);
  const scores = new Float64Array(k);
  const random = mulberry32(options.seed);
  const order = Array.from(rows, (_, i) => i);
  const model = { weights, bias };
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffle(order, random);
    for (const i of order) {
      const x = rows[i]!;
      scoresInto(scores, x, model, k);
      softmax(scores, 1);
      // Gradient of cross-entropy: p - onehot(y).
      for (let c = 0; c < k; c++) {
        const g = scores[c]! - (c === y[i] ? 1 : 0);
        if (Math.abs(g) < 1e-3) continue;
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
  return model;
}

/**
 * One-vs-rest L2-regularised squared-hinge SVM, all classes at once, by dual coordinate descent (Hsieh et al. 2008,
 * liblinear's default solver) with the bias as an extra constant feature.
 */
function trainSvm(rows: SparseVector[], y: Int32Array, d: number, k: number, options: TrainOptions): LinearModel {
  const weights = new Float32Array(d * k);
  const bias = new Float32Array(k);
  const model = { weights, bias };
  const alpha = new Float64Array(rows.length * k);
  const diag = 1 / (2 * options.svmC);
  const qii = rows.map((x) => {
    let s = 1; // the bias feature
    for (let j = 0; j < x.values.length; j++) s += x.values[j]! * x.values[j]!;
    return s + diag;
  });
  const scores = new Float64Array(k);
  const random = mulberry32(options.seed + 1);
  const order = Array.from(rows, (_, i) => i);
  for (let epoch = 0; epoch < options.svmEpochs; epoch++) {
    shuffle(order, random);
    for (const i of order) {
      const x = rows[i]!;
      scoresInto(scores, x, model, k);
      for (let c = 0; c < k; c++) {
        const sign = c === y[i] ? 1 : -1;
        const a = alpha[i * k + c]!;
        const g = sign * scores[c]! - 1 + diag * a;
        const pg = a === 0 ? Math.min(g, 0) : g;
        if (Math.abs(pg) < 1e-12) continue;
        const next = Math.max(a - g / qii[i]!, 0);
        alpha[i * k + c] = next;
        const delta = (next - a) * sign;
        bias[c] += delta;
        for (let j = 0; j < x.indices.length; j++) weights[x.indices[j]! * k + c] += delta * x.values[j]!;
      }
    }
  }
  return model;
}

function scoresInto(out: Float64Array, x: SparseVector, model: LinearModel, k: number): void {
  const { weights, bias } = model;
  for (let c = 0; c < k; c++) out[c] = bias[c]!;
  for (let j = 0; j < x.indices.length; j++) {
    const base = x.indices[j]! * k;
    const v = x.values[j]!;
    for (let c = 0; c < k; c++) out[c] += weights[base + c]! * v;
  }
}

function softmax(out: Float64Array, temperature: number): void {
  let max = -Infinity;
  for (let c = 0; c < out.length; c++) if (out[c]! > max) max = out[c]!;
  let sum = 0;
  for (let c = 0; c < out.length; c++) {
    out[c] = Math.exp(temperature * (out[c]! - max));
    sum += out[c]!;
  }
  for (let c = 0; c < out.length; c++) out[c] /= sum;
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
