/**
 * Trains the off-topic head (src/brain/offtopic) on the shared encoder and writes its weights to
 * src/brain/offtopic/weights/<encoder id>.json, which is committed: the product never trains it at start-up.
 *
 *   off-topic: CLINC150 train rows of its non-commerce domains (small talk, travel, kitchen and dining, home,
 *              utility, work, auto and commute, meta) and its out-of-scope train rows, plus OFF_TOPIC_EXAMPLES
 *   support:   Banking77 train rows, plus SUPPORT_EXAMPLES (a generic shop's questions, some mentioning weather,
 *              travel or sport on purpose)
 * CLINC150's banking and credit-card domains are left out (they are a bank's support questions), and so is its
 * `order_status` intent. A fifth of every source (by a hash of the text) is held back and scored first; the
 * committed weights are then trained on everything.
 *
 * Usage: nice -n 10 npx tsx scripts/train-offtopic.ts [dataDir=../shared/data]   (about 25 s; deterministic)
 * OFFTOPIC_OWN_WEIGHT (default 12): how much one hand-written example counts against one public row.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import { OFF_TOPIC_EXAMPLES, SUPPORT_EXAMPLES } from '../src/brain/offtopic/examples';
import { dot, sigmoid, weightsPath, type OffTopicWeights } from '../src/brain/offtopic/model';
import { trainLogistic, type LabelledVector } from '../src/brain/offtopic/train';

const dataDir = process.argv[2] ?? join(__dirname, '..', '..', 'shared', 'data');
const OFF_TOPIC_DOMAINS = ['small_talk', 'travel', 'kitchen_and_dining', 'home', 'utility', 'work', 'auto_and_commute', 'meta'];
const COMMERCE_INTENTS = new Set(['order_status']);
/** Every n-th public row: enough to cover each domain, while the hand-written examples still count. */
const CLINC_EVERY = 4;
const BANKING_EVERY = 8;
const OWN_WEIGHT = Number(process.env.OFFTOPIC_OWN_WEIGHT ?? 12);

interface Row {
  text: string;
  label: 0 | 1;
  source: string;
  weight: number;
}

const hashed = (text: string) => createHash('sha256').update(`switchboard-offtopic-dev-v1:${text.toLowerCase().trim()}`).digest().readUInt32BE(0);
const isDev = (text: string) => hashed(text) % 5 === 0;

function rows(): Row[] {
  const clinc = JSON.parse(readFileSync(join(dataDir, 'clinc150', 'data_full_train_val.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const domains = JSON.parse(readFileSync(join(dataDir, 'clinc150', 'domains.json'), 'utf8')) as Record<string, string[]>;
  const offIntents = new Set(OFF_TOPIC_DOMAINS.flatMap((d) => domains[d] ?? []).filter((i) => !COMMERCE_INTENTS.has(i)));
  const out: Row[] = [];
  clinc.train!.filter(([, intent]) => offIntents.has(intent)).forEach(([text], i) => {
    if (i % CLINC_EVERY === 0) out.push({ text, label: 1, source: 'clinc150-offtopic', weight: 1 });
  });
  for (const [text] of clinc.oos_train!) out.push({ text, label: 1, source: 'clinc150-oos', weight: 1 });
  const banking = parse(readFileSync(join(dataDir, 'banking77', 'train.csv')), { columns: true, bom: true }) as Array<{ text: string }>;
  banking.forEach((r, i) => {
    if (i % BANKING_EVERY === 0) out.push({ text: r.text, label: 0, source: 'banking77', weight: 1 });
  });
  for (const text of SUPPORT_EXAMPLES) out.push({ text, label: 0, source: 'own-support', weight: OWN_WEIGHT });
  for (const text of OFF_TOPIC_EXAMPLES) out.push({ text, label: 1, source: 'own-offtopic', weight: OWN_WEIGHT });
  return out;
}

async function main(): Promise<void> {
  const embedder = await loadEmbeddedEmbedder({ prepare: false });
  if (!embedder) throw new Error('the shared encoder is not prepared (scripts/prepare-models.sh)');
  const all = rows();
  const started = Date.now();
  const vectors: Float32Array[] = [];
  // One text at a time, as at run time (batched int8 inference makes a vector depend on its batch companions).
  for (const row of all) vectors.push((await embedder.embedQueries!([row.text]))[0]!);
  console.log(`embedded ${all.length} texts with ${embedder.id} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const labelled = (indexes: number[]): LabelledVector[] => indexes.map((i) => ({ vector: vectors[i]!, label: all[i]!.label, weight: all[i]!.weight }));
  const dev = all.map((_, i) => i).filter((i) => isDev(all[i]!.text));
  const fit = all.map((_, i) => i).filter((i) => !isDev(all[i]!.text));
  const held = trainLogistic(labelled(fit), embedder.dimensions);
  const scores: Record<string, { rows: number; correct: number }> = {};
  for (const i of dev) {
    const p = sigmoid(dot(held.weights, vectors[i]!) + held.bias);
    const s = (scores[all[i]!.source] ??= { rows: 0, correct: 0 });
    s.rows++;
    if ((p >= 0.5 ? 1 : 0) === all[i]!.label) s.correct++;
    else if (all[i]!.source.startsWith('own')) console.log(`  held back, misread: ${all[i]!.text} (p=${p.toFixed(2)})`);
  }
  const devReport = Object.fromEntries(Object.entries(scores).map(([k, v]) => [k, { rows: v.rows, accuracy: Math.round((v.correct / v.rows) * 1000) / 1000 }]));
  console.log('held-back fifth, accuracy at p >= 0.5:', devReport);
  const final = trainLogistic(labelled(all.map((_, i) => i)), embedder.dimensions);
  const counts: Record<string, number> = {};
  for (const r of all) counts[r.source] = (counts[r.source] ?? 0) + 1;
  const weights: OffTopicWeights = {
    encoder: embedder.id,
    dimensions: embedder.dimensions,
    bias: final.bias,
    weights: final.weights,
    trainedOn: { rows: counts, heldBackFifth: devReport, command: 'npx tsx scripts/train-offtopic.ts' },
  };
  writeFileSync(weightsPath(embedder.id), `${JSON.stringify(weights)}\n`);
  console.log(`wrote ${weightsPath(embedder.id)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
