/**
 * Static word-piece embeddings for the intent model: the token-embedding table of the embedded sentence model
 * (all-MiniLM-L6-v2, int8 ONNX; 30,522 word pieces × 384), read once from the ONNX file and used without running the
 * transformer. A text's vector pools its word pieces' rows (an IDF-weighted mean by default, or the per-dimension max),
 * L2-normalised — a table lookup, tens of microseconds per message, where the transformer costs milliseconds. The
 * intent features append it as a dense block beside the TF-IDF n-grams, adding some meaning (synonyms, related
 * words) to the lexical features.
 *
 * The model files are optional: without them `loadStaticEmbeddings()` returns undefined and the intent model uses
 * its lexical features only.
 */
import { readFileSync } from 'node:fs';
import { cachedModelFiles, MINILM_L6_V2_Q, type ModelFiles } from '../embeddings/model-files';
import { ONNX_UINT8, ONNX_INT8, readOnnxInitializers, tensorValues } from './onnx-initializers';

type HfTokenizer = import('@huggingface/tokenizers').Tokenizer;

const WORD_EMBEDDINGS = 'embeddings.word_embeddings.weight';

export class StaticEmbeddings {
  private constructor(
    private readonly tokenizer: HfTokenizer,
    /** Quantised table, row-major [piece][dimension]; a value is (q - zeroPoint) × scale. */
    private readonly table: Uint8Array | Int8Array,
    private readonly zeroPoint: number,
    /** Word-piece ids never pooled: [PAD], [UNK], [CLS], [SEP], [MASK]. */
    private readonly special: Set<number>,
    readonly dimension: number,
  ) {}

  /** Reads the tokenizer and the word-piece table of a model (synchronously; ~0.1 s once per process). */
  static fromFiles(files: ModelFiles): StaticEmbeddings {
    const { Tokenizer } = require('@huggingface/tokenizers') as typeof import('@huggingface/tokenizers');
    const tokenizerJson = JSON.parse(readFileSync(files.tokenizerPath, 'utf8')) as { added_tokens?: Array<{ id: number }> };
    const tokenizer = new Tokenizer(tokenizerJson as object, {});
    const tensors = readOnnxInitializers(readFileSync(files.modelPath), (name) => name.startsWith(WORD_EMBEDDINGS));
    const byName = new Map(tensors.map((t) => [t.name, t]));
    const float = byName.get(WORD_EMBEDDINGS);
    const quantised = byName.get(`${WORD_EMBEDDINGS}_quantized`);
    const zero = byName.get(`${WORD_EMBEDDINGS}_zero_point`);
    const special = new Set((tokenizerJson.added_tokens ?? []).map((t) => t.id));
    if (quantised?.raw && quantised.dims.length === 2 && (quantised.dataType === ONNX_UINT8 || quantised.dataType === ONNX_INT8)) {
      const raw = quantised.raw;
      const table = quantised.dataType === ONNX_UINT8 ? new Uint8Array(raw) : new Int8Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
      // The scale is one per-tensor constant: it cancels in the L2 normalisation, so it is not applied.
      const zeroPoint = zero ? (tensorValues(zero)[0] ?? 0) : 0;
      return new StaticEmbeddings(tokenizer, table, zeroPoint, special, quantised.dims[1]!);
    }
    if (float && float.dims.length === 2) {
      // A float model: quantise the table per tensor to int8 so both kinds share one code path.
      const values = tensorValues(float);
      let max = 0;
      for (const v of values) max = Math.max(max, Math.abs(v));
      const table = Int8Array.from(values, (v) => Math.round((v / (max || 1)) * 127));
      return new StaticEmbeddings(tokenizer, table, 0, special, float.dims[1]!);
    }
    throw new Error(`${files.modelPath}: no ${WORD_EMBEDDINGS} initializer`);
  }

  get vocabularySize(): number {
    return this.table.length / this.dimension;
  }

  /** Word-piece ids of a text, without the special tokens. */
  pieces(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids.filter((id) => !this.special.has(id));
  }

  /**
   * Pools the pieces' rows into `out` (length `dimension`, L2-normalised afterwards; all zeros for no pieces):
   * `mean` weights each row by `weight(id)`, `max` takes each dimension's maximum.
   */
  poolInto(out: Float32Array, pieces: number[], pooling: 'mean' | 'max', weight: (id: number) => number = () => 1): void {
    const d = this.dimension;
    const zp = this.zeroPoint;
    const table = this.table;
    out.fill(pooling === 'max' && pieces.length > 0 ? -Infinity : 0);
    for (const id of pieces) {
      const base = id * d;
      if (pooling === 'max') {
        for (let j = 0; j < d; j++) {
          const v = table[base + j]! - zp;
          if (v > out[j]!) out[j] = v;
        }
      } else {
        const w = weight(id);
        for (let j = 0; j < d; j++) out[j] += w * (table[base + j]! - zp);
      }
    }
    let norm = 0;
    for (let j = 0; j < d; j++) norm += out[j]! * out[j]!;
    if (norm > 0) {
      const scale = 1 / Math.sqrt(norm);
      for (let j = 0; j < d; j++) out[j] *= scale;
    }
  }
}

let loaded: StaticEmbeddings | null | undefined;

/**
 * The static embeddings of the embedded sentence model, loaded on first use and kept for the process; undefined
 * when the model files are not prepared (or cannot be read), so callers fall back to lexical features.
 */
export function loadStaticEmbeddings(): StaticEmbeddings | undefined {
  if (loaded === undefined) {
    const files = cachedModelFiles(MINILM_L6_V2_Q);
    try {
      loaded = files ? StaticEmbeddings.fromFiles(files) : null;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
