/**
 * How the demo brain, with the shared encoder, treats off-topic messages and support questions:
 *   support: knowledge/eval/demo-queries.jsonl (answerable and unanswerable support questions): how many are
 *            wrongly called off-topic (the unanswerable ones must go to people instead);
 *   off-topic: knowledge/eval/offtopic-dev.txt (written apart from the training examples, in a chattier style):
 *            how many get the off-topic reply rather than a hand-over.
 * Usage: nice -n 10 npx tsx scripts/eval-offtopic.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import type { BrainContext } from '../src/brain/types';
import { demoBrain } from '../test/support/demo-brain';

const EVAL = join(__dirname, '..', 'knowledge', 'eval');

async function main(): Promise<void> {
  const embedder = await loadEmbeddedEmbedder({ prepare: false });
  if (!embedder) throw new Error('the shared encoder is not prepared (scripts/prepare-models.sh)');
  const brain = await demoBrain({ embedder, clock: () => new Date('2026-11-25T10:00:00Z') });
  const ctx = (text: string): BrainContext => ({ text, channelKind: 'api', contact: { aiOptOut: false, vip: false }, conversation: { status: 'bot', unhelpfulTurns: 0 }, history: [] });
  const support = readFileSync(join(EVAL, 'demo-queries.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { query: string; relevant: string[] });
  const offTopic = readFileSync(join(EVAL, 'offtopic-dev.txt'), 'utf8').trim().split('\n');
  const count = { answerable: [0, 0], unanswerable: [0, 0], offTopic: [0, 0] };
  const ms: number[] = [];
  const timed = async (text: string) => {
    const started = performance.now();
    const d = await brain.decide(ctx(text));
    ms.push(performance.now() - started);
    return d;
  };
  for (const q of support) {
    const d = await timed(q.query);
    const bucket = q.relevant.length ? count.answerable : count.unanswerable;
    bucket[1]!++;
    if (d.annotations.reason === 'off_topic') {
      bucket[0]!++;
      console.log(`support called off-topic: ${q.query}`);
    }
  }
  for (const text of offTopic) {
    const d = await timed(text);
    count.offTopic[1]!++;
    if (d.annotations.reason === 'off_topic') count.offTopic[0]!++;
    else console.log(`off-topic not recognised (${d.kind} ${d.annotations.reason ?? ''}): ${text}`);
  }
  const rate = ([a, b]: number[]) => `${a}/${b} (${((a! / b!) * 100).toFixed(1)} %)`;
  console.log(`answerable support questions called off-topic: ${rate(count.answerable)}`);
  console.log(`unanswerable support questions called off-topic (should go to people): ${rate(count.unanswerable)}`);
  console.log(`off-topic messages answered as off-topic: ${rate(count.offTopic)}`);
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  console.log(`brain turn (first sight of each message, head included): p50 ${at(0.5)} ms, p99 ${at(0.99)} ms over ${ms.length}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
