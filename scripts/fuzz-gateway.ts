/**
 * A gateway for the OpenAPI fuzzer (scripts/fuzz-openapi.sh): the embedded store in memory (nothing left behind),
 * 127.0.0.1 on a free port, fresh random credentials, and a little data so the fuzzer meets real rows rather than
 * only empty lists: an API channel, one escalated conversation and a console user. Prints one JSON line (url and
 * the credentials) when it listens, then runs until SIGTERM/SIGINT.
 */
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import pino from 'pino';
import { SecretBox } from '../conversations';
import { loadConfig } from '../src/config';
import { createGateway } from '../src/gateway';
import { startEmbeddedMongo } from '../src/store/embedded-mongo';

async function main(): Promise<void> {
  const token = (prefix: string) => `${prefix}${randomBytes(18).toString('hex')}`;
  const credentials = { adminToken: token('adm_'), metricsToken: token('met_'), apiKey: token('sk_fuzz_') };
  const mongo = await startEmbeddedMongo({ log: () => undefined });
  const connection = await mongoose.createConnection(mongo.uri, { dbName: 'fuzz', serverSelectionTimeoutMS: 15_000 }).asPromise();
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'error',
    ADMIN_TOKEN: credentials.adminToken,
    METRICS_TOKEN: credentials.metricsToken,
    KNOWLEDGE_DIR: `${__dirname}/../knowledge/demo`,
    EMBEDDINGS: 'off',
    // The fuzzer is one loopback client sending thousands of requests, many with wrong credentials on purpose.
    RATE_LIMIT_ADMIN: 'off',
    RATE_LIMIT_ADMIN_AUTH_FAILURES: 'off',
    RATE_LIMIT_API: 'off',
    RATE_LIMIT_SIGN_IN_FAILURES: 'off',
  });
  const log = pino({ level: config.LOG_LEVEL }, pino.destination(2));
  const gateway = await createGateway({ config, connection, box: SecretBox.fromString(randomBytes(32).toString('hex')), log });
  await gateway.store.channels.ensure({ id: 'api-fuzz', kind: 'api', name: 'Fuzz API', settings: {}, secrets: { apiKey: credentials.apiKey, signingSecret: token('') }, apiKey: credentials.apiKey });
  const url = await gateway.listen();
  await seed(url, credentials.apiKey);
  await gateway.access.users.create({ email: 'agent@fuzz.example', name: 'Fuzz Agent', role: 'agent', password: token('pw-'), teams: [] }, new Date());
  process.stdout.write(`${JSON.stringify({ url, ...credentials })}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await gateway.stop();
    await connection.close();
    await mongo.stop();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
}

/** One conversation the bot hands to a person, through the real API channel. */
async function seed(url: string, apiKey: string): Promise<void> {
  for (const [id, text] of [['fuzz-1', 'How do I return an item?'], ['fuzz-2', 'I want to talk to a human agent now']]) {
    const res = await fetch(`${url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id, contact: { id: 'fuzz-customer', name: 'Fuzz Customer' }, text }),
    });
    if (res.status !== 202) throw new Error(`seeding failed: ${res.status} ${await res.text()}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
