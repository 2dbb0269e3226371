import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { cpus, totalmem } from 'node:os';
import { startBenchGateway } from './bench-support';
import type { ClientCommand, ClientResult } from './bench-client';
import { positive } from './options';
import { percentile } from './percentile';

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

  // The bench's own log level: silent, whatever LOG_LEVEL says, so the phases' figures are not skewed by logging.
  const bench = await startBenchGateway({ dbPrefix: 'sb_bench', env: { LOG_LEVEL: 'silent', WORKERS: options.workers ?? '4' }, monitorCommands: true });
  const { gateway, connection, config } = bench;
  let writes = 0;
  connection.getClient().on('commandStarted', (e) => {
    if (WRITE_COMMANDS.has(e.commandName)) writes += 1;
  });
  const apiKey = `sk_bench_${randomBytes(12).toString('hex')}`;
  await gateway.store.channels.ensure({
    id: 'bench',
    kind: 'api',
    name: 'Bench',
    settings: { callbackUrl: '' },
    secrets: { apiKey, signingSecret: 'bench' },
    apiKey,
  });
  const url = await gateway.listen();

  // Customers and the integrator's callback run in a process of their own, as they would in life.
  const client = fork(join(__dirname, 'bench-client.ts'), [url, apiKey], { execArgv: ['-r', 'tsx/cjs'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [{ callbackUrl }] = (await once(client, 'message')) as [{ callbackUrl: string }];
  await gateway.store.models.Channel.updateOne({ _id: 'bench' }, { $set: { 'settings.callbackUrl': callbackUrl } });
  const run = async (command: ClientCommand): Promise<ClientResult> => {
    client.send(command);
    const [result] = (await once(client, 'message')) as [ClientResult];
    return result;
  };

  try {
    progress(`bench: ${n} messages, concurrency ${concurrency}, ${config.WORKERS} workers, store ${bench.storeLabel}`);
    await run({ phase: 'closed', n: Math.min(200, n), concurrency }); // warm-up: JIT, connection pools

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
    const saturation = await run({ phase: 'closed', n, concurrency });
    const messagesPerSecond = n / saturation.seconds;
    const writesPerMessage = (writes - writesBefore) / n;

    const rate = messagesPerSecond / 2;
    progress(`phase 3/3: half load, ${rate.toFixed(0)} messages/s (open loop)`);
    const halfLoad = await run({ phase: 'open', n, rate });

    const ack = [...halfLoad.ackMs].sort((a, b) => a - b);
    const e2e = [...halfLoad.e2eMs].sort((a, b) => a - b);
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
    client.send('exit');
    await bench.stop();
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

