/**
 * Follow-ups over the demo help centre (knowledge/eval/followups-dev.jsonl: a question, then a dependent
 * follow-up): how often the follow-up is answered from the expected section when read with the previous question
 * (src/brain/context.ts) and when read alone, with the shared encoder.
 * Usage: nice -n 10 npx tsx scripts/eval-followups.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import type { BrainContext } from '../src/brain/types';
import { demoBrain } from '../test/support/demo-brain';

async function main(): Promise<void> {
  const embedder = await loadEmbeddedEmbedder({ prepare: false });
  if (!embedder) throw new Error('the shared encoder is not prepared (scripts/prepare-models.sh)');
  const brain = await demoBrain({ embedder, clock: () => new Date('2026-11-25T10:00:00Z') });
  const rows = readFileSync(join(__dirname, '..', 'knowledge', 'eval', 'followups-dev.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { previous: string; followUp: string; expect: string });
  const ctx = (text: string, history: BrainContext['history']): BrainContext => ({ text, channelKind: 'api', contact: { aiOptOut: false, vip: false }, conversation: { status: 'bot', unhelpfulTurns: 0 }, history });
  let withContext = 0;
  let alone = 0;
  for (const r of rows) {
    const history: BrainContext['history'] = [{ author: 'contact', text: r.previous }, { author: 'bot', text: '(the answer)' }];
    const read = await brain.decide(ctx(r.followUp, history));
    const cited = read.kind === 'answer' ? read.citations[0]?.title : `${read.kind} ${read.annotations.reason ?? ''}`;
    if (cited === r.expect) withContext++;
    else console.log(`with context, "${r.followUp}" after "${r.previous}": ${cited}`);
    const single = await brain.decide(ctx(r.followUp, []));
    if (single.kind === 'answer' && single.citations[0]?.title === r.expect) alone++;
    else console.log(`read alone, "${r.followUp}": ${single.kind === 'answer' ? single.citations[0]?.title : single.kind}`);
  }
  console.log(`answered from the expected section: with context ${withContext}/${rows.length}, read alone ${alone}/${rows.length}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
