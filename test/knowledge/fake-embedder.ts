import { createHash } from 'node:crypto';
import type { Embedder } from '../../knowledge/embedder';

/** Deterministic 4-d unit vectors from a hash of the text; records every call. */
export class FakeEmbedder implements Embedder {
  readonly dimensions = 4;
  readonly calls: string[][] = [];

  constructor(readonly id = 'fake-v1') {}

  get texts(): number {
    return this.calls.reduce((n, c) => n + c.length, 0);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.calls.push(texts);
    return texts.map((t) => {
      const h = createHash('sha256').update(t).digest();
      const v = Float32Array.from([h[0]! + 1, h[1]! + 1, h[2]! + 1, h[3]! + 1]);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    });
  }
}
