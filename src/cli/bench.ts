import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import mongoose from 'mongoose';
import pino from 'pino';
import { SecretBox } from '../../conversations';
import { loadConfig } from '../config';
import { createGateway } from '../gateway';
import { startEmbeddedMongo } from '../store/embedded-mongo';

export interface BenchOptions {
  messages: string;
  concurrency: string;
  workers?: string;
}

const WRITE_COMMANDS = new Set(['insert', 'update', 'findAndModify', 'delete']);

/**
 * `switchboard bench`: N messages through the HTTP API channel, three phases in one run:
 *   1. raw store bound: single-document writes at concurrency C (what the store can do at all);
 *   2. saturation: N messages, closed loop at concurrency C → messagesPerSecond and writesPerMessage;
 *   3. half load: N messages arriving at half the measured rate (open loop) → ack and e2e latencies.
 * e2e is "202 returned" → "reply received by the callback". The last stdout line is the JSON result.
 */
export async function benchCommand(options: BenchOptions): Promise<void> {
  const n = positive(options.messages, '--messages');
  const concurrency = positive(options.concurrency, '--concurrency');
  const progress = (line: string) => process.stderr.write(`${line}\n`);

  const external = process.env.MONGODB_URI;
  const embedded = external ? undefined : await startEmbeddedMongo();
  const uri = external ?? embedded!.uri;
  const dbName = `sb_bench_${randomBytes(4).toString('hex')}`;
  const connection = await mongoose.createConnection(uri, { dbName, monitorCommands: true, maxPoolSize: 50 }).asPromise();
  let writes = 0;
  connection.getClient().on('commandStarted', (e) => {
    if (WRITE_COMMANDS.has(e.commandName)) writes += 1;
  });

  const callbackWaiters = new Map<string, (at: number) => void>();
  const callback = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(200).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { conversationId: string };
      callbackWaiters.get(body.conversationId)?.(performance.now());
    });
  });
  callback.listen(0, '127.0.0.1');
  await once(callback, 'listening');

  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    WORKERS: options.workers ?? '4',
    KNOWLEDGE_DIR: process.env.KNOWLEDGE_DIR ?? 'knowledge/demo',
  });
  const gateway = await createGateway({ config, connection, box: new SecretBox(randomBytes(32)), log: pino({ level: 'silent' }) });
  const apiKey = `sk_bench_${randomBytes(12).toString('hex')}`;
  await gateway.store.channels.ensure({
    id: 'bench',
    kind: 'api',
    name: 'Bench',
    settings: { callbackUrl: `http://127.0.0.1:${(callback.address() as AddressInfo).port}/` },
    secrets: { apiKey, signingSecret: 'bench' },
    apiKey,
  });
  const url = await gateway.listen();
  const questions = ['How do I return an item?', 'Can I pay with PayPal?', 'How long does shipping to Germany take?', 'I forgot my password'];

  let seq = 0;
  async function sendOne(): Promise<{ ackMs: number; e2eMs: number }> {
    const id = `b${seq++}`;
    const started = performance.now();
    const res = await fetch(`${url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, contact: { id: `contact-${id}` }, text: questions[seq % questions.length] }),
    });
    const acked = performance.now();
    if (res.status !== 202) throw new Error(`bench message rejected with ${res.status}: ${await res.text()}`);
    const { conversationId } = (await res.json()) as { conversationId: string };
    const delivered = await new Promise<number>((resolve) => callbackWaiters.set(conversationId, resolve));
    callbackWaiters.delete(conversationId);
    return { ackMs: acked - started, e2eMs: delivered - started };
  }

  try {
    progress(`bench: ${n} messages, concurrency ${concurrency}, ${config.WORKERS} workers, store ${external ? 'MONGODB_URI' : 'embedded (in memory)'}`);
    await runClosedLoop(Math.min(200, n), concurrency, sendOne); // warm-up: JIT, connection pools

    progress('phase 1/3: raw single-document write throughput of the store');
    const scratch = connection.collection('bench_scratch');
    const rawOps = Math.max(2000, n * 2);
    const rawStart = performance.now();
    let rawDone = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (rawDone < rawOps) {
          rawDone += 1;
          await scratch.insertOne({ at: new Date(), n: rawDone });
        }
      }),
    );
    const storeWritesPerSecond = rawOps / ((performance.now() - rawStart) / 1000);

    progress('phase 2/3: saturation (closed loop)');
    const writesBefore = writes;
    const satStart = performance.now();
    await runClosedLoop(n, concurrency, sendOne);
    const satSeconds = (performance.now() - satStart) / 1000;
    const messagesPerSecond = n / satSeconds;
    const writesPerMessage = (writes - writesBefore) / n;

    const rate = messagesPerSecond / 2;
    progress(`phase 3/3: half load, ${rate.toFixed(0)} messages/s (open loop)`);
    const samples = await runOpenLoop(n, rate, sendOne);

    const ack = samples.map((s) => s.ackMs).sort((a, b) => a - b);
    const e2e = samples.map((s) => s.e2eMs).sort((a, b) => a - b);
    const storeBound = storeWritesPerSecond / writesPerMessage;
    progress(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
    process.stdout.write(
      `${JSON.stringify({
        messages: n,
        messagesPerSecond: round(messagesPerSecond),
        ackP50Ms: round(percentile(ack, 0.5)),
        ackP99Ms: round(percentile(ack, 0.99)),
        e2eP50Ms: round(percentile(e2e, 0.5)),
        e2eP99Ms: round(percentile(e2e, 0.99)),
        storeWritesPerSecond: round(storeWritesPerSecond),
        writesPerMessage: round(writesPerMessage),
        storeBoundRatio: round(messagesPerSecond / storeBound),
      })}\n`,
    );
  } finally {
    await gateway.stop();
    callback.close();
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
    await embedded?.stop();
  }
}

async function runClosedLoop<T>(n: number, concurrency: number, task: () => Promise<T>): Promise<T[]> {
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
async function runOpenLoop<T>(n: number, perSecond: number, task: () => Promise<T>): Promise<T[]> {
  const intervalMs = 1000 / perSecond;
  const start = performance.now();
  const pending: Promise<T>[] = [];
  for (let i = 0; i < n; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(task());
  }
  return Promise.all(pending);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}
