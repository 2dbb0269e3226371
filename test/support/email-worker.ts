/**
 * A gateway process for the IMAP crash test: it runs the connection host (so it takes the email channel's lease
 * and reads the mailbox) and nothing stops it but the parent's SIGKILL.
 * Usage: node -r tsx/cjs email-worker.ts <dbName> <hexKey>
 */
import { writeSync } from 'node:fs';
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
    LOG_LEVEL: 'silent',
    WORKERS: '1',
    POLL_MS: '20',
    LEASE_MS: '1500',
    CONNECTION_LEASE_MS: '1000',
    DELIVERY_TIMEOUT_MS: '500',
    EMBEDDINGS: 'off',
    KNOWLEDGE_DIR: `${__dirname}/../../knowledge/demo`,
  });
  const gateway = await createGateway({ config, connection, box: SecretBox.fromString(hexKey!), log: pino({ level: 'silent' }) });
  gateway.connections.once('started', () => writeSync(1, 'STARTED\n'));
  await gateway.listen();
  writeSync(1, 'READY\n');
}

run().catch((err) => {
  writeSync(2, `${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
