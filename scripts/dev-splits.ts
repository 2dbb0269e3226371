/**
 * Writes the dev splits we tune on, from the public training data in ../shared/data only (the test splits are
 * held out by the maintainers and never used):
 *   banking77-train.csv / banking77-dev.csv — Banking77 train, 10 % per intent held out (seeded, stratified);
 *   clinc150-train.csv / clinc150-dev.csv   — CLINC150 train + oos_train / val + oos_val ("oos" rows);
 *   clinc150-train-inscope.csv              — CLINC150 train without oos_train, to check that a model trained on
 *                                             in-scope rows only still rejects out-of-scope dev rows.
 * Usage: npx tsx scripts/dev-splits.ts [outDir=.cache/dev-splits] [dataDir=../shared/data]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { mulberry32 } from '../src/random';

const outDir = process.argv[2] ?? '.cache/dev-splits';
const dataDir = process.argv[3] ?? join(__dirname, '..', '..', 'shared', 'data');
mkdirSync(outDir, { recursive: true });

const csv = (rows: Array<[string, string]>) =>
  ['text,category', ...rows.map(([t, c]) => `"${t.replace(/"/g, '""')}",${c}`)].join('\n') + '\n';

const banking = parse(readFileSync(join(dataDir, 'banking77', 'train.csv')), { columns: true }) as Array<{ text: string; category: string }>;
const byIntent = new Map<string, string[]>();
for (const r of banking) byIntent.set(r.category, [...(byIntent.get(r.category) ?? []), r.text]);
const random = mulberry32(77);
const bTrain: Array<[string, string]> = [];
const bDev: Array<[string, string]> = [];
for (const [intent, texts] of byIntent) {
  const shuffled = texts.map((t) => [random(), t] as const).sort((a, b) => a[0] - b[0]).map(([, t]) => t);
  const cut = Math.max(1, Math.round(shuffled.length * 0.1));
  shuffled.forEach((t, i) => (i < cut ? bDev : bTrain).push([t, intent]));
}
writeFileSync(join(outDir, 'banking77-train.csv'), csv(bTrain));
writeFileSync(join(outDir, 'banking77-dev.csv'), csv(bDev));

const clinc = JSON.parse(readFileSync(join(dataDir, 'clinc150', 'data_full_train_val.json'), 'utf8')) as Record<string, Array<[string, string]>>;
writeFileSync(join(outDir, 'clinc150-train.csv'), csv([...clinc.train!, ...clinc.oos_train!]));
writeFileSync(join(outDir, 'clinc150-train-inscope.csv'), csv(clinc.train!));
writeFileSync(join(outDir, 'clinc150-dev.csv'), csv([...clinc.val!, ...clinc.oos_val!]));
console.log(`dev splits in ${outDir}: banking77 ${bTrain.length}/${bDev.length}, clinc150 ${clinc.train!.length + clinc.oos_train!.length}/${clinc.val!.length + clinc.oos_val!.length}`);
