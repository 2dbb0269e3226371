// One stand-in JVM for the whole jest run; workers find it through MONGODB_URI, which they inherit.
// With MONGODB_URI already set (a real replica set or Atlas), the same suite runs against it untouched.
import mongoose from 'mongoose';

import { startEmbeddedMongo, type EmbeddedMongo } from '../../src/store/embedded-mongo';

declare global {
  // eslint-disable-next-line no-var
  var __SWITCHBOARD_EMBEDDED_MONGO__: EmbeddedMongo | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.MONGODB_URI) return;

  // Bounded: the JVM lives for the whole run and may log all along.
  const stderr: string[] = [];
  const log = (line: string): void => {
    stderr.push(line);
    if (stderr.length > 40) stderr.shift();
  };
  // Oplog on: change-stream tests run here too, not only against a replica set.
  const mongo = await startEmbeddedMongo({ oplog: true, log });
  try {
    // Fails here, once and legibly, if the driver and the stand-in disagree (e.g. on the wire version),
    // rather than as a timeout in every test file.
    const connection = await mongoose
      .createConnection(mongo.uri, { serverSelectionTimeoutMS: 10_000 })
      .asPromise();
    try {
      await connection.db!.admin().command({ ping: 1 });
    } finally {
      await connection.close();
    }
  } catch (err) {
    await mongo.stop();
    throw new Error(`The embedded MongoDB stand-in started but does not answer: ${String(err)}\n${stderr.join('\n')}`);
  }

  process.env.MONGODB_URI = mongo.uri;
  // Workers cannot see globalThis here; tests that assert stand-in specifics (its exact wire version) read this.
  process.env.SWITCHBOARD_MONGO_STAND_IN = '1';
  globalThis.__SWITCHBOARD_EMBEDDED_MONGO__ = mongo;
}
