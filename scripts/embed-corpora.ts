/**
 * Fills the eval vector cache (.cache/vectors) for the dev splits, so `eval intents` / `eval sentiment` re-runs take
 * seconds. Usage: nice -n 10 npx tsx scripts/embed-corpora.ts [query|passage] file.csv...
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import { cachedVectors, type EmbedKind } from '../src/brain/embeddings/vector-cache';

async function main(): Promise<void> {
  const [kind, ...files] = process.argv.slice(2) as [EmbedKind, ...string[]];
  const embedder = await loadEmbeddedEmbedder({ prepare: false });
  if (!embedder) throw new Error('the shared encoder is not prepared (scripts/prepare-models.sh)');
  for (const file of files) {
    const rows = parse(readFileSync(file), { columns: true, bom: true }) as Array<{ text: string }>;
    const started = Date.now();
    await cachedVectors(embedder, rows.map((r) => r.text.trim()), kind, { onProgress: (d, t) => process.stderr.write(`${file}: ${d}/${t}\n`) });
    console.log(`${file}: ${rows.length} texts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}
void main();
