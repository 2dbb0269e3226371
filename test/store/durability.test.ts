import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { startEmbeddedMongo } from '../../src/store/embedded-mongo';
import { postMessage, startTestGateway } from '../support/gateway';

// Two cold JVM starts on a loaded two-core machine.
const JVM_TEST_TIMEOUT_MS = 120_000;
const BURST = 50;

describe('the embedded store on an H2 file', () => {
  let tmpDir: string;
  beforeAll(async () => {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), 'sb-durability-'));
  });
  afterAll(async () => {
    await rm(tmpDir, { recursive: true, force: true });
  });

  it(
    'keeps every message it answered 202 for when its JVM is SIGKILLed right after the burst, in an owner-only file',
    async () => {
      const dataDir = path.join(tmpDir, 'data');
      const h2File = path.join(dataDir, 'switchboard.mv');
      const store = await startEmbeddedMongo({ h2File, restart: false });
      const t = await startTestGateway('durability', { embedded: store, startWorkers: false });
      const dbName = t.connection.name;
      let acknowledged: string[];
      try {
        const replies = await Promise.all(
          Array.from({ length: BURST }, async (_, i) => {
            const res = await postMessage(t, { id: `burst-${i}`, contact: { id: `durable-${i % 5}` }, text: `message ${i}` });
            expect(res.status).toBe(202);
            return ((await res.json()) as { messageId: string }).messageId;
          }),
        );
        acknowledged = replies;
        // At once: the old launcher stored to the file only in a background write (≤1 s) or its shutdown hook.
        const exited = once(store, 'exit');
        process.kill(store.pid, 'SIGKILL');
        await exited;
      } finally {
        await t.gateway.stop();
        await t.connection.close(true);
        await store.stop();
      }

      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      expect((await stat(h2File)).mode & 0o777).toBe(0o600);

      const again = await startEmbeddedMongo({ h2File, restart: false });
      try {
        const conn = await mongoose.createConnection(again.uri, { dbName }).asPromise();
        try {
          const stored = await conn.collection('messages').find({}, { projection: { _id: 1 } }).toArray();
          expect(new Set(stored.map((m) => String(m._id)))).toEqual(new Set(acknowledged));
        } finally {
          await conn.close();
        }
      } finally {
        await again.stop();
      }
    },
    JVM_TEST_TIMEOUT_MS,
  );
});
