/**
 * Trains the sentiment head (src/brain/sentiment/head.ts) on the shared encoder's query vectors and writes
 * src/brain/sentiment/weights/<encoder id>.json, which is committed (the product never trains it at start-up).
 *
 *   GoEmotions train (Apache-2.0, ../shared/data/goemotions): rows with exactly one of negative / neutral /
 *     positive (ambiguous and mixed rows left out), every n-th row up to SENTIMENT_PER_CLASS a class;
 *   our own customer-service sentences (src/brain/sentiment/examples.ts, incl. CLINC150 neutral requests),
 *     each counting SENTIMENT_OWN_WEIGHT rows.
 * Airline tweets are never read here (evaluation only: `switchboard eval sentiment`). A fifth of every source (by a
 * hash of the text) is held back and scored first; the committed weights are then trained on everything.
 *
 * Usage: nice -n 10 npx tsx scripts/train-sentiment.ts [dataDir=../shared/data]
 *   (first run embeds ~9,000 texts, about a minute; vectors are cached in .cache/vectors, re-runs take seconds)
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import { cachedVectors } from '../src/brain/embeddings/vector-cache';
import { NEGATIVE_EXAMPLES, NEUTRAL_EXAMPLES, POSITIVE_EXAMPLES } from '../src/brain/sentiment/examples';
import { sentimentWeightsPath, softmax3, type SentimentHeadWeights } from '../src/brain/sentiment/head';

const dataDir = process.argv[2] ?? join(__dirname, '..', '..', 'shared', 'data');
const PER_CLASS = Number(process.env.SENTIMENT_PER_CLASS ?? 3000);
const OWN_WEIGHT = Number(process.env.SENTIMENT_OWN_WEIGHT ?? 5);
const ITERATIONS = 400;
const LEARNING_RATE = 4;
const L2 = 1e-4;
/** GoEmotions' sentiment grouping (labels.txt: ambiguous, negative, neutral, positive) → our classes. */
const GO_CLASS: Record<string, number> = { '1': 0, '2': 1, '3': 2 };

interface Row {
  text: string;
  label: number;
  source: string;
  weight: number;
}

const isHeldBack = (text: string) => createHash('sha256').update(`switchboard-sentiment-dev-v1:${text}`).digest().readUInt32BE(0) % 5 === 0;

const OWN_DIR = join(__dirname, '..', 'src', 'brain', 'sentiment', 'data');
const OWN_LABEL: Record<string, number> = { negative: 0, neutral: 1, positive: 2 };

/** Our own labelled customer messages (`label<TAB>text` per line, src/brain/sentiment/data/*.tsv). */
function ownSentenceFiles(): Array<{ text: string; label: number }> {
  return readdirSync(OWN_DIR)
    .filter((f) => f.endsWith('.tsv'))
    .sort()
    .flatMap((f) =>
      readFileSync(join(OWN_DIR, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((line, i) => {
          const [label, text] = line.split('\t');
          const c = OWN_LABEL[label ?? ''];
          if (c === undefined || !text?.trim()) throw new Error(`${f}:${i + 1}: expected "negative|neutral|positive<TAB>text"`);
          return { text: text.trim(), label: c };
        }),
    );
}

function rows(): Row[] {
  const lines = readFileSync(join(dataDir, 'goemotions', 'train.tsv'), 'utf8').split('\n').filter(Boolean);
  const byClass: Row[][] = [[], [], []];
  for (const line of lines) {
    const [text, label] = line.split('\t');
    const c = GO_CLASS[label ?? ''];
    if (c !== undefined && text) byClass[c]!.push({ text, label: c, source: 'goemotions', weight: 1 });
  }
  const out: Row[] = [];
  for (const list of byClass) {
    const step = Math.max(1, Math.floor(list.length / PER_CLASS));
    for (let i = 0; i < list.length && out.filter((r) => r.label === list[0]!.label).length < PER_CLASS; i += step) out.push(list[i]!);
  }
  const own = (texts: string[], label: number) => texts.forEach((text) => out.push({ text, label, source: 'own', weight: OWN_WEIGHT }));
  own(NEGATIVE_EXAMPLES, 0);
  own(NEUTRAL_EXAMPLES, 1);
  own(POSITIVE_EXAMPLES, 2);
  for (const row of ownSentenceFiles()) out.push({ ...row, source: 'own', weight: OWN_WEIGHT });
  return out;
}

/** Full-batch gradient descent on weighted cross-entropy from zero weights: deterministic for given vectors. */
function train(vectors: Float32Array[], data: Row[], dims: number): Float64Array[] {
  const w = [0, 1, 2].map(() => new Float64Array(dims + 1));
  // Classes balanced by total weight, so the own sentences' class mix does not shift the prior.
  const classWeight = [0, 1, 2].map((c) => {
    const total = data.reduce((s, r) => s + (r.label === c ? r.weight : 0), 0);
    return total > 0 ? data.reduce((s, r) => s + r.weight, 0) / (3 * total) : 0;
  });
  const norm = data.reduce((s, r) => s + r.weight * classWeight[r.label]!, 0);
  for (let it = 0; it < ITERATIONS; it++) {
    const grad = [0, 1, 2].map(() => new Float64Array(dims + 1));
    data.forEach((r, n) => {
      const x = vectors[n]!;
      const p = softmax3(w, x);
      const scale = (r.weight * classWeight[r.label]!) / norm;
      for (let k = 0; k < 3; k++) {
        const g = (p[k]! - (r.label === k ? 1 : 0)) * scale;
        const row = grad[k]!;
        for (let d = 0; d < dims; d++) row[d]! += g * x[d]!;
        row[dims]! += g;
      }
    });
    for (let k = 0; k < 3; k++) for (let d = 0; d <= dims; d++) w[k]![d]! -= LEARNING_RATE * (grad[k]![d]! + (d < dims ? L2 * w[k]![d]! : 0));
  }
  return w;
}

async function main(): Promise<void> {
  const embedder = await loadEmbeddedEmbedder({ prepare: false });
  if (!embedder) throw new Error('the shared encoder is not prepared (scripts/prepare-models.sh)');
  const data = rows();
  const started = Date.now();
  // The analyzer's vector: embedQueries of the raw message (the one encoder pass per message).
  const vectors = await cachedVectors(embedder, data.map((r) => r.text), 'query', { onProgress: (d, t) => process.stderr.write(`embedded ${d}/${t}\n`) });
  console.log(`${data.length} texts (${embedder.id}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const held = data.map((_, i) => i).filter((i) => isHeldBack(data[i]!.text));
  const fit = data.map((_, i) => i).filter((i) => !isHeldBack(data[i]!.text));
  const w = train(fit.map((i) => vectors[i]!), fit.map((i) => data[i]!), embedder.dimensions);
  const scores: Record<string, { rows: number; accuracy: number }> = {};
  for (const source of ['goemotions', 'own']) {
    const idx = held.filter((i) => data[i]!.source === source);
    const correct = idx.filter((i) => {
      const p = softmax3(w, vectors[i]!);
      return p.indexOf(Math.max(...p)) === data[i]!.label;
    }).length;
    scores[source] = { rows: idx.length, accuracy: Math.round((correct / Math.max(1, idx.length)) * 1000) / 1000 };
  }
  console.log('held back:', JSON.stringify(scores));
  const final = train(vectors, data, embedder.dimensions);
  const weights: SentimentHeadWeights = {
    encoder: embedder.id,
    dimensions: embedder.dimensions,
    rows: final.map((r) => Array.from(r, (v) => Math.round(v * 1e5) / 1e5)),
    trainedOn: { goemotionsPerClass: PER_CLASS, ownWeight: OWN_WEIGHT, rows: data.length, heldBackAccuracy: scores },
  };
  writeFileSync(sentimentWeightsPath(embedder.id), `${JSON.stringify(weights)}\n`);
  console.log(`wrote ${sentimentWeightsPath(embedder.id)}`);
}
void main();
