import { readFileSync } from 'node:fs';
import { HybridRetriever } from '../knowledge/hybrid';
import { loadMarkdownFolder } from '../knowledge/load';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import { questionUnits } from '../src/brain/answer/question-units';
async function main() {
  const emb = (await loadEmbeddedEmbedder({ prepare: false }))!;
  const chunks = await loadMarkdownFolder('knowledge/demo');
  const r = await HybridRetriever.create(chunks, { embedder: emb });
  const qs = readFileSync(process.argv[2]!, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  let t0 = performance.now();
  for (const q of qs) {
    const units = questionUnits(q.query);
    const out: string[] = [];
    for (const u of units) {
      const h = await r.search(u.text, 3);
      const ok = q.relevant.includes(h[0]!.chunk.id) ? 'Y' : 'n';
      out.push(`  ${ok} v=${h[0]!.vectorScore!.toFixed(3)} lead=${(h[0]!.vectorScore! - h[1]!.vectorScore!).toFixed(3)} cov=${h[0]!.coverage.toFixed(2)} c=${h[0]!.confidence.toFixed(2)} ${h[0]!.chunk.id.slice(0, 40)} <= ${u.text.slice(0, 70)}`);
    }
    console.log(`${q.id} [${q.relevant.length ? 'A' : 'U'}] ${q.query.slice(0, 90)}\n${out.join('\n')}`);
  }
  console.error('ms/q', (performance.now() - t0) / qs.length);
}
main();
