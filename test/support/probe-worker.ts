/**
 * A gateway in a process of its own for the security probe (test/security/probe.test.ts): the parent configures the
 * channels in the database first, this process serves HTTP on loopback, and the parent checks it is still alive
 * after every batch. Workers are not started: the probe is about what ingress accepts and stores, and a reply to a
 * replayed message must not go looking for a platform API. A line `loop` on stdin is answered with the longest
 * event-loop stall since the previous one (`LOOP <ms>`), so a slow /health can be told from a blocked process.
 * Usage: node -r tsx/cjs probe-worker.ts <dbName> <hexKey>
 */
import { once } from 'node:events';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { writeSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import pino from 'pino';
import { SecretBox } from '../../conversations';
import { loadConfig } from '../../src/config';
import { createGateway } from '../../src/gateway';

async function run(): Promise<void> {
  const [dbName, hexKey] = process.argv.slice(2);
  const connection = await mongoose.createConnection(process.env.MONGODB_URI!, { dbName }).asPromise();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    KNOWLEDGE_DIR: `${__dirname}/../../knowledge/demo`,
    EMBEDDINGS: 'off',
  });
  const gateway = await createGateway({ config, connection, box: SecretBox.fromString(hexKey!), log: pino({ level: config.LOG_LEVEL }) });
  // What `listen` does before it binds (it would also start the workers, which this process leaves off).
  await gateway.warmAdapters();
  gateway.server.listen(0, '127.0.0.1');
  await once(gateway.server, 'listening');
  const { port } = gateway.server.address() as AddressInfo;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() !== 'loop') return;
    writeSync(1, `LOOP ${(delay.max / 1e6).toFixed(1)}\n`);
    delay.reset();
  });
  writeSync(1, `READY http://127.0.0.1:${port}\n`);
}

run().catch((err) => {
  writeSync(2, `${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
