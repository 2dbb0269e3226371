import type { Logger } from 'pino';
import type { KnowledgeChunk } from '../../knowledge/chunk';
import { KeywordRetriever } from '../../knowledge/retriever';
import type { Config } from '../config';
import { EmbeddedAnalyzer } from './analysis/embedded-analyzer';
import type { Analyzer } from './analysis/types';
import { ExtractiveAnswerer } from './answer/extractive-answerer';
import { keywordPassages, type PassageSource } from './answer/passages';
import type { Answerer } from './answer/types';
import { loadIntentCatalog, type IntentSpec } from './catalog/intents';
import { DEFAULT_LANGUAGES } from './language';
import { loadRouting, type RoutingConfig } from './routing/rules';
import { EmbeddedSentimentAnalyzer } from './sentiment';
import { SupportBrain } from './support-brain';
import type { Brain } from './types';

export interface BrainInputs {
  intents: IntentSpec[];
  routing: RoutingConfig;
  chunks: KnowledgeChunk[];
  clock?: () => Date;
}

export type BrainSettings = Pick<Config, 'ANSWER_MIN_SCORE' | 'INTENT_MIN_CONFIDENCE' | 'CANNED_ANSWER_MIN_CONFIDENCE'> & Partial<Pick<Config, 'KNOWLEDGE_LANGUAGES'>>;

/** Reads the admin's files; a bad one stops the start naming the file and the problem. */
export function loadBrainFiles(config: Pick<Config, 'INTENTS_DIR' | 'ROUTING_FILE'>): { intents: IntentSpec[]; routing: RoutingConfig } {
  return { intents: loadIntentCatalog(config.INTENTS_DIR), routing: loadRouting(config.ROUTING_FILE) };
}

interface Parts {
  analyzer: Analyzer;
  answerer: Answerer;
  passages: PassageSource;
  name: string;
  answerLanguages?: string[];
}

function assemble(settings: BrainSettings, inputs: BrainInputs, parts: Parts): SupportBrain {
  return new SupportBrain({
    ...parts,
    intents: inputs.intents,
    routing: inputs.routing,
    cannedMinConfidence: settings.CANNED_ANSWER_MIN_CONFIDENCE,
    ...(inputs.clock ? { clock: inputs.clock } : {}),
  });
}

function embeddedParts(settings: BrainSettings, inputs: BrainInputs) {
  return {
    analyzer: new EmbeddedAnalyzer(inputs.intents, new EmbeddedSentimentAnalyzer(), { intentMinConfidence: settings.INTENT_MIN_CONFIDENCE }),
    answerer: new ExtractiveAnswerer(settings.ANSWER_MIN_SCORE),
  };
}

/** The embedded brain: no network, no key. */
export function createEmbeddedBrain(settings: BrainSettings, inputs: BrainInputs, passages?: PassageSource): SupportBrain {
  return assemble(settings, inputs, {
    name: 'embedded',
    ...embeddedParts(settings, inputs),
    passages: passages ?? keywordPassages(new KeywordRetriever(inputs.chunks)),
    answerLanguages: settings.KNOWLEDGE_LANGUAGES ?? ['en'],
  });
}

/**
 * The configured brain: the embedded one, or, with OPENAI_API_KEY, a model for analysis and grounded answers
 * with the embedded parts as its fallback. The decisions (routing, hand-over) are the same code either way.
 */
export async function createBrain(config: Config, log: Logger, inputs: BrainInputs, passages?: PassageSource): Promise<Brain> {
  if (!config.OPENAI_API_KEY) return createEmbeddedBrain(config, inputs, passages);
  const openai = require('./openai') as typeof import('./openai');
  const fallback = embeddedParts(config, inputs);
  const parts = await openai.createOpenAIBrainParts(
    {
      apiKey: config.OPENAI_API_KEY,
      ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
      chatModel: config.OPENAI_MODEL,
      ...(config.OPENAI_EMBEDDING_MODEL !== 'none' ? { embeddingModel: config.OPENAI_EMBEDDING_MODEL } : {}),
      ...(config.OPENAI_EMBEDDING_DIMENSIONS ? { embeddingDimensions: config.OPENAI_EMBEDDING_DIMENSIONS } : {}),
      timeoutMs: config.OPENAI_TIMEOUT_MS,
      maxRetries: config.OPENAI_MAX_RETRIES,
      tokenBudget: { maxTokensPerDay: config.OPENAI_DAILY_TOKEN_BUDGET, maxTokensPerConversation: config.OPENAI_CONVERSATION_TOKEN_BUDGET },
      maxAnswerTokens: config.OPENAI_MAX_ANSWER_TOKENS,
      maxTokensField: config.OPENAI_MAX_TOKENS_FIELD,
      ...(config.OPENAI_TEMPERATURE !== undefined ? { temperature: config.OPENAI_TEMPERATURE } : {}),
      languages: DEFAULT_LANGUAGES,
    },
    {
      logger: log,
      intents: inputs.intents.map((i) => ({ name: i.name, ...(i.description ? { description: i.description } : {}) })),
      fallbackAnalyzer: fallback.analyzer,
      fallbackAnswerer: fallback.answerer,
    },
  );
  const brain = assemble(config, inputs, {
    name: 'openai',
    analyzer: parts.analyzer,
    answerer: parts.answerer,
    passages: passages ?? keywordPassages(new KeywordRetriever(inputs.chunks)),
  });
  // The per-conversation token budget needs to know whose turn this is.
  return {
    name: brain.name,
    usesHistory: brain.usesHistory,
    decide: (ctx) => (ctx.conversationId ? openai.withConversation(ctx.conversationId, () => brain.decide(ctx)) : brain.decide(ctx)),
  };
}
