/**
 * The bench's customers and integrator, in their own process (as they would be): sends messages to the
 * gateway's HTTP API channel and receives the replies on a callback server, timing both. Driven by the parent
 * over IPC: {phase:'closed', n, concurrency} | {phase:'open', n, rate} → {ackMs[], e2eMs[], seconds}.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ClientCommand {
  phase: 'closed' | 'open';
  n: number;
  concurrency?: number;
  rate?: number;
}

export interface ClientResult {
  ackMs: number[];
  e2eMs: number[];
  seconds: number;
}

const QUESTIONS = ['How do I return an item?', 'Can I pay with PayPal?', 'How long does shipping to Germany take?', 'I forgot my password'];

async function main(): Promise<void> {
  const [url, apiKey] = process.argv.slice(2) as [string, string];
  const waiters = new Map<string, (at: number) => void>();
  const early = new Map<string, number>();
  const callback = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { conversationId: string };
      const at = performance.now();
      const waiter = waiters.get(body.conversationId);
      // The reply can overtake the 202 (its HTTP response is still on its way here): keep it for sendOne.
      if (waiter) waiter(at);
      else early.set(body.conversationId, at);
    });
  });
  callback.listen(0, '127.0.0.1');
  await once(callback, 'listening');
  process.send!({ callbackUrl: `http://127.0.0.1:${(callback.address() as AddressInfo).port}/` });

  let seq = 0;
  const sendOne = async (): Promise<{ ackMs: number; e2eMs: number }> => {
    const id = `b${process.pid}-${seq++}`;
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, contact: { id: `contact-${id}` }, text: QUESTIONS[seq % QUESTIONS.length] }),
    });
    const acked = performance.now();
    if (res.status !== 202) throw new Error(`bench message rejected with ${res.status}: ${await res.text()}`);
    const { conversationId } = (await res.json()) as { conversationId: string };
    const delivered = early.get(conversationId) ?? (await new Promise<number>((resolve) => waiters.set(conversationId, resolve)));
    waiters.delete(conversationId);
    early.delete(conversationId);
    return { ackMs: acked - started, e2eMs: delivered - started };
  };

  process.on('message', async (command: ClientCommand | 'exit') => {
    if (command === 'exit') {
      callback.close();
      process.exit(0);
    }
    const started = performance.now();
    const samples =
      command.phase === 'closed' ? await closedLoop(command.n, command.concurrency!, sendOne) : await openLoop(command.n, command.rate!, sendOne);
    const result: ClientResult = {
      ackMs: samples.map((s) => s.ackMs),
      e2eMs: samples.map((s) => s.e2eMs),
      seconds: (performance.now() - started) / 1000,
    };
    process.send!(result);
  });
}

async function closedLoop<T>(n: number, concurrency: number, task: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let started = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      while (started < n) {
        started += 1;
        results.push(await task());
      }
    }),
  );
  return results;
}

/** Arrivals on a fixed schedule, whatever the latency: latency under a given load, not throughput. */
async function openLoop<T>(n: number, perSecond: number, task: () => Promise<T>): Promise<T[]> {
  const intervalMs = 1000 / perSecond;
  const start = performance.now();
  const pending: Promise<T>[] = [];
  for (let i = 0; i < n; i++) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(task());
  }
  return Promise.all(pending);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
