import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { usersCommand } from '../../src/cli/users';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/store/embedded-mongo';
import { announceRunningStore, runningStorePath, withdrawRunningStore } from '../../src/store/running-store';
import { Capture } from '../support/capture';

/**
 * CLI commands while a gateway holds the embedded store: they use the running store (whose address the gateway
 * left in DATA_DIR) instead of opening its H2 file a second time, which H2 refuses.
 */
describe('the CLI while a gateway runs on the embedded store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-running-'));
  const env = { DATA_DIR: dataDir, SWITCHBOARD_ENCRYPTION_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent' };
  let store: EmbeddedMongo;

  beforeAll(async () => {
    // What `switchboard start` does: the store on DATA_DIR's H2 file, then its address announced.
    store = await startEmbeddedMongo({ h2File: join(dataDir, 'switchboard.mv') });
    await announceRunningStore(dataDir, store.uri);
  }, 60_000);
  afterAll(async () => {
    await withdrawRunningStore(dataDir);
    await store?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function run(action: string, email?: string, opts = {}) {
    const stdout = new Capture();
    const stderr = new Capture();
    process.exitCode = undefined;
    await usersCommand(action, email, opts, { stdout, stderr, env });
    const code = process.exitCode ?? 0;
    process.exitCode = undefined;
    return { code, out: stdout.text, err: stderr.text };
  }

  it('works against the running store, and leaves the announcement owner-only', async () => {
    expect(statSync(runningStorePath(dataDir)).mode & 0o777).toBe(0o600);
    const added = await run('add', 'night@example.test', { role: 'agent', password: 'night shift password' });
    expect(added).toMatchObject({ code: 0, err: expect.stringContaining('Using the store of the running gateway') });
    const listed = await run('list');
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ email: 'night@example.test', role: 'agent' })]);
    // The gateway's own connection sees it: one store, not a second copy.
    const connection = await mongoose.createConnection(store.uri).asPromise();
    try {
      expect(await connection.db!.collection('users').countDocuments({ email: 'night@example.test' })).toBe(1);
    } finally {
      await connection.close();
    }
  });

  it('ignores and removes an announcement whose process is gone', async () => {
    const otherDir = mkdtempSync(join(tmpdir(), 'sb-stale-'));
    try {
      // A pid far above pid_max: no such process.
      writeFileSync(runningStorePath(otherDir), JSON.stringify({ uri: 'mongodb://127.0.0.1:1/', pid: 2 ** 30, startedAt: '2026-01-01T00:00:00Z' }), { mode: 0o600 });
      const stale = await (async () => {
        const stdout = new Capture();
        const stderr = new Capture();
        process.exitCode = undefined;
        await usersCommand('list', undefined, {}, { stdout, stderr, env: { ...env, DATA_DIR: otherDir } });
        const code = process.exitCode ?? 0;
        process.exitCode = undefined;
        return { code, out: stdout.text, err: stderr.text };
      })();
      expect(stale).toMatchObject({ code: 0, err: expect.stringContaining('Starting the embedded store') });
      expect(JSON.parse(stale.out)).toEqual([]);
      expect(existsSync(runningStorePath(otherDir))).toBe(false);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  }, 60_000);
});
