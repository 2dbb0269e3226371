import { readFileSync } from 'node:fs';
import { HybridRetriever } from '../knowledge/hybrid';
import { loadMarkdownFolder } from '../knowledge/load';
import { answerabilityModelFor } from '../src/brain/answer/answerability';
import { readUnits } from '../src/brain/answer/reading';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
async function main() {
  const emb = (await loadEmbeddedEmbedder({ prepare: false }))!;
  const r = await HybridRetriever.create(await loadMarkdownFolder('knowledge/demo'), { embedder: emb });
  const model = answerabilityModelFor(emb.id)!;
  const rows: Array<[number, string]> = [];
  for (const f of process.argv.slice(2)) for (const l of readFileSync(f, 'utf8').trim().split('\n')) {
    const q = JSON.parse(l);
    const units = await readUnits(q.query, r, model);
    const best = [...units].sort((a, b) => b.probability - a.probability)[0]!;
    const anyRight = units.some((u) => q.relevant.includes(u.hits[0]!.chunk.id));
    const tag = !q.relevant.length ? 'U' : q.relevant.includes(best.hits[0]!.chunk.id) ? 'Y' : anyRight ? 'y' : 'n';
    const e = best.evidence!;
    rows.push([best.probability, `${best.probability.toFixed(2)} ${tag} t=${e.top.toFixed(2)} s=${e.sentence.toFixed(2)} z=${e.z.toFixed(1)} lz=${e.leadZ.toFixed(1)} cov=${e.coverage.toFixed(2)} ${best.hits[0]!.chunk.id.slice(0, 30)} | ${best.unit.text.slice(0, 70)}`]);
  }
  rows.sort((a, b) => b[0] - a[0]);
  for (const [, s] of rows) console.log(s);
}
main();
