import type { Embedder } from '../../../knowledge/embedder';
import { estimateTokens } from './budget';
import { classifyFailure, describe, InvalidResponseError, type FailureReason } from './fallback';
import { DEFAULTS } from './options';
import { outbound } from './prompt';
import type { OpenAIProvider } from './provider';

/**
 * Thrown by `OpenAIEmbedder.embed` for every provider failure (timeout, HTTP error after retries, budget, breaker,
 * malformed vectors). There is deliberately no embedded fallback here: vectors from another model live in another
 * space and must never be compared with this index. The retriever catches this and serves the query lexically
 * (BM25 only); an indexing run that hits it leaves the semantic index unbuilt. `code` lets code outside src/
 * (knowledge/ may not import src/) recognise it without `instanceof`.
 */
export class EmbeddingUnavailableError extends Error {
  override readonly name = 'EmbeddingUnavailableError';
  readonly code = 'EMBEDDING_UNAVAILABLE';

  constructor(
    readonly reason: FailureReason,
    options?: { cause?: unknown },
  ) {
    super(`OpenAI embeddings unavailable (${reason})`, options);
  }

  static is(err: unknown): err is EmbeddingUnavailableError {
    return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EMBEDDING_UNAVAILABLE';
  }
}

/** Vector lengths of OpenAI's own models, so no probe request is needed for them. */
export const KNOWN_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** Characters of one input sent (≈ 8 k tokens is the usual per-input cap; chunks are far shorter). */
const MAX_INPUT_CHARS = 16_000;

/**
 * Embeddings through the provider: PII-redacted inputs, batched, L2-normalised, checked for length. Requests
 * `encoding_format: 'base64'` explicitly (the SDK's default, a quarter of the JSON size) and decodes it here as
 * little-endian float32; a server that ignores the field and sends number arrays is accepted too.
 */
export class OpenAIEmbedder implements Embedder {
  readonly id: string;

  constructor(
    private readonly provider: OpenAIProvider,
    private readonly model: string,
    readonly dimensions: number,
    /** Send `dimensions` to the server (text-embedding-3-* shortening). */
    private readonly requestDimensions = false,
  ) {
    this.id = `openai:${model}${requestDimensions ? `@${dimensions}` : ''}`;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const batchSize = Math.max(1, this.provider.options.embeddingBatchSize ?? DEFAULTS.embeddingBatchSize);
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      out.push(...(await this.batch(texts.slice(i, i + batchSize))));
    }
    return out;
  }

  private async batch(texts: string[]): Promise<Float32Array[]> {
    // Servers reject empty strings; a lone space embeds as "nothing in particular".
    const input = texts.map((t) => outbound(t.slice(0, MAX_INPUT_CHARS)) || ' ');
    try {
      const response = await this.provider.guarded(estimateTokens(input), async () => {
        const r = await this.provider.client.embeddings.create({
          model: this.model,
          input,
          encoding_format: 'base64',
          ...(this.requestDimensions ? { dimensions: this.dimensions } : {}),
        });
        return { result: r, totalTokens: r.usage?.total_tokens };
      });
      const rows = [...(response.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
      if (rows.length !== input.length) throw new InvalidResponseError(`expected ${input.length} embeddings, got ${rows.length}`);
      return rows.map((row) => {
        const v = toVector(row.embedding as unknown);
        if (v.length !== this.dimensions) throw new InvalidResponseError(`expected ${this.dimensions} dimensions, got ${v.length}`);
        return l2Normalise(v);
      });
    } catch (err) {
      if (EmbeddingUnavailableError.is(err)) throw err;
      const reason = classifyFailure(err);
      this.provider.logger.warn({ part: 'embedder', reason, ...describe(err) }, `OpenAI embeddings unavailable (${reason}); this query falls back to lexical retrieval`);
      throw new EmbeddingUnavailableError(reason, { cause: err });
    }
  }
}

/** Base64 of little-endian float32 (what the API sends for encoding_format "base64"), or a plain number array. */
export function toVector(embedding: unknown): Float32Array {
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.length % 4 !== 0) throw new InvalidResponseError('base64 embedding is not a whole number of float32');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const v = new Float32Array(bytes.length / 4);
    for (let i = 0; i < v.length; i++) v[i] = view.getFloat32(i * 4, true);
    return v;
  }
  if (Array.isArray(embedding) && embedding.every((x) => typeof x === 'number')) return Float32Array.from(embedding);
  throw new InvalidResponseError('embedding is neither base64 nor a number array');
}

export function l2Normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) {
    if (!Number.isFinite(x)) throw new InvalidResponseError('embedding contains a non-finite value');
    sum += x * x;
  }
  const norm = Math.sqrt(sum);
  if (norm === 0) throw new InvalidResponseError('zero-length embedding');
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

/**
 * The embedder for `provider.options.embeddingModel`: dimensions from the option, the known-model table, or one
 * probe request ("dimensions unknown" is a startup failure the caller handles by staying lexical / embedded).
 */
export async function createOpenAIEmbedder(provider: OpenAIProvider): Promise<OpenAIEmbedder | undefined> {
  const model = provider.options.embeddingModel;
  if (!model) return undefined;
  const configured = provider.options.embeddingDimensions;
  if (configured) return new OpenAIEmbedder(provider, model, configured, true);
  const known = KNOWN_DIMENSIONS[model];
  if (known) return new OpenAIEmbedder(provider, model, known);
  return new OpenAIEmbedder(provider, model, await probeDimensions(provider, model));
}

async function probeDimensions(provider: OpenAIProvider, model: string): Promise<number> {
  try {
    const r = await provider.guarded(estimateTokens(['ping']), async () => {
      const res = await provider.client.embeddings.create({ model, input: ['ping'], encoding_format: 'base64' });
      return { result: res, totalTokens: res.usage?.total_tokens };
    });
    const first = r.data?.[0];
    if (!first) throw new InvalidResponseError('probe returned no embedding');
    return toVector(first.embedding as unknown).length;
  } catch (err) {
    throw new EmbeddingUnavailableError(classifyFailure(err), { cause: err });
  }
}
