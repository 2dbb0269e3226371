/**
 * Per-message latency of the embedded analyzer as the product runs it (shared bge encoder on one thread, intent and
 * sentiment heads on its vector, demo intents from knowledge/intents), over distinct messages (no cache hits), and the
 * process RSS with and without the model. Usage: nice -n 10 npx tsx scripts/bench-analyze.ts [csv=.cache/dev-splits/banking77-dev.csv] [n=500]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { EmbeddedAnalyzer } from '../src/brain/analysis/embedded-analyzer';
import { loadIntentCatalog } from '../src/brain/catalog/intents';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import { EmbeddedSentimentAnalyzer } from '../src/brain/sentiment';

const mb = () => Math.round(process.memoryUsage().rss / 1e6);

async function main(): Promise<void> {
  const file = process.argv[2] ?? '.cache/dev-splits/banking77-dev.csv';
  const n = Number(process.argv[3] ?? 500);
  const texts = [...new Set((parse(readFileSync(file), { columns: true, bom: true }) as Array<{ text: string }>).map((r) => r.text.trim()))].slice(0, n + 50);
  const intents = loadIntentCatalog(join(__dirname, '..', 'knowledge', 'intents'));
  const rssBefore = mb();
  const embedder = (await loadEmbeddedEmbedder({ prepare: false }))!;
  const analyzer = new EmbeddedAnalyzer(intents, new EmbeddedSentimentAnalyzer({ embedder }), { intentMinConfidence: 0.5, embedder });
  const t0 = performance.now();
  await analyzer.prepare();
  const prepareMs = performance.now() - t0;
  for (const t of texts.slice(0, 50)) await analyzer.analyze(t, {}); // warm-up (JIT, onnxruntime arenas)
  const times: number[] = [];
  for (const t of texts.slice(50)) {
    const s = performance.now();
    await analyzer.analyze(t, {});
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const words = texts.map((t) => t.split(/\s+/).length).sort((a, b) => a - b);
  const q = (p: number) => Math.round(times[Math.min(times.length - 1, Math.floor(p * times.length))]! * 100) / 100;
  console.log(JSON.stringify({ messages: times.length, medianWords: words[Math.floor(words.length / 2)], p50Ms: q(0.5), p99Ms: q(0.99), prepareMs: Math.round(prepareMs), rssMbBefore: rssBefore, rssMbAfter: mb() }));
}
void main();
