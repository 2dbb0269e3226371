import { readFileSync } from 'node:fs';
import { loadMarkdownFolder } from '../knowledge/load';
import { answerabilityModelFor } from '../src/brain/answer/answerability';
import { BGE_SMALL_EN_V15_Q, loadEmbeddedEmbedder, MINILM_L6_V2_Q } from '../src/brain/embeddings';
import { evaluateRetrieval } from '../src/cli/eval-retrieval';
async function main() {
  for (const spec of [MINILM_L6_V2_Q, BGE_SMALL_EN_V15_Q]) {
    const emb = (await loadEmbeddedEmbedder({ spec, prepare: false }))!;
    const chunks = await loadMarkdownFolder('knowledge/demo');
    for (const f of ['customer-questions-heldout', 'customer-questions-dev', 'demo-queries']) {
      const qs = readFileSync(`knowledge/eval/${f}.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const r = await evaluateRetrieval([], qs, 0.75, { embedder: emb, chunks, answerability: answerabilityModelFor(emb.id)! });
      console.log(spec.id, f, JSON.stringify(r));
    }
  }
}
main();
