import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { HybridRetriever } from '../knowledge/hybrid';
import type { Embedder } from '../knowledge/embedder';
import { ingestPath } from '../knowledge/ingest';
import { loadChunks } from '../knowledge/store';
import { liveKnowledge } from './knowledge-live';
import { LiveIntents } from './intents-live';
import { LiveRouting } from './routing-live';
import { retrieverPassages, type PassageSource } from './brain/answer/passages';
import { createEmbeddedBrain, createEmbeddedParts, createOpenAIBrain, createOpenAIParts, loadBrainFiles } from './brain/factory';
import { knowledgeTopics } from './brain/offtopic';
import type { IntentSpec } from './brain/catalog/intents';
import type { Brain } from './brain/types';
import type { Config } from './config';

/**
 * Builds the configured brain at start: the admin's intent and routing files, the embedding model, the knowledge
 * base (KNOWLEDGE_DIR brought into MongoDB, then read back with its stored vectors), and the provider when a key
 * is set. Anything optional that fails (the model cannot be prepared, the provider's embedding probe) degrades to
 * the next best thing with a warning; a bad admin file stops the start.
 */
export async function createConfiguredBrain(config: Config, log: Logger, connection: Connection, clock?: () => Date): Promise<Brain> {
  return (await createConfiguredBrainParts(config, log, connection, clock)).brain;
}

/** The brain and what the console's knowledge pages also use: the knowledge it answers from and the encoder. */
export interface ConfiguredBrain {
  brain: Brain;
  passages: PassageSource;
  /** The routing rules in force, editable from the console. */
  routing: LiveRouting;
  /** The intent catalog in force, editable from the console (a saved one is trained before it is used). */
  intents: LiveIntents;
  embedder?: Embedder | undefined;
}

export async function createConfiguredBrainParts(config: Config, log: Logger, connection: Connection, clock?: () => Date): Promise<ConfiguredBrain> {
  const files = loadBrainFiles(config);
  const embedded = config.EMBEDDINGS === 'embedded' ? await loadEmbeddedModel(config, log) : undefined;
  // The catalog in force may be one saved in the console; later saves retrain the parts built from it here.
  let retrain: ((catalog: IntentSpec[]) => Promise<void>) | undefined;
  const intents = await LiveIntents.open(connection, config.INTENTS_DIR, { checkEveryMs: config.KNOWLEDGE_REFRESH_MS, log, retrain: (catalog) => retrain?.(catalog) ?? Promise.resolve() });
  const embeddedParts = createEmbeddedParts(config, intents.intents, embedded, log);
  retrain = (catalog) => embeddedParts.retrain(catalog);
  await embeddedParts.prepare();
  const openai = config.OPENAI_API_KEY ? await createOpenAIParts(config, log, () => intents.intents, embeddedParts) : undefined;
  if (config.EMBEDDINGS === 'openai' && !openai?.embedder) log.warn('EMBEDDINGS=openai but no provider embedder is available: keyword retrieval only');
  const retrievalEmbedder = config.EMBEDDINGS === 'openai' ? openai?.embedder : embedded;
  const passages = await openKnowledge(config, log, connection, retrievalEmbedder);
  const routing = await LiveRouting.open(connection, config.ROUTING_FILE, { checkEveryMs: config.KNOWLEDGE_REFRESH_MS, log });
  const inputs = { ...files, passages, ...(embedded ? { embedder: embedded } : {}), ...(clock ? { clock } : {}) };
  Object.defineProperty(inputs, 'routing', { get: () => routing.config, enumerable: true });
  Object.defineProperty(inputs, 'intents', { get: () => intents.intents, enumerable: true });
  const brain = openai ? createOpenAIBrain(config, inputs, openai) : createEmbeddedBrain(config, inputs, embeddedParts);
  return { brain, passages, routing, intents, embedder: retrievalEmbedder };
}

async function loadEmbeddedModel(config: Config, log: Logger): Promise<Embedder | undefined> {
  const { loadEmbeddedEmbedder } = require('./brain/embeddings') as typeof import('./brain/embeddings');
  return loadEmbeddedEmbedder({ threads: config.EMBEDDINGS_THREADS, log: (line) => log.info(line) });
}

async function openKnowledge(config: Config, log: Logger, connection: Connection, embedder: Embedder | undefined): Promise<PassageSource> {
  if (config.KNOWLEDGE_DIR !== 'none') {
    const baseUrl = config.KNOWLEDGE_BASE_URL ?? (config.PUBLIC_URL ? `${config.PUBLIC_URL}/help` : undefined);
    try {
      const report = await ingestPath(connection, config.KNOWLEDGE_DIR, { ...(baseUrl ? { baseUrl } : {}), ...(embedder ? { embedder } : {}) });
      const { added, updated, unchanged, failed, embedded: vectors } = report;
      log.info({ added, updated, unchanged, failed, embedded: vectors, failures: report.failures }, `knowledge: ${config.KNOWLEDGE_DIR} is up to date`);
    } catch (err) {
      // Another process may be refreshing the same folder right now, or a file is unreadable: serve what is stored.
      log.warn({ err }, `knowledge: could not bring ${config.KNOWLEDGE_DIR} up to date; serving the stored knowledge base`);
    }
  }
  // Rebuilt when the stored knowledge moves on (an approved learned entry, a CLI ingest): no restart needed.
  return liveKnowledge(connection, () => buildPassages(log, connection, embedder), {
    checkEveryMs: config.KNOWLEDGE_REFRESH_MS,
    onReloaded: (revision) => log.info({ revision }, 'knowledge: reloaded after a change'),
    onReloadError: (err) => log.warn({ err }, 'knowledge: could not reload after a change; serving the previous knowledge base'),
  });
}

async function buildPassages(log: Logger, connection: Connection, embedder: Embedder | undefined): Promise<PassageSource> {
  const stored = await loadChunks(connection, embedder ? { vectorModel: embedder.id } : { withVectors: false });
  if (stored.chunks.length === 0) log.warn('knowledge: the knowledge base is empty; every question will be handed to people');
  const primary = await HybridRetriever.create(stored.chunks, { ...(embedder ? { embedder, vectors: stored.vectors, vectorsEmbedderId: embedder.id } : {}) });
  const keyword = embedder ? HybridRetriever.lexical(stored.chunks) : undefined;
  const passages = retrieverPassages(primary, keyword, (err) => log.warn({ err }, 'retrieval: the embedder failed for a query; keyword retrieval answered it'));
  const topics = knowledgeTopics(stored.chunks);
  return { ...passages, topics: () => topics };
}
