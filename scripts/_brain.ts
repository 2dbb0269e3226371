import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import { demoBrain } from '../test/support/demo-brain';
async function main() {
  const embedder = (await loadEmbeddedEmbedder({ prepare: false }))!;
  const brain = await demoBrain({ embedder, clock: () => new Date('2026-11-25T10:00:00Z') });
  for (const text of process.argv.slice(2)) {
    const d = await brain.decide({ text, channelKind: 'api', contact: { aiOptOut: false, vip: false }, conversation: { status: 'bot', unhelpfulTurns: 0 }, history: [] });
    console.log(text, '=>', d.kind, (d as any).reason ?? '', JSON.stringify((d as any).citations?.map((c: any) => c.title) ?? (d as any).choices?.map((c: any) => c.id)), d.annotations.answerScore);
  }
}
main();
