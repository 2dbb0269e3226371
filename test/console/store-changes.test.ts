import { StoreChanges } from '../../src/http/console/store-changes';
import { connectTestDb, type TestDb } from '../setup/db';

const quiet = { info: () => undefined, debug: () => undefined };

/** The console's wake-ups from change streams, on the test store (the stand-in runs with its oplog). */
describe('store change signal', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await connectTestDb('store_changes');
    await db.connection.createCollection('watched');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('opens its streams, wakes a waiter on a write, and returns at once for a change it already missed', async () => {
    const changes = new StoreChanges(db.connection, ['watched'], quiet);
    changes.want();
    try {
      expect(await changes.ready()).toBe(true);

      const before = changes.version;
      const woken = changes.wait(before, 30_000);
      await db.connection.collection('watched').insertOne({ n: 1 });
      await woken;
      expect(changes.version).toBeGreaterThan(before);
      // A request that read before that change and waits now is not left waiting.
      const started = process.hrtime.bigint();
      await changes.wait(before, 30_000);
      expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1_000);
    } finally {
      await changes.close();
    }
  });

  it('says it is not streaming when the store refuses change streams, so the long poll polls', async () => {
    // Watching a collection in a database the server refuses change streams on ("admin" is one on every engine).
    const admin = db.connection.useDb('admin');
    const changes = new StoreChanges(admin, ['system.version'], quiet, 60_000);
    changes.want();
    try {
      const version = changes.version;
      // A failure wakes waiters (they re-read and fall back to polling): wait for that wake-up.
      expect(await changes.ready()).toBe(false);
      await changes.wait(version, 30_000);
      expect(changes.version).toBeGreaterThan(version);
    } finally {
      await changes.close();
    }
  });

  it('closes its streams once nobody has waited for a minute, and opens them again for the next wait', async () => {
    let now = 1_000_000;
    const changes = new StoreChanges(db.connection, ['watched'], quiet, 60_000, () => now);
    try {
      changes.want();
      expect(await changes.ready()).toBe(true);
      now += 61_000;
      // The stream notices on its next empty read (a fraction of a second): follow the flag, not a fixed sleep.
      const giveUpAt = Date.now() + 10_000;
      while (changes.streaming && Date.now() < giveUpAt) await new Promise((resolve) => setImmediate(resolve));
      expect(changes.streaming).toBe(false);
      changes.want();
      expect(await changes.ready()).toBe(true);
    } finally {
      await changes.close();
    }
  });
});
