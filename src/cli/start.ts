import { join, resolve } from 'node:path';
import mongoose from 'mongoose';
import { ConfigError, loadConfig } from '../config';
import { ensureDemoChannels } from '../demo';
import { createGateway } from '../gateway';
import { createLogger } from '../logger';
import { loadSecretBox } from '../secrets';
import { startEmbeddedMongo, type EmbeddedMongo } from '../store/embedded-mongo';
import { announceRunningStore, withdrawRunningStore } from '../store/running-store';

/**
 * `switchboard start`: the gateway, on MONGODB_URI or on the embedded store persisted under DATA_DIR (owner-only;
 * every write synced before it is acknowledged; the JVM restarted with back-off if it dies).
 */
export async function startCommand(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting.\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);

  let embedded: EmbeddedMongo | undefined;
  let uri = config.MONGODB_URI;
  if (!uri) {
    const h2File = resolve(join(config.DATA_DIR, 'switchboard.mv'));
    process.stdout.write(`Starting the embedded store (${h2File})...\n`);
    try {
      embedded = await startEmbeddedMongo({ h2File, log: (line) => log.debug({ source: 'stand-in' }, line) });
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    }
    uri = embedded.uri;
    // CLI commands run meanwhile connect to this store instead of opening its file a second time.
    await announceRunningStore(config.DATA_DIR, uri);
  }

  const connection = await mongoose.createConnection(uri, { serverSelectionTimeoutMS: 15_000 }).asPromise();
  const box = await loadSecretBox(config, log);
  const gateway = await createGateway({ config, connection, box, log, ...(embedded ? { embedded } : {}) });
  const demo = await ensureDemoChannels(gateway.store, config);
  const url = await gateway.listen();
  const base = config.PUBLIC_URL ?? url;
  // No default password: an empty store gets a one-time link that creates the first owner.
  const setup = (await gateway.access.users.count()) === 0 ? await gateway.access.tokens.createSetup(new Date(), config.CONSOLE_SETUP_LINK_HOURS * 3_600_000) : undefined;

  process.stdout.write(
    [
      '',
      `Switchboard is running on ${url} (store: ${embedded ? 'embedded, data in ' + config.DATA_DIR : 'MONGODB_URI'})`,
      `  Chat with the demo bot:  ${base}/`,
      `  Console and agent inbox: ${base}/console`,
      ...(setup
        ? [`  First sign-in:           open ${base}/console/setup#${setup.token}`, `                           (creates the owner account; works once, until ${setup.expiresAt.toISOString()})`]
        : ['  Sign in with your console account (new users: npx switchboard users add <email> --role agent)']),
      `  Embed the web chat:      <script src="${base}/widget.js" data-channel="${demo.webchatId}" async></script>`,
      `  HTTP API channel:        curl -X POST ${base}/api/v1/messages -H 'Authorization: Bearer ${demo.apiKey}' \\`,
      `                             -H 'Content-Type: application/json' -d '{"id":"m1","contact":{"id":"c1"},"text":"How do I return an item?"}'`,
      ...(config.WHATSAPP_WEB
        ? [`  WhatsApp (linked phone): scan the QR printed here, or open ${base}/admin/channels/whatsapp-web/whatsapp-web`]
        : []),
      '  Press Ctrl+C to stop.',
      '',
    ].join('\n'),
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await gateway.stop();
    await connection.close();
    if (embedded) await withdrawRunningStore(config.DATA_DIR).catch(() => undefined);
    await embedded?.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
