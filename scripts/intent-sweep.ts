/**
 * Hyper-parameter sweep for the intent head on the dev splits (vectors from the eval cache, see embed-corpora.ts).
 * Usage: nice -n 10 npx tsx scripts/intent-sweep.ts '<json array of {name, options, kind?, threshold?}>'
 */
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import { cachedVectors, type EmbedKind } from '../src/brain/embeddings/vector-cache';
import { evaluateIntents, readLabelledCsv } from '../src/cli/eval';

const D = '.cache/dev-splits';
const SETS: Array<[string, string, string]> = [
  ['banking77', `${D}/banking77-train.csv`, `${D}/banking77-dev.csv`],
  ['clinc150', `${D}/clinc150-train.csv`, `${D}/clinc150-dev.csv`],
  ['clinc150-inscope', `${D}/clinc150-train-inscope.csv`, `${D}/clinc150-dev.csv`],
];

async function main(): Promise<void> {
  const configs = JSON.parse(process.argv[2] ?? '[{"name":"default","options":{}}]') as Array<{ name: string; options: object; kind?: EmbedKind | 'none'; threshold?: number; sets?: string[] }>;
  const embedder = (await loadEmbeddedEmbedder({ prepare: false }))!;
  for (const c of configs) {
    for (const [name, trainPath, testPath] of SETS) {
      if (c.sets && !c.sets.includes(name)) continue;
      const train = readLabelledCsv(trainPath, 'category');
      const test = readLabelledCsv(testPath, 'category');
      const kind = c.kind ?? 'query';
      const vectors = kind === 'none' ? undefined : {
        train: await cachedVectors(embedder, train.map((e) => e.text), kind),
        test: await cachedVectors(embedder, test.map((e) => e.text), kind),
      };
      const r = evaluateIntents(train, test, c.threshold, c.options, vectors);
      console.log(JSON.stringify({ config: c.name, set: name, ...r }));
    }
  }
}
void main();
