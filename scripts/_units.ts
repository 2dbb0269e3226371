import { HybridRetriever } from '../knowledge/hybrid';
import { loadMarkdownFolder } from '../knowledge/load';
import { answerabilityModelFor } from '../src/brain/answer/answerability';
import { readUnits } from '../src/brain/answer/reading';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
async function main() {
  const emb = (await loadEmbeddedEmbedder({ prepare: false }))!;
  const r = await HybridRetriever.create(await loadMarkdownFolder('knowledge/demo'), { embedder: emb });
  const model = answerabilityModelFor(emb.id)!;
  for (const text of process.argv.slice(2)) for (const u of await readUnits(text, r, model)) console.log(u.probability.toFixed(2), u.hits[0]!.chunk.id.slice(0, 40), JSON.stringify(u.evidence), '|', u.unit.text);
}
main();
