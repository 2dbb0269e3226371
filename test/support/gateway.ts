import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import mongoose from 'mongoose';
import pino, { type Logger } from 'pino';
import type { WaWebClientFactory } from '../../adapters/whatsapp-web';
import { SecretBox } from '../../conversations';
import type { Brain } from '../../src/brain/types';
import { loadConfig, type Config } from '../../src/config';
import { createGateway, type Gateway } from '../../src/gateway';
import type { EmbeddedMongo } from '../../src/store/embedded-mongo';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  config: Config;
  connection: mongoose.Connection;
  box: SecretBox;
  /** The secret box key, for child processes that open the same store. */
  keyHex: string;
  api: { channelId: string; key: string; signingSecret: string };
  webchat: { channelId: string; tokenSecret: string };
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  env?: Record<string, string>;
  callbackUrl?: string;
  brain?: Brain;
  /** Another gateway's database, to run several "processes" against one store. */
  shareWith?: TestGateway;
  startWorkers?: boolean;
  /** The gateway's clock (leases, timestamps, business hours). */
  clock?: () => Date;
  /** WhatsApp Web clients (test/support/wwebjs-fake.ts). */
  whatsappWebClient?: WaWebClientFactory;
  /** A store of the test's own (an embedded one on an H2 file) instead of the suite's; the gateway watches its JVM. */
  embedded?: EmbeddedMongo;
  /** A store of the test's own that the gateway knows only by URI, as it knows a MONGODB_URI cluster. */
  uri?: string;
  /** Instead of a pino logger at LOG_LEVEL: for tests that read what the gateway logged. */
  log?: Logger;
  /** The store's URI for this gateway (a relay in front of it, test/support/tcp-proxy.ts), and driver options to go with it. */
  mongo?: { uri: string; options?: mongoose.ConnectOptions };
}

/** Fast timings so tests wait on events for milliseconds, not seconds. */
const TEST_ENV = {
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  POLL_MS: '20',
  WORKERS: '2',
  LEASE_MS: '2000',
  // Connection leases (Discord gateway): a dead holder is replaced within about a second.
  CONNECTION_LEASE_MS: '1000',
  DELIVERY_BASE_DELAY_MS: '20',
  DELIVERY_MAX_DELAY_MS: '200',
  DELIVERY_MAX_ATTEMPTS: '4',
  DELIVERY_TIMEOUT_MS: '2000',
  KNOWLEDGE_DIR: `${__dirname}/../../knowledge/demo`,
  KNOWLEDGE_BASE_URL: 'https://help.example',
  // Keyword retrieval keeps gateway start-up fast; test/pipeline/hybrid-gateway.test.ts runs the embedded model.
  EMBEDDINGS: 'off',
  // Every test client is 127.0.0.1 at machine speed: limits are off unless a test sets them (rate-limits.test.ts).
  RATE_LIMIT_ADMIN: 'off',
  RATE_LIMIT_ADMIN_AUTH_FAILURES: 'off',
  RATE_LIMIT_WEBCHAT_SESSIONS: 'off',
  RATE_LIMIT_WEBCHAT_MESSAGES: 'off',
  RATE_LIMIT_WEBCHAT_MESSAGES_PER_IP: 'off',
  RATE_LIMIT_API: 'off',
  RATE_LIMIT_SIGN_IN_FAILURES: 'off',
};

/** A whole gateway on loopback with its own database (dropped by `stop`), an API channel and a web chat channel. */
export async function startTestGateway(name: string, options: TestGatewayOptions = {}): Promise<TestGateway> {
  const uri = options.embedded?.uri ?? options.uri ?? process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: run the tests through jest (its global setup starts the store)');
  const dbName = options.shareWith?.connection.name ?? `sb_test_${name}_${randomBytes(4).toString('hex')}`;
  const connection = await mongoose.createConnection(options.mongo?.uri ?? uri, { dbName, ...(options.mongo?.options ?? {}) }).asPromise();
  const keyHex = options.shareWith?.keyHex ?? randomBytes(32).toString('hex');
  const box = SecretBox.fromString(keyHex);
  const config = loadConfig({ ...TEST_ENV, ...(options.env ?? {}) });
  const log = options.log ?? pino({ level: config.LOG_LEVEL });
  const gateway = await createGateway({ config, connection, box, log, ...(options.embedded ? { embedded: options.embedded } : {}), ...(options.brain ? { brain: options.brain } : {}), ...(options.clock ? { clock: options.clock } : {}), ...(options.whatsappWebClient ? { whatsappWebClient: options.whatsappWebClient } : {}) });

  const api = options.shareWith?.api ?? { channelId: 'api-test', key: `sk_test_${randomBytes(12).toString('hex')}`, signingSecret: randomBytes(16).toString('hex') };
  const webchat = options.shareWith?.webchat ?? { channelId: 'web-test', tokenSecret: randomBytes(16).toString('hex') };
  if (!options.shareWith) {
    await gateway.store.channels.ensure({
      id: api.channelId,
      kind: 'api',
      name: 'Test API',
      settings: options.callbackUrl ? { callbackUrl: options.callbackUrl } : {},
      secrets: { apiKey: api.key, signingSecret: api.signingSecret },
      apiKey: api.key,
    });
    await gateway.store.channels.ensure({ id: webchat.channelId, kind: 'webchat', name: 'Test web chat', secrets: { tokenSecret: webchat.tokenSecret } });
  }
  const url = await (options.startWorkers === false
    ? listenOnly(gateway)
    : gateway.listen());

  return {
    gateway,
    url,
    config,
    connection,
    box,
    keyHex,
    api,
    webchat,
    async stop() {
      await gateway.stop();
      if (!options.shareWith) await connection.dropDatabase();
      await connection.close();
    },
  };
}

async function listenOnly(gateway: Gateway): Promise<string> {
  gateway.server.listen(0, '127.0.0.1');
  await once(gateway.server, 'listening');
  const address = gateway.server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

export function postMessage(t: TestGateway, body: unknown, init: { key?: string; headers?: Record<string, string> } = {}) {
  return fetch(`${t.url}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${init.key ?? t.api.key}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    body: typeof body === 'string' ? body : Buffer.isBuffer(body) ? new Uint8Array(body) : JSON.stringify(body),
  });
}
