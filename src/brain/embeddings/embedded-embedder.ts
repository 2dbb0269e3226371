// Sentence embeddings in process: a BERT-style int8 ONNX encoder (bge-small-en-v1.5 by default, all-MiniLM-L6-v2
// before) through onnxruntime-node, WordPiece tokenisation through @huggingface/tokenizers; the model's pooling
// ([CLS] or masked mean over last_hidden_state), then L2-normalised → 384 dimensions.
// Measurements and the choice of model: docs/research.md.
import { readFile } from 'node:fs/promises';
import type { Embedder } from '../../../knowledge/embedder';
import type { ModelFiles } from './model-files';

type Ort = typeof import('onnxruntime-node');
type OrtSession = import('onnxruntime-node').InferenceSession;
type HfTokenizer = import('@huggingface/tokenizers').Tokenizer;

export interface EmbeddedEmbedderOptions {
  /** Threads one inference may use (onnxruntime intra-op). Default 1: the gateway shares its cores with everything else. */
  threads?: number;
  /** Longer texts are cut to this many word pieces, [CLS] and [SEP] included (the model was trained on 256). */
  maxTokens?: number;
  /**
   * Texts per forward pass (batches group texts of similar length, so padding stays small). Default 1: the int8 model
   * quantises activations with one scale per batch, so a batched text's vector depends slightly on its companions
   * (cosine 0.98–0.999 to its single vector). With 1, a text always gets the same vector — stored chunk vectors and
   * query vectors agree, and evaluations do not depend on batching — and on 2 shared cores batching buys ~nothing.
   */
  batchSize?: number;
  /** Vectors kept by text (least recently used are dropped); 0 disables the cache. */
  cacheSize?: number;
}

const DEFAULTS = { threads: 1, maxTokens: 256, batchSize: 1, cacheSize: 4096 };

/**
 * The embedded implementation of the knowledge base's Embedder port. Construct with {@link EmbeddedEmbedder.load}.
 * Identical texts get identical vectors (deterministic CPU kernels, one session), which makes the text cache exact.
 */
export class EmbeddedEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  private readonly pooling: 'mean' | 'cls';
  private readonly queryPrefix: string;
  private readonly cache = new Map<string, Float32Array>();
  private readonly ort: Ort;

  private constructor(
    private readonly session: OrtSession,
    private readonly tokenizer: HfTokenizer,
    files: ModelFiles,
    private readonly options: Required<EmbeddedEmbedderOptions>,
  ) {
    this.id = files.spec.id;
    this.dimensions = files.spec.dimensions;
    this.pooling = files.spec.pooling;
    this.queryPrefix = files.spec.queryPrefix ?? '';
    this.ort = require('onnxruntime-node') as Ort;
  }

  static async load(files: ModelFiles, options: EmbeddedEmbedderOptions = {}): Promise<EmbeddedEmbedder> {
    const opts = { ...DEFAULTS, ...definedOnly(options) };
    if (!(Number.isInteger(opts.threads) && opts.threads >= 1)) throw new Error(`threads must be a positive integer, got ${opts.threads}`);
    if (!(Number.isInteger(opts.maxTokens) && opts.maxTokens >= 3 && opts.maxTokens <= 512)) throw new Error(`maxTokens must be 3..512, got ${opts.maxTokens}`);
    // Required lazily: a gateway running lexical-only never loads the native runtime.
    const ort = require('onnxruntime-node') as Ort;
    const { Tokenizer } = require('@huggingface/tokenizers') as typeof import('@huggingface/tokenizers');
    const [session, tokenizerJson] = await Promise.all([
      ort.InferenceSession.create(files.modelPath, {
        intraOpNumThreads: opts.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      }),
      readFile(files.tokenizerPath, 'utf8'),
    ]);
    const tokenizer = new Tokenizer(JSON.parse(tokenizerJson) as object, {});
    const embedder = new EmbeddedEmbedder(session, tokenizer, files, opts);
    for (const input of ['input_ids', 'attention_mask', 'token_type_ids']) {
      if (!session.inputNames.includes(input)) throw new Error(`${files.modelPath} has no input "${input}" (inputs: ${session.inputNames.join(', ')})`);
    }
    return embedder;
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out = new Array<Float32Array | undefined>(texts.length);
    // Unique uncached texts, tokenised once.
    const todo = new Map<string, { ids: number[]; slots: number[] }>();
    texts.forEach((text, i) => {
      const hit = this.cacheGet(text);
      if (hit) {
        out[i] = hit.slice();
        return;
      }
      const pending = todo.get(text);
      if (pending) pending.slots.push(i);
      else todo.set(text, { ids: this.tokenize(text), slots: [i] });
    });
    // Sorted by length so each batch pads little (unsorted batches are slower than single calls).
    const work = [...todo.entries()].sort((a, b) => a[1].ids.length - b[1].ids.length);
    for (let start = 0; start < work.length; start += this.options.batchSize) {
      const batch = work.slice(start, start + this.options.batchSize);
      const vectors = await this.forward(batch.map(([, w]) => w.ids));
      batch.forEach(([text, w], b) => {
        const v = vectors[b]!;
        this.cacheSet(text, v);
        for (const slot of w.slots) out[slot] = v.slice();
      });
    }
    return out as Float32Array[];
  }

  /** Search queries, with the model's retrieval instruction when it has one (passages go through {@link embed}). */
  embedQueries(texts: string[]): Promise<Float32Array[]> {
    return this.embed(this.queryPrefix ? texts.map((t) => this.queryPrefix + t) : texts);
  }

  /** Word-piece ids with [CLS] … [SEP], cut to maxTokens (keeping the final [SEP]). */
  tokenize(text: string): number[] {
    const ids = this.tokenizer.encode(text).ids;
    const max = this.options.maxTokens;
    if (ids.length <= max) return ids;
    return [...ids.slice(0, max - 1), ids[ids.length - 1]!];
  }

  private async forward(batch: number[][]): Promise<Float32Array[]> {
    const n = batch.length;
    const len = Math.max(...batch.map((ids) => ids.length));
    const inputIds = new BigInt64Array(n * len);
    const mask = new BigInt64Array(n * len);
    const types = new BigInt64Array(n * len);
    batch.forEach((ids, b) => {
      for (let t = 0; t < ids.length; t++) {
        inputIds[b * len + t] = BigInt(ids[t]!);
        mask[b * len + t] = 1n;
      }
    });
    const { Tensor } = this.ort;
    const result = await this.session.run({
      input_ids: new Tensor('int64', inputIds, [n, len]),
      attention_mask: new Tensor('int64', mask, [n, len]),
      token_type_ids: new Tensor('int64', types, [n, len]),
    });
    const hidden = result.last_hidden_state ?? result[this.session.outputNames[0]!]!;
    const data = hidden.data as Float32Array;
    const dims = hidden.dims[2]!;
    if (dims !== this.dimensions) throw new Error(`the model produced ${dims}-d vectors, expected ${this.dimensions}`);
    const vectors: Float32Array[] = [];
    for (let b = 0; b < n; b++) {
      // [CLS] pooling reads position 0; masked mean skips padding positions (beyond this text's length).
      const count = this.pooling === 'cls' ? 1 : batch[b]!.length;
      const v = new Float32Array(dims);
      for (let t = 0; t < count; t++) {
        const offset = (b * len + t) * dims;
        for (let d = 0; d < dims; d++) v[d]! += data[offset + d]!;
      }
      let norm = 0;
      for (let d = 0; d < dims; d++) {
        v[d]! /= count;
        norm += v[d]! * v[d]!;
      }
      norm = Math.sqrt(norm) || 1;
      for (let d = 0; d < dims; d++) v[d]! /= norm;
      vectors.push(v);
    }
    hidden.dispose?.();
    return vectors;
  }

  private cacheGet(text: string): Float32Array | undefined {
    const v = this.cache.get(text);
    if (v) {
      this.cache.delete(text);
      this.cache.set(text, v);
    }
    return v;
  }

  private cacheSet(text: string, v: Float32Array): void {
    if (this.options.cacheSize <= 0) return;
    this.cache.set(text, v);
    if (this.cache.size > this.options.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  /** Frees the native session; the embedder is unusable afterwards. */
  async close(): Promise<void> {
    await this.session.release();
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
