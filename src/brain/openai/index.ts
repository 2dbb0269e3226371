import type { Analyzer } from '../analysis/types';
import type { Answerer } from '../answer/types';
import { OpenAIAnalyzer, type IntentDefinition } from './analyzer';
import { OpenAIAnswerer } from './answerer';
import { createOpenAIEmbedder, type OpenAIEmbedder } from './embedder';
import type { WarnLogger } from './fallback';
import type { OpenAIProviderOptions } from './options';
import { OpenAIProvider } from './provider';

export { OpenAIAnalyzer, OUT_OF_SCOPE, analysisSchema, type IntentDefinition, type ProvidedAnalysis } from './analyzer';
export { OpenAIAnswerer, type AbstainReason, type ProvidedAnswer } from './answerer';
export { EmbeddingUnavailableError, OpenAIEmbedder, createOpenAIEmbedder, l2Normalise, toVector } from './embedder';
export { TokenBudget, withConversation, currentConversation } from './budget';
export {
  BudgetExhaustedError,
  CircuitBreaker,
  CircuitOpenError,
  InvalidResponseError,
  ModelRefusal,
  classifyFailure,
  provenanceOf,
  withFallback,
  type FailureReason,
  type Provenance,
  type WarnLogger,
} from './fallback';
export { createOpenAIClient, DEFAULTS as OPENAI_DEFAULTS, type OpenAIProviderOptions, type TokenBudgetLimits } from './options';
export { OpenAIProvider } from './provider';
export { OpenAISummarizer, type TranscriptLine } from './summarizer';

export interface OpenAIBrainParts {
  provider: OpenAIProvider;
  analyzer: OpenAIAnalyzer;
  answerer: OpenAIAnswerer;
  /** Undefined without an embedding model. */
  embedder: OpenAIEmbedder | undefined;
}

/**
 * Builds the three parts on one client, one token budget and one breaker. Analyzer and answerer wrap the embedded
 * ones and fall back to them; the embedder has no fallback (see EmbeddingUnavailableError). When the embedding
 * model's dimensions are unknown and the probe request fails, `embedder` is undefined (logged): retrieval stays on
 * the embedded model or lexical, and a restart retries the probe.
 */
export async function createOpenAIBrainParts(
  options: OpenAIProviderOptions,
  deps: { logger: WarnLogger; intents: IntentDefinition[] | (() => IntentDefinition[]); fallbackAnalyzer: Analyzer; fallbackAnswerer: Answerer },
): Promise<OpenAIBrainParts> {
  const provider = new OpenAIProvider(options, deps.logger);
  let embedder: OpenAIEmbedder | undefined;
  try {
    embedder = await createOpenAIEmbedder(provider);
  } catch (err) {
    deps.logger.warn({ part: 'embedder', reason: (err as { reason?: string }).reason }, 'OpenAI embedding model could not be probed; no OpenAI embeddings this run');
  }
  return {
    provider,
    analyzer: new OpenAIAnalyzer(provider, { intents: deps.intents, fallback: deps.fallbackAnalyzer }),
    answerer: new OpenAIAnswerer(provider, { fallback: deps.fallbackAnswerer }),
    embedder,
  };
}
