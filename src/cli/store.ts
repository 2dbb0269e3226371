import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import type { Config } from '../config';
import { startEmbeddedMongo, type EmbeddedMongo } from '../store/embedded-mongo';

export interface CliStore {
  connection: mongoose.Connection;
  close(): Promise<void>;
}

/**
 * The database a CLI command works on: MONGODB_URI, else the embedded store under DATA_DIR. The embedded store's
 * file is held by one process at a time, so this fails (with the hint) while the gateway runs on it.
 */
export async function openCliStore(config: Config, stderr: NodeJS.WritableStream): Promise<CliStore> {
  let embedded: EmbeddedMongo | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    const h2File = resolve(join(config.DATA_DIR, 'switchboard.mv'));
    stderr.write(`Starting the embedded store (${h2File})...\n`);
    try {
      embedded = await startEmbeddedMongo({ h2File, restart: false });
    } catch (err) {
      throw new Error(`${(err as Error).message}\n(Is the gateway running on the same DATA_DIR? Stop it or set MONGODB_URI.)`);
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
