/**
 * A gateway worker process for the crash test. It processes conversations and freezes its event loop at the
 * requested point (`claimed` or `queued`), after telling the parent on stdout, so the parent can SIGKILL it
 * exactly there. Usage: node -r tsx/cjs crash-worker.ts <dbName> <hexKey> <freezeAt>
 */
import { writeSync } from 'node:fs';
import mongoose from 'mongoose';
import pino from 'pino';
import { SecretBox } from '../../conversations';
import { loadConfig } from '../../src/config';
import { createGateway } from '../../src/gateway';

async function run(): Promise<void> {
  const [dbName, hexKey, freezeAt] = process.argv.slice(2);
  const connection = await mongoose.createConnection(process.env.MONGODB_URI!, { dbName }).asPromise();
  const config = loadConfig({
    PORT: '0',
    LOG_LEVEL: 'silent',
    WORKERS: '1',
    POLL_MS: '20',
    LEASE_MS: '1500',
    // Its delivery lease is 3 × this: a dead worker's in-flight send is retried after 1.5 s.
    DELIVERY_TIMEOUT_MS: '500',
    KNOWLEDGE_DIR: `${__dirname}/../../knowledge/demo`,
  });
  const gateway = await createGateway({ config, connection, box: SecretBox.fromString(hexKey!), log: pino({ level: 'silent' }) });
  gateway.processors[0]!.on(freezeAt!, () => {
    writeSync(1, `FROZEN ${freezeAt}\n`);
    // Block the event loop for good: nothing after this point may run, as if the machine died here.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  });
  gateway.startWorkers();
  writeSync(1, 'READY\n');
}

run().catch((err) => {
  writeSync(2, `${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
