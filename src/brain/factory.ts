import type { Logger } from 'pino';
import type { Embedder } from '../../knowledge/embedder';
import type { Config } from '../config';
import { EmbeddedAnalyzer } from './analysis/embedded-analyzer';
import type { AnalyzeContext, Analysis, Analyzer } from './analysis/types';
import { ExtractiveAnswerer } from './answer/extractive-answerer';
import type { PassageSource } from './answer/passages';
import type { Answerer } from './answer/types';
import { loadIntentCatalog, type IntentSpec } from './catalog/intents';
import { DEFAULT_LANGUAGES } from './language';
import type { OpenAIBrainParts } from './openai';
import { loadRouting, type RoutingConfig } from './routing/rules';
import { EmbeddedSentimentAnalyzer } from './sentiment';
import { OffTopicModel } from './offtopic';
import { SupportBrain, type SupportBrainParts } from './support-brain';
import type { Brain } from './types';

export interface BrainInputs {
  intents: IntentSpec[];
  routing: RoutingConfig;
  passages: PassageSource;
  /** The embedded sentence embedder, when prepared: sentiment blends it in, the off-topic head reads it. */
  embedder?: Embedder;
  /** What the help centre covers (its article titles, src/brain/offtopic knowledgeTopics). */
  topics?: string[];
  clock?: () => Date;
}

/** The off-topic head and the help centre's topics, when there are weights for this encoder. */
function conversationParts(inputs: BrainInputs): Pick<SupportBrainParts, 'offTopic' | 'topics'> {
  const offTopic = OffTopicModel.forEmbedder(inputs.embedder);
  return { ...(offTopic ? { offTopic } : {}), ...(inputs.topics ? { topics: inputs.topics } : {}) };
}

export type BrainSettings = Pick<Config, 'ANSWER_MIN_SCORE' | 'ANSWER_MIN_CONFIDENCE' | 'INTENT_MIN_CONFIDENCE' | 'CANNED_ANSWER_MIN_CONFIDENCE'> &
  Partial<Pick<Config, 'KNOWLEDGE_LANGUAGES'>>;

export interface EmbeddedParts {
  analyzer: Analyzer;
  answerer: Answerer;
  /** Trains what can be trained before traffic (the sentiment model and the intent head over the embedder). */
  prepare(): Promise<void>;
  /** Trains an intent model on a new catalog (saved in the console) and switches `analyzer` to it once trained. */
  retrain(intents: IntentSpec[]): Promise<void>;
}

/** The analyzer in force, switched whole when the intent catalog changes, so one message is read by one model. */
class SwitchingAnalyzer implements Analyzer {
  constructor(public current: Analyzer) {}

  analyze(text: string, context: AnalyzeContext): Promise<Analysis> {
    return this.current.analyze(text, context);
  }
}

/** Reads the admin's files; a bad one stops the start naming the file and the problem. */
export function loadBrainFiles(config: Pick<Config, 'INTENTS_DIR' | 'ROUTING_FILE'>): { intents: IntentSpec[]; routing: RoutingConfig } {
  return { intents: loadIntentCatalog(config.INTENTS_DIR), routing: loadRouting(config.ROUTING_FILE) };
}

/** The offline analyzer and answerer: the whole brain without a key, and the provider's fallback with one. */
export function createEmbeddedParts(settings: BrainSettings, intents: IntentSpec[], embedder?: Embedder, log?: Pick<Logger, 'warn'>): EmbeddedParts {
  const sentiment = new EmbeddedSentimentAnalyzer(
    embedder ? { embedder, onEmbeddingError: (err) => log?.warn({ err }, 'sentiment: embedding failed; rules only from now on') } : {},
  );
  // The analyzer embeds each message once with the shared encoder and hands the vector to the intent and sentiment heads.
  const analyzerFor = (catalog: IntentSpec[]) =>
    new EmbeddedAnalyzer(catalog, sentiment, {
      intentMinConfidence: settings.INTENT_MIN_CONFIDENCE,
      ...(embedder ? { embedder, onEmbeddingError: (err: unknown) => log?.warn({ err }, 'intent: embedding failed; lexical features for this message') } : {}),
    });
  const first = analyzerFor(intents);
  const analyzer = new SwitchingAnalyzer(first);
  return {
    analyzer,
    answerer: new ExtractiveAnswerer({ semantic: settings.ANSWER_MIN_CONFIDENCE, lexical: settings.ANSWER_MIN_SCORE }),
    prepare: async () => {
      await Promise.all([sentiment.prepare(), first.prepare()]);
    },
    retrain: async (catalog) => {
      const next = analyzerFor(catalog);
      await next.prepare();
      analyzer.current = next;
    },
  };
}

/** The embedded brain: no network, no key. */
export function createEmbeddedBrain(settings: BrainSettings, inputs: BrainInputs, parts = createEmbeddedParts(settings, inputs.intents, inputs.embedder)): SupportBrain {
  return new SupportBrain({
    name: 'embedded',
    analyzer: parts.analyzer,
    answerer: parts.answerer,
    passages: inputs.passages,
    get intents() {
      return inputs.intents;
    },
    // A getter: routing saved in the console (src/routing-live.ts) applies from the next decision.
    get routing() {
      return inputs.routing;
    },
    cannedMinConfidence: settings.CANNED_ANSWER_MIN_CONFIDENCE,
    // The extractive answerer quotes the knowledge base and cannot translate it.
    answerLanguages: settings.KNOWLEDGE_LANGUAGES ?? ['en'],
    ...conversationParts(inputs),
    ...(inputs.clock ? { clock: inputs.clock } : {}),
  });
}

/** The provider's parts on one client, budget and breaker, each falling back to the embedded one. */
export async function createOpenAIParts(config: Config, log: Logger, intents: () => IntentSpec[], fallback: EmbeddedParts): Promise<OpenAIBrainParts> {
  const openai = require('./openai') as typeof import('./openai');
  return openai.createOpenAIBrainParts(
    {
      apiKey: config.OPENAI_API_KEY!,
      ...(config.OPENAI_BASE_URL ? { baseURL: config.OPENAI_BASE_URL } : {}),
      chatModel: config.OPENAI_MODEL,
      ...(config.OPENAI_EMBEDDING_MODEL !== 'none' && config.EMBEDDINGS === 'openai' ? { embeddingModel: config.OPENAI_EMBEDDING_MODEL } : {}),
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
      // A function: the catalog saved in the console is offered to the model from the next message.
      intents: () => intents().map((i) => ({ name: i.name, ...(i.description ? { description: i.description } : {}) })),
      fallbackAnalyzer: fallback.analyzer,
      fallbackAnswerer: fallback.answerer,
    },
  );
}

/**
 * The brain with a model: analysis and grounded answers by the provider, the embedded parts as its fallback. The
 * decisions (routing, hand-over) are the same code as the embedded brain's.
 */
export function createOpenAIBrain(settings: BrainSettings, inputs: BrainInputs, parts: OpenAIBrainParts): Brain {
  const openai = require('./openai') as typeof import('./openai');
  const brain = new SupportBrain({
    name: 'openai',
    analyzer: parts.analyzer,
    answerer: parts.answerer,
    passages: inputs.passages,
    get intents() {
      return inputs.intents;
    },
    // A getter: routing saved in the console (src/routing-live.ts) applies from the next decision.
    get routing() {
      return inputs.routing;
    },
    cannedMinConfidence: settings.CANNED_ANSWER_MIN_CONFIDENCE,
    ...conversationParts(inputs),
    ...(inputs.clock ? { clock: inputs.clock } : {}),
  });
  // The per-conversation token budget needs to know whose turn this is.
  const summarizer = new openai.OpenAISummarizer(parts.provider);
  return {
    name: brain.name,
    usesHistory: brain.usesHistory,
    decide: (ctx) => (ctx.conversationId ? openai.withConversation(ctx.conversationId, () => brain.decide(ctx)) : brain.decide(ctx)),
    whileQueued: (ctx) => brain.whileQueued(ctx),
    summarize: (transcript, facts) => summarizer.summarize(transcript, facts),
  };
}
