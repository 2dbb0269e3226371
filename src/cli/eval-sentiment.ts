import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Embedder } from '../../knowledge/embedder';
import { cachedVectors } from '../brain/embeddings/vector-cache';
import { EmbeddedSentimentAnalyzer, type HeadBlend } from '../brain/sentiment';
import { EvalInputError, macroF1, readLabelledCsv, runEval } from './eval';

const LABELS = new Set(['negative', 'neutral', 'positive']);

export interface SentimentEvalResult {
  n: number;
  accuracy: number;
  macroF1: number;
  msPerMessage: number;
}

/**
 * `switchboard eval sentiment --test TEST.csv [--no-embeddings]`: the embedded analyzer on a `text,label` CSV, as
 * the product runs it: with the MiniLM blend when the model is prepared (`scripts/prepare-models.sh`; an eval never
 * downloads), rules only otherwise or with `--no-embeddings`.
 */
export async function evalSentimentCommand(options: { test: string; embeddings?: boolean }): Promise<void> {
  await runEval(async () => {
    const rows = readSentimentCsv(options.test);
    let embedder: Embedder | undefined;
    if (options.embeddings !== false) {
      const { loadEmbeddedEmbedder } = require('../brain/embeddings') as typeof import('../brain/embeddings');
      embedder = await loadEmbeddedEmbedder({ prepare: false });
    }
    process.stderr.write(`eval sentiment: scoring ${rows.length} rows (${embedder ? `rules + ${embedder.id}` : 'rules only'})\n`);
    return evaluateSentiment(rows, { embedder, progress: (done) => process.stderr.write(`eval sentiment: ${done}/${rows.length}\n`) });
  });
}

/** `readLabelledCsv` plus the one check it cannot make: the label must be one of the three sentiments. */
export function readSentimentCsv(path: string): Array<{ text: string; label: string }> {
  const rows = readLabelledCsv(path, 'label');
  const bad = rows.findIndex((r) => !LABELS.has(r.label));
  if (bad >= 0) {
    throw new EvalInputError(`${path} line ${lineOfRow(path, bad)}: unknown label "${rows[bad]!.label}" (expected negative, neutral or positive)`);
  }
  return rows;
}

/** Line number of the n-th data row (quoted texts may span lines, so count with the parser, not by splitting). */
function lineOfRow(path: string, index: number): number {
  const records = parse(readFileSync(path), { columns: true, info: true, bom: true, skip_empty_lines: true }) as Array<{ info: { lines: number } }>;
  return records[index]?.info.lines ?? index + 2;
}

export async function evaluateSentiment(
  rows: Array<{ text: string; label: string }>,
  options: { embedder?: Embedder; progress?: (done: number) => void; headBlend?: HeadBlend } = {},
): Promise<SentimentEvalResult> {
  // As the product's analyzer does: one query vector per message (from the eval cache), handed to the sentiment head.
  const vectors = options.embedder ? await cachedVectors(options.embedder, rows.map((r) => r.text), 'query') : undefined;
  const analyzer = new EmbeddedSentimentAnalyzer({
    ...(options.embedder ? { embedder: options.embedder } : {}),
    ...(options.headBlend ? { headBlend: options.headBlend } : {}),
    onEmbeddingError: (err) => {
      throw err;
    },
  });
  // Warm up (loads and trains the embedding model) outside the timed loop.
  await analyzer.analyze('hello');
  const predicted: string[] = [];
  const started = performance.now();
  for (const [i, r] of rows.entries()) {
    if (options.progress && i > 0 && i % 1000 === 0) options.progress(i);
    predicted.push((await analyzer.analyze(r.text, vectors?.[i])).label);
  }
  const msPerMessage = (performance.now() - started) / Math.max(1, rows.length);
  const gold = rows.map((r) => r.label);
  return {
    n: rows.length,
    accuracy: round(predicted.filter((p, i) => p === gold[i]).length / Math.max(1, rows.length)),
    macroF1: round(macroF1(gold, predicted)),
    msPerMessage: round(msPerMessage),
  };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
