import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { LiveAdminFile } from './admin-file-live';
import { catalogSourceOf, intentFiles, loadIntentCatalog, parseIntentCatalog, type IntentSpec } from './brain/catalog/intents';

export interface LiveIntentsOptions {
  checkEveryMs: number;
  log: Pick<Logger, 'warn' | 'info'>;
  /** Trains the intent model on a new catalog; it is put in force only once this resolves. */
  retrain?: (intents: IntentSpec[]) => Promise<void>;
}

/**
 * The intent catalog as every gateway process applies it: INTENTS_DIR's files until an admin saves a catalog in
 * the console (one YAML stream, a document per intent, validated like the files), then the stored one. A new
 * catalog is trained before it is switched to, so a decision never sees intents its model does not know.
 */
export class LiveIntents extends LiveAdminFile<IntentSpec[]> {
  static async open(connection: Connection, dir: string, options: LiveIntentsOptions): Promise<LiveIntents> {
    // The files are checked one by one first, so a bad file stops the start with its own name.
    loadIntentCatalog(dir);
    const { retrain, ...rest } = options;
    return LiveAdminFile.openWith(
      new LiveIntents(connection, {
        id: 'intents',
        fileSource: catalogSourceOf(intentFiles(dir)),
        fileOrigin: dir,
        parse: parseIntentCatalog,
        ...(retrain ? { beforeSwitch: retrain } : {}),
        ...rest,
      }),
    );
  }

  /** The intents in force. */
  get intents(): IntentSpec[] {
    return this.value;
  }
}
