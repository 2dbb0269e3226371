// Each test file gets a database of its own and drops it afterwards, so parallel workers do not see each
// other's documents and the suite is safe to run against a shared real cluster.
import { randomBytes } from 'node:crypto';

import mongoose from 'mongoose';

export interface TestDb {
  connection: mongoose.Connection;
  dbName: string;
  drop(): Promise<void>;
}

export async function connectTestDb(name: string): Promise<TestDb> {
  const uri = process.env.MONGODB_URI;
  if (!uri) throw new Error('MONGODB_URI is not set: run tests through jest, whose globalSetup provides it');

  // MongoDB caps database names at 63 bytes and forbids these characters; the suffix keeps reruns and
  // concurrent CI jobs on a shared cluster apart.
  const safeName = name.replace(/[/\\. "$*<>:|?]/g, '_').slice(0, 40);
  const dbName = `sb_test_${safeName}_${randomBytes(4).toString('hex')}`;
  const connection = await mongoose.createConnection(uri, { dbName }).asPromise();

  let dropped = false;
  return {
    connection,
    dbName,
    async drop() {
      if (dropped) return;
      dropped = true;
      try {
        await connection.dropDatabase();
      } finally {
        await connection.close();
      }
    },
  };
}
