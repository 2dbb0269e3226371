import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { IntentClassifier, INTENT_MIN_SIMILARITY, LEXICAL_MIN_CONFIDENCE, SENTENCE_MIN_CONFIDENCE, type IntentExample, type TrainOptions } from '../brain/intent/classifier';
import { percentile } from './percentile';

export const OOS = 'oos';
/**
 * Below this confidence a message is out of scope. Tuned on CLINC150 val + oos_val (dev oos recall ≈ 0.75 for both):
 * with `oos` rows in TRAIN the model also has an `oos` class, which absorbs probability mass from unrelated text, so
 * the threshold can be lower than for a model that never saw out-of-scope examples.
 */
export const DEFAULT_OOS_THRESHOLD = 0.45;
export const DEFAULT_OOS_THRESHOLD_WITHOUT_OOS_TRAINING = LEXICAL_MIN_CONFIDENCE;
/**
 * With the shared encoder's sentence vectors (the product's intent head) one rule for every taxonomy, with or without
 * oos rows: out of scope when the confidence is below 0.4 or the cosine to the nearest in-scope training example is
 * below 0.64 (swept on CLINC150 and Banking77 dev; see the notes of issue #13).
 */
export const SENTENCE_OOS_THRESHOLD = SENTENCE_MIN_CONFIDENCE;

export class EvalInputError extends Error {}

/** Reads a `text,<labelColumn>` CSV, failing with the file, line and problem for anything malformed. */
export function readLabelledCsv(path: string, labelColumn: string): IntentExample[] {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (err) {
    throw new EvalInputError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  let records: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    records = parse(raw, { columns: true, info: true, bom: true, skip_empty_lines: true, trim: false });
  } catch (err) {
    const e = err as { lines?: number; message: string };
    throw new EvalInputError(`${path}${e.lines ? ` line ${e.lines}` : ''}: ${e.message}`);
  }
  const header = Object.keys(records[0]?.record ?? {});
  if (records.length === 0) throw new EvalInputError(`${path}: no rows (expected a header "text,${labelColumn}" and at least one row)`);
  if (!header.includes('text') || !header.includes(labelColumn)) {
    throw new EvalInputError(`${path} line 1: header must contain "text" and "${labelColumn}", got "${header.join(',')}"`);
  }
  return records.map(({ record, info }) => {
    const text = record.text?.trim() ?? '';
    const label = record[labelColumn]?.trim() ?? '';
    if (!text) throw new EvalInputError(`${path} line ${info.lines}: empty text`);
    if (!label) throw new EvalInputError(`${path} line ${info.lines}: empty ${labelColumn}`);
    return { text, label };
  });
}

export interface IntentEvalResult {
  n: number;
  accuracy: number;
  macroF1: number;
  inScopeAccuracy: number | null;
  oosRecall: number | null;
  trainSeconds: number;
  msPerMessage: number;
  /** 99th percentile of the per-message prediction time (extra field). */
  p99Ms: number;
}

/**
 * Trains on `train`, predicts `test`. A message is out of scope when the model predicts the `oos` class (TRAIN had
 * `oos` rows) or its confidence is below the threshold — by default 0.45 with `oos` rows in TRAIN, 0.5 without, so a
 * model trained on in-scope data only still rejects unrelated text (pass 0 to never reject on confidence).
 */
export function evaluateIntents(
  train: IntentExample[],
  test: IntentExample[],
  oosThreshold?: number,
  trainOptions: Partial<TrainOptions> = {},
  /** The shared encoder's query vectors of the train and test texts, in order: the product's sentence block. */
  vectors?: { train: Float32Array[]; test: Float32Array[] },
  minSimilarityOption?: number,
): IntentEvalResult {
  const started = performance.now();
  const model = IntentClassifier.train(train, trainOptions, vectors?.train);
  const trainSeconds = (performance.now() - started) / 1000;
  const knowsOos = train.some((e) => e.label === OOS);
  const threshold = oosThreshold ?? (vectors ? SENTENCE_OOS_THRESHOLD : knowsOos ? DEFAULT_OOS_THRESHOLD : DEFAULT_OOS_THRESHOLD_WITHOUT_OOS_TRAINING);
  // `--oos-threshold 0` turns every rejection off, the similarity one too.
  const minSimilarity = vectors && threshold > 0 ? minSimilarityOption ?? INTENT_MIN_SIMILARITY : -Infinity;

  // Warm the JIT on training texts so the timings below measure the steady state a long-running server sees.
  for (let i = 0; i < Math.min(200, train.length); i++) model.predict(train[i]!.text, vectors?.train[i]);
  const times = new Float64Array(test.length);
  const predicted = test.map((e, i) => {
    const t0 = performance.now();
    const vector = vectors?.test[i];
    const p = model.predict(e.text, vector);
    const unlike = vector !== undefined && model.nearestSimilarity(vector, OOS) < minSimilarity;
    times[i] = performance.now() - t0;
    return p.confidence < threshold || unlike ? OOS : p.label;
  });
  const msPerMessage = times.reduce((a, b) => a + b, 0) / Math.max(1, test.length);
  times.sort();
  const p99Ms = percentile(times, 0.99);

  const inScope = test.map((e, i) => [e, predicted[i]!] as const).filter(([e]) => e.label !== OOS);
  const oos = test.map((e, i) => [e, predicted[i]!] as const).filter(([e]) => e.label === OOS);
  const correct = test.filter((e, i) => e.label === predicted[i]).length;
  return {
    n: test.length,
    accuracy: round(correct / test.length),
    macroF1: round(macroF1(test.map((e) => e.label), predicted)),
    inScopeAccuracy: inScope.length ? round(inScope.filter(([e, p]) => e.label === p).length / inScope.length) : null,
    oosRecall: oos.length ? round(oos.filter(([, p]) => p === OOS).length / oos.length) : null,
    trainSeconds: round(trainSeconds),
    msPerMessage: round(msPerMessage),
    p99Ms: round(p99Ms),
  };
}

/** Macro-averaged F1 over the classes that occur in the gold labels. */
export function macroF1(gold: string[], predicted: string[]): number {
  const classes = [...new Set(gold)];
  let sum = 0;
  for (const c of classes) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < gold.length; i++) {
      if (predicted[i] === c && gold[i] === c) tp++;
      else if (predicted[i] === c) fp++;
      else if (gold[i] === c) fn++;
    }
    sum += tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  return classes.length ? sum / classes.length : 0;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** Runs an eval command: its JSON result is the last stdout line; a bad input file exits 2 with the reason. */
export async function runEval(produce: () => unknown): Promise<void> {
  try {
    process.stdout.write(`${JSON.stringify(await produce())}\n`);
  } catch (err) {
    if (err instanceof EvalInputError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/**
 * `switchboard eval intents`: the product's intent head — with the shared encoder's query vectors when the model is
 * prepared (an eval never downloads; vectors are cached in .cache/vectors by encoder and text, so re-runs take
 * seconds), lexical features only otherwise or with `--no-embeddings`.
 */
export async function evalIntentsCommand(options: { train: string; test: string; oosThreshold?: string; embeddings?: boolean }): Promise<void> {
  await runEval(async () => {
    const threshold = options.oosThreshold === undefined ? undefined : Number(options.oosThreshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new EvalInputError(`--oos-threshold must be between 0 and 1, got "${options.oosThreshold}"`);
    const train = readLabelledCsv(options.train, 'category');
    const test = readLabelledCsv(options.test, 'category');
    let vectors: { train: Float32Array[]; test: Float32Array[] } | undefined;
    let encoder = 'none (lexical only)';
    if (options.embeddings !== false) {
      const { loadEmbeddedEmbedder } = require('../brain/embeddings') as typeof import('../brain/embeddings');
      const { cachedVectors } = require('../brain/embeddings/vector-cache') as typeof import('../brain/embeddings/vector-cache');
      const embedder = await loadEmbeddedEmbedder({ prepare: false });
      if (embedder) {
        encoder = embedder.id;
        const progress = (done: number, todo: number) => process.stderr.write(`eval intents: embedded ${done}/${todo}\n`);
        vectors = {
          train: await cachedVectors(embedder, train.map((e) => e.text), 'query', { onProgress: progress }),
          test: await cachedVectors(embedder, test.map((e) => e.text), 'query', { onProgress: progress }),
        };
      }
    }
    process.stderr.write(`eval intents: training on ${train.length} rows, testing on ${test.length} (encoder: ${encoder})\n`);
    return { ...evaluateIntents(train, test, threshold, {}, vectors), encoder };
  });
}
