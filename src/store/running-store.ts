import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import mongoose from 'mongoose';

/**
 * The embedded store is one JVM holding one H2 file: a second process cannot open the file while the gateway runs.
 * So the gateway that started it leaves its address here (owner-only, it holds the store's password), and CLI
 * commands connect to that running store instead of starting their own.
 */
export interface RunningStore {
  uri: string;
  pid: number;
  startedAt: string;
}

const FILE = 'store.running.json';

export function runningStorePath(dataDir: string): string {
  return join(dataDir, FILE);
}

export async function announceRunningStore(dataDir: string, uri: string): Promise<void> {
  const path = runningStorePath(dataDir);
  const temp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  const record: RunningStore = { uri, pid: process.pid, startedAt: new Date().toISOString() };
  await writeFile(temp, JSON.stringify(record), { mode: 0o600 });
  await rename(temp, path);
}

export async function withdrawRunningStore(dataDir: string): Promise<void> {
  const path = runningStorePath(dataDir);
  const record = await readRecord(path);
  // Only our own: a second gateway that failed to start must not remove the first one's file.
  if (record?.pid === process.pid) await rm(path, { force: true });
}

/** The running gateway's store when its process is alive and the store answers; a stale file is removed. */
export async function findRunningStore(dataDir: string): Promise<RunningStore | undefined> {
  const path = runningStorePath(dataDir);
  const record = await readRecord(path);
  if (!record) return undefined;
  if (!processAlive(record.pid) || !(await answers(record.uri))) {
    await rm(path, { force: true }).catch(() => undefined);
    return undefined;
  }
  return record;
}

async function readRecord(path: string): Promise<RunningStore | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<RunningStore>;
    return typeof parsed.uri === 'string' && typeof parsed.pid === 'number' ? (parsed as RunningStore) : undefined;
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function answers(uri: string): Promise<boolean> {
  const connection = mongoose.createConnection(uri, { serverSelectionTimeoutMS: 2_000 });
  try {
    await connection.asPromise();
    await connection.db!.admin().command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await connection.close().catch(() => undefined);
  }
}
