import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import type { Config } from '../config';
import { startEmbeddedMongo, type EmbeddedMongo } from '../store/embedded-mongo';
import { findRunningStore } from '../store/running-store';

export interface CliStore {
  connection: mongoose.Connection;
  close(): Promise<void>;
}

/**
 * The database a CLI command works on: MONGODB_URI; else the embedded store of a gateway running on the same
 * DATA_DIR (it leaves its address in DATA_DIR/store.running.json); else an embedded store of our own on DATA_DIR.
 */
export async function openCliStore(config: Config, stderr: NodeJS.WritableStream): Promise<CliStore> {
  let embedded: EmbeddedMongo | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    const running = await findRunningStore(config.DATA_DIR);
    if (running) {
      stderr.write(`Using the store of the running gateway (pid ${running.pid}).\n`);
      uri = running.uri;
    }
  }
  if (!uri) {
    const h2File = resolve(join(config.DATA_DIR, 'switchboard.mv'));
    stderr.write(`Starting the embedded store (${h2File})...\n`);
    try {
      embedded = await startEmbeddedMongo({ h2File, restart: false });
    } catch (err) {
      const message = (err as Error).message;
      // H2 refuses a file another process holds; say what to do instead of the JVM's stack trace.
      if (/lock/i.test(message)) {
        throw new Error(`The embedded store in ${config.DATA_DIR} is in use by another process (a gateway started without announcing it, or another CLI command). Stop it, run this command again once it finished, or set MONGODB_URI.`);
      }
      throw new Error(`${message.split('\n')[0]}\n(Is the gateway running on the same DATA_DIR? Stop it or set MONGODB_URI.)`);
    }
    uri = embedded.uri;
  }
  try {
    const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 15_000 }).asPromise();
    return {
      connection,
      async close() {
        await connection.close();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}
