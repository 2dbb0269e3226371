// globalSetup and globalTeardown run in the same jest parent process, so the handle survives on globalThis.
import type { EmbeddedMongo } from '../../src/store/embedded-mongo';

declare global {
  // eslint-disable-next-line no-var
  var __SWITCHBOARD_EMBEDDED_MONGO__: EmbeddedMongo | undefined;
}

export default async function globalTeardown(): Promise<void> {
  const mongo = globalThis.__SWITCHBOARD_EMBEDDED_MONGO__;
  if (!mongo) return;
  globalThis.__SWITCHBOARD_EMBEDDED_MONGO__ = undefined;
  // Unset so a watch-mode rerun of globalSetup starts a fresh stand-in instead of reusing a dead URI.
  if (process.env.MONGODB_URI?.includes(`:${mongo.port}/`)) delete process.env.MONGODB_URI;
  delete process.env.SWITCHBOARD_MONGO_STAND_IN;
  await mongo.stop();
}
