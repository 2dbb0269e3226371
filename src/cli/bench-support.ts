import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import pino from 'pino';
import { SecretBox } from '../../conversations';
import { loadConfig, type Config } from '../config';
import { createGateway, type Gateway } from '../gateway';
import { startEmbeddedMongo } from '../store/embedded-mongo';

export interface BenchGateway {
  gateway: Gateway;
  config: Config;
  connection: mongoose.Connection;
  /** How the progress line names the store. */
  storeLabel: string;
  /** Stops the gateway, drops the bench database and stops the embedded store. */
  stop(): Promise<void>;
}

/**
 * A gateway in this process for a benchmark: on MONGODB_URI or the embedded store as `switchboard start` runs it (an
 * H2 file, synced before each write is answered; here in a temporary directory, removed at stop), in a database of its
 * own, with the demo knowledge base, logging to stderr (LOG_LEVEL, silent by default) so stdout keeps the result.
 */
export async function startBenchGateway(options: { dbPrefix: string; env?: Record<string, string>; monitorCommands?: boolean; /** The embedded store with its oplog, so change streams work. */ oplog?: boolean }): Promise<BenchGateway> {
  const h2Dir = process.env.MONGODB_URI ? undefined : await mkdtemp(join(tmpdir(), 'sb-bench-store-'));
  const embedded = h2Dir ? await startEmbeddedMongo({ h2File: join(h2Dir, 'switchboard.mv'), ...(options.oplog ? { oplog: true } : {}) }) : undefined;
  const uri = process.env.MONGODB_URI ?? embedded!.uri;
  const connection = await mongoose
    .createConnection(uri, { dbName: `${options.dbPrefix}_${randomBytes(4).toString('hex')}`, maxPoolSize: 50, ...(options.monitorCommands ? { monitorCommands: true } : {}) })
    .asPromise();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    WORKERS: '4',
    KNOWLEDGE_DIR: process.env.KNOWLEDGE_DIR ?? 'knowledge/demo',
    // The benchmarks drive one API key and one address far past any per-client limit: they measure the pipeline.
    // RATE_LIMIT_API in the environment (e.g. "1000000/60") measures the limiter's cost on the API ack path.
    RATE_LIMIT_API: process.env.RATE_LIMIT_API ?? 'off',
    RATE_LIMIT_WEBCHAT_SESSIONS: 'off',
    RATE_LIMIT_WEBCHAT_MESSAGES: 'off',
    RATE_LIMIT_WEBCHAT_MESSAGES_PER_IP: 'off',
    ...(options.env ?? {}),
  });
  const gateway = await createGateway({ config, connection, box: new SecretBox(randomBytes(32)), log: pino({ level: config.LOG_LEVEL }, pino.destination(2)) });
  return {
    gateway,
    config,
    connection,
    storeLabel: embedded ? 'embedded (H2 file)' : 'MONGODB_URI',
    async stop() {
      await gateway.stop();
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
      await embedded?.stop();
      if (h2Dir) await rm(h2Dir, { recursive: true, force: true });
    },
  };
}

/** Runs `one(0)` … `one(n - 1)` with `concurrency` in flight (a closed loop); resolves with the wall time in seconds. */
export async function inFlight(n: number, concurrency: number, one: (i: number) => Promise<void>): Promise<number> {
  const wall = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await one(next++);
    }),
  );
  return (performance.now() - wall) / 1000;
}

/** Closes a local fake platform server, with the keep-alive sockets the gateway's HTTP clients hold open. */
export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
