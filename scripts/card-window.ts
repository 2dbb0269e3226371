/**
 * Measures the window in which a desk card exists at the platform but its id is not stored yet: from the moment the
 * (local) Slack peer writes the chat.postMessage answer to the desk deliverer's `done` for that card (root stored,
 * row marked). On Slack a crash in that window is closed by the nonce read-back; on Teams (no history read for bots)
 * it is the residual window in which a crash posts the card twice. Run: `npx tsx scripts/card-window.ts [n]`.
 */
import { randomBytes } from 'node:crypto';
import type { DeskPostRecord } from '../conversations/desk';
import { startBenchGateway } from '../src/cli/bench-support';
import { SlackPeer, type SlackCall } from '../test/support/slack-peer';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 50);
  const peer = await new SlackPeer({ clock: () => new Date() }).start();
  const bench = await startBenchGateway({ dbPrefix: 'card_window', env: { POLL_MS: '20', DESK_SLA_MINUTES: '600', EMBEDDINGS: 'off' } });
  const { gateway } = bench;
  const key = `sk_bench_${randomBytes(8).toString('hex')}`;
  await gateway.store.channels.ensure({ id: 'api-bench', kind: 'api', name: 'API', secrets: { apiKey: key, signingSecret: 'x' }, apiKey: key });
  await gateway.store.channels.ensure({ id: 'slack-desk', kind: 'slack', name: 'Slack', settings: { slackApiUrl: peer.apiUrl, botUserId: peer.botUserId, desk: { channel: 'C0DESK' } }, secrets: { signingSecret: 'x', botToken: 'xoxb' } });
  const url = await gateway.listen();
  const answeredAt = new Map<string, number>();
  peer.on('request', (call: SlackCall) => {
    const blocks = call.form.blocks ?? '';
    const match = /sb:claim:([0-9a-f]{24})/.exec(blocks);
    if (call.method === 'chat.postMessage' && !call.form.thread_ts && match) answeredAt.set(match[1]!, performance.now());
  });
  const windows: number[] = [];
  for (let i = 0; i < n; i++) {
    const done = new Promise<number>((resolve) => {
      const onDone = (post: DeskPostRecord) => {
        if (post.kind !== 'card') return;
        gateway.deskDeliverer.off('done', onDone);
        resolve(performance.now() - (answeredAt.get(String(post.conversationId)) ?? Number.NaN));
      };
      gateway.deskDeliverer.on('done', onDone);
    });
    const res = await fetch(`${url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: `m${i}`, contact: { id: `c${i}`, name: `Customer ${i}` }, text: 'I need to talk to a human about my order' }),
    });
    if (res.status !== 202) throw new Error(`POST answered ${res.status}`);
    windows.push(await done);
  }
  windows.sort((a, b) => a - b);
  const at = (q: number) => windows[Math.min(windows.length - 1, Math.floor(q * windows.length))]!.toFixed(1);
  console.log(`card answer → id stored, ${n} cards, ${bench.storeLabel}: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, max ${at(1)} ms`);
  await bench.stop();
  await peer.stop();
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
