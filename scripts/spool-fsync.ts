/**
 * Measures what holding one gateway event costs (src/connections/spool.ts: one JSON line appended and fsynced) on
 * this machine's disk: the part of the window, after the host's bounded store attempt, in which a crash could still
 * lose an event the store refused. Run: `npx tsx scripts/spool-fsync.ts [n] [dir]` (dir defaults to a temp dir).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboundEvent } from '../adapters/types';
import { EventSpool } from '../src/connections/spool';

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 200);
  const base = process.argv[3] ?? (await mkdtemp(join(tmpdir(), 'spool-fsync-')));
  const spool = new EventSpool(join(base, 'spool'));
  const event: InboundEvent = {
    kind: 'message',
    externalId: '1234567890123456789',
    from: { externalId: '987654321', displayName: 'Kim' },
    address: { to: '876543210' },
    parts: [{ type: 'text', text: 'How do I start a return? My order 4711 arrived damaged.' }],
    sentAt: new Date(),
    isSelf: false,
    raw: { id: '1234567890123456789', content: 'How do I start a return?' },
  };
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await spool.append('bench', event);
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(n - 1, Math.floor(q * n))]!.toFixed(2);
  console.log(`spool append + fsync, ${n} events: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, max ${at(1)} ms`);
  if (!process.argv[3]) await rm(base, { recursive: true, force: true });
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
