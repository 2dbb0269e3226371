import OpenAI from 'openai';

/**
 * Settings of the OpenAI-compatible provider (api.openai.com, Azure OpenAI's v1 endpoint, Ollama, vLLM, LiteLLM…).
 * Everything is explicit: the SDK's own environment fallbacks (OPENAI_API_KEY, OPENAI_BASE_URL) are not relied on,
 * src/config.ts reads the environment and passes the values here.
 */
export interface OpenAIProviderOptions {
  /** Bearer token. Servers that ignore it (Ollama, a local vLLM) still need a non-empty value, e.g. "ollama". */
  apiKey: string;
  /** e.g. "http://localhost:11434/v1" (Ollama), "https://<resource>.openai.azure.com/openai/v1/" (Azure). Default: api.openai.com. */
  baseURL?: string;
  /** Chat model for analysis and answers (on Azure: the deployment name). */
  chatModel: string;
  /** Embedding model; without it the provider offers no embedder and retrieval stays lexical / embedded. */
  embeddingModel?: string;
  /**
   * Vector length. When set it is also sent as `dimensions` (only text-embedding-3-* and a few servers accept that).
   * When unset: known OpenAI models are looked up, any other model is probed once with a one-word request.
   */
  embeddingDimensions?: number;
  /** Per attempt, in ms: a call can take up to (maxRetries + 1) × timeoutMs plus the back-off between attempts. */
  timeoutMs: number;
  /** SDK retries on connection errors, 408, 409, 429 and ≥ 500, honouring retry-after-ms / retry-after. */
  maxRetries: number;
  tokenBudget: TokenBudgetLimits;
  /** ISO 639-1 codes the deployment expects; analysis restricts the detected language to these (+ "other"). */
  languages?: string[];
  /** Upper bound on generated tokens of one answer. Default 500. */
  maxAnswerTokens?: number;
  /** Upper bound on generated tokens of one analysis. Default 300. */
  maxAnalysisTokens?: number;
  /**
   * The request field carrying the output bound. OpenAI and Azure reasoning models need "max_completion_tokens"
   * (the default); older Ollama builds only read "max_tokens".
   */
  maxTokensField?: 'max_completion_tokens' | 'max_tokens';
  /** Sampling temperature; unset = the server's default (reasoning models reject any other value than their default). */
  temperature?: number;
  /** Texts per embeddings request. Default 64. */
  embeddingBatchSize?: number;
  /** After this many provider failures in a row, skip the provider for `breakerCooldownMs`. Default 3; 0 disables. */
  breakerThreshold?: number;
  /** Default 30 000 ms. */
  breakerCooldownMs?: number;
}

/**
 * Token ceilings, counted from the `usage.total_tokens` the server reports (prompt + completion, embeddings included).
 * Both are per process (two replicas may spend twice the daily figure). Unset or 0 means unlimited.
 */
export interface TokenBudgetLimits {
  /** All calls of this process within one UTC day, knowledge indexing embeddings included. */
  maxTokensPerDay?: number;
  /** All calls made inside one `withConversation(id, …)` scope over the last 24 h (an LRU of 50 000 conversations). */
  maxTokensPerConversation?: number;
}

export const DEFAULTS = {
  chatModel: 'gpt-4o-mini',
  embeddingModel: 'text-embedding-3-small',
  timeoutMs: 15_000,
  maxRetries: 2,
  maxTokensPerDay: 1_000_000,
  maxTokensPerConversation: 20_000,
  maxAnswerTokens: 500,
  maxAnalysisTokens: 300,
  embeddingBatchSize: 64,
  breakerThreshold: 3,
  breakerCooldownMs: 30_000,
} as const;

/** The one client every part shares: same connection pool, same retry and timeout policy. */
export function createOpenAIClient(options: Pick<OpenAIProviderOptions, 'apiKey' | 'baseURL' | 'timeoutMs' | 'maxRetries'>): OpenAI {
  return new OpenAI({
    apiKey: options.apiKey,
    // Explicit, so the SDK never falls back to its own reading of OPENAI_BASE_URL.
    baseURL: options.baseURL ?? 'https://api.openai.com/v1',
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
  });
}
