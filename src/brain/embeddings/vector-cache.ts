// A disk cache of sentence vectors for evaluations and training scripts: re-running an eval over ~18k texts then
// takes seconds instead of minutes. One file per encoder (vectors never mix across vector spaces), records appended:
// 32-byte SHA-256 of (query|passage marker + text), then `dimensions` float32s. The product does not use it.
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Embedder } from '../../../knowledge/embedder';

export const DEFAULT_VECTOR_CACHE_DIR = '.cache/vectors';

export type EmbedKind = 'query' | 'passage';

function key(kind: EmbedKind, text: string): string {
  return createHash('sha256').update(`${kind}\u0000${text}`).digest('hex');
}

/**
 * Vectors of `texts` from `embedder` (embedQueries for 'query', embed for 'passage'), one text per call as at run
 * time, reading and extending `<dir>/<encoder id>.f32`. `onProgress` hears how many were embedded so far.
 */
export async function cachedVectors(
  embedder: Embedder,
  texts: string[],
  kind: EmbedKind,
  options: { dir?: string; onProgress?: (done: number, todo: number) => void } = {},
): Promise<Float32Array[]> {
  const dir = options.dir ?? DEFAULT_VECTOR_CACHE_DIR;
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${embedder.id.replace(/[^\w.-]/g, '_')}.f32`);
  const dims = embedder.dimensions;
  const recordBytes = 32 + dims * 4;
  const known = new Map<string, Float32Array>();
  if (existsSync(path)) {
    const buf = readFileSync(path);
    // A torn last record (interrupted run) is ignored.
    for (let off = 0; off + recordBytes <= buf.length; off += recordBytes) {
      const k = buf.subarray(off, off + 32).toString('hex');
      const v = new Float32Array(dims);
      for (let d = 0; d < dims; d++) v[d] = buf.readFloatLE(off + 32 + d * 4);
      known.set(k, v);
    }
  }
  const embed = kind === 'query' && embedder.embedQueries ? embedder.embedQueries.bind(embedder) : embedder.embed.bind(embedder);
  const keys = texts.map((t) => key(kind, t));
  const missing = [...new Set(keys.filter((k) => !known.has(k)))];
  const textOf = new Map(keys.map((k, i) => [k, texts[i]!]));
  let pending: Buffer[] = [];
  const flush = () => {
    if (pending.length) appendFileSync(path, Buffer.concat(pending));
    pending = [];
  };
  for (let i = 0; i < missing.length; i++) {
    const k = missing[i]!;
    const [v] = await embed([textOf.get(k)!]);
    known.set(k, v!);
    const record = Buffer.alloc(recordBytes);
    Buffer.from(k, 'hex').copy(record, 0);
    for (let d = 0; d < dims; d++) record.writeFloatLE(v![d]!, 32 + d * 4);
    pending.push(record);
    if (pending.length >= 500) {
      flush();
      options.onProgress?.(i + 1, missing.length);
    }
  }
  flush();
  return keys.map((k) => known.get(k)!);
}
