import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/store/embedded-mongo';
import { CallbackPeer } from '../support/callback-peer';
import { Capture } from '../support/capture';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';

// Two cold JVM starts (the first and the restart) on a loaded two-core machine.
const JVM_TEST_TIMEOUT_MS = 120_000;

describe('the embedded store dies under a running gateway', () => {
  let tmpDir: string;
  let peer: CallbackPeer;
  let store: EmbeddedMongo | undefined;
  let t: TestGateway | undefined;
  let byUri: { store: EmbeddedMongo; t: TestGateway } | undefined;
  const logged = new Capture();

  beforeAll(async () => {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), 'sb-outage-'));
    peer = await new CallbackPeer().start();
  });
  afterAll(async () => {
    await t?.stop();
    await store?.stop();
    await byUri?.t.gateway.stop();
    await byUri?.t.connection.close(true);
    await byUri?.store.stop();
    await peer.stop();
    await rm(tmpDir, { recursive: true, force: true });
  });

  it(
    'says so at error level, answers 503 store_unavailable (and /health, /ready 503), restarts the JVM and carries on',
    async () => {
      // A second before the restart: the outage lasts at least that long, so the 503s below are not a race.
      store = await startEmbeddedMongo({ h2File: path.join(tmpDir, 'switchboard.mv'), restart: { initialDelayMs: 1_000 } });
      t = await startTestGateway('outage', { embedded: store, callbackUrl: peer.url, log: pino({ level: 'info' }, logged) });
      expect((await fetch(`${t.url}/ready`)).status).toBe(200);

      const exited = once(store, 'exit');
      const restarted = once(store, 'restart');
      const killedPid = store.pid;
      process.kill(killedPid, 'SIGKILL');
      await exited;

      const refused = await postMessage(t, { id: 'during-outage', contact: { id: 'outage' }, text: 'hello?' });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('store_unavailable');
      for (const route of ['/health', '/ready']) {
        const res = await fetch(`${t.url}${route}`);
        expect(res.status).toBe(503);
        expect(await res.json()).toMatchObject({ status: 'unavailable', store: { available: false, reason: expect.stringMatching(/stand-in exited \(SIGKILL\); restarting in 1\.0 s/) } });
      }
      const errors = logged.text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: number; msg: string })
        .filter((entry) => entry.level === 50);
      expect(errors.map((e) => e.msg)).toContainEqual(expect.stringMatching(/^embedded MongoDB stand-in exited \(SIGKILL\); restarting in 1\.0 s/));

      await restarted;
      expect(store.pid).not.toBe(killedPid);
      const accepted = await postMessage(t, { id: 'after-restart', contact: { id: 'outage' }, text: 'How do I return an item?' });
      expect(accepted.status).toBe(202);
      const [reply] = await peer.waitForDelivered(1);
      expect(reply!.json.contact.id).toBe('outage');
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
      // The message refused during the outage was not stored half-way.
      expect(await t.gateway.store.models.Message.countDocuments({ externalId: 'during-outage' })).toBe(0);
    },
    JVM_TEST_TIMEOUT_MS,
  );

  it(
    'known only by URI (as MONGODB_URI is): the lost connection alone gives 503 store_unavailable and /health 503',
    async () => {
      const uriStore = await startEmbeddedMongo({ restart: false });
      byUri = { store: uriStore, t: await startTestGateway('outage_uri', { uri: uriStore.uri, startWorkers: false }) };
      const { t: gw } = byUri;
      const disconnected = once(gw.connection, 'disconnected');
      process.kill(uriStore.pid, 'SIGKILL');
      await disconnected;

      const refused = await postMessage(gw, { id: 'lost', contact: { id: 'lost' }, text: 'hello?' });
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('store_unavailable');
      const health = await fetch(`${gw.url}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ store: { available: false, reason: 'lost the connection to the store' } });
    },
    JVM_TEST_TIMEOUT_MS,
  );
});
