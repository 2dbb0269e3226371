/**
 * Exact nearest-neighbour search over unit vectors: every vector lives in one flat Float32Array (row-major), a query
 * is a dot product against each row, and the best k are kept in a small heap. 10,000 × 384 dimensions is ~4 M
 * multiply-adds, a few milliseconds in plain TypeScript — no approximate index (and no dependency) is needed at help-
 * centre scale.
 */
export interface VectorHit {
  /** Row number, in the order the vectors were added. */
  row: number;
  /** Dot product, i.e. cosine similarity for unit vectors (-1..1). */
  score: number;
}

export class VectorIndex {
  private data: Float32Array;
  private rows = 0;

  constructor(
    readonly dimensions: number,
    initialCapacity = 64,
  ) {
    if (!(Number.isInteger(dimensions) && dimensions > 0)) throw new Error(`dimensions must be a positive integer, got ${dimensions}`);
    this.data = new Float32Array(Math.max(1, initialCapacity) * dimensions);
  }

  /** Builds an index from vectors of one dimension (the first vector's). */
  static from(vectors: ArrayLike<number>[], dimensions = vectors[0]?.length): VectorIndex {
    if (dimensions === undefined) throw new Error('cannot infer the dimensions of an empty index');
    const index = new VectorIndex(dimensions, vectors.length);
    for (const v of vectors) index.add(v);
    return index;
  }

  get size(): number {
    return this.rows;
  }

  /** Appends a vector (copied) and returns its row number. */
  add(vector: ArrayLike<number>): number {
    if (vector.length !== this.dimensions) throw new Error(`vector has ${vector.length} dimensions, the index ${this.dimensions}`);
    if ((this.rows + 1) * this.dimensions > this.data.length) {
      const grown = new Float32Array(Math.max(this.data.length * 2, (this.rows + 1) * this.dimensions));
      grown.set(this.data);
      this.data = grown;
    }
    this.data.set(vector, this.rows * this.dimensions);
    return this.rows++;
  }

  /** A view of one stored vector (not a copy). */
  vector(row: number): Float32Array {
    if (!(row >= 0 && row < this.rows)) throw new RangeError(`row ${row} is outside 0..${this.rows - 1}`);
    return this.data.subarray(row * this.dimensions, (row + 1) * this.dimensions);
  }

  /** The dot product of the query with every row, in row order. */
  scores(query: ArrayLike<number>, out = new Float32Array(this.rows)): Float32Array {
    this.checkQuery(query);
    const dims = this.dimensions;
    const data = this.data;
    const q = query instanceof Float32Array ? query : Float32Array.from(query);
    for (let r = 0, offset = 0; r < this.rows; r++, offset += dims) {
      // Four accumulators: shorter dependency chains, measurably faster in V8 than one.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let d = 0;
      for (; d + 3 < dims; d += 4) {
        s0 += q[d]! * data[offset + d]!;
        s1 += q[d + 1]! * data[offset + d + 1]!;
        s2 += q[d + 2]! * data[offset + d + 2]!;
        s3 += q[d + 3]! * data[offset + d + 3]!;
      }
      for (; d < dims; d++) s0 += q[d]! * data[offset + d]!;
      out[r] = s0 + s1 + s2 + s3;
    }
    return out;
  }

  /** The k rows most similar to the query, best first; ties go to the lower row (deterministic). */
  search(query: ArrayLike<number>, k: number): VectorHit[] {
    return topK(this.scores(query), k);
  }

  private checkQuery(query: ArrayLike<number>): void {
    if (query.length !== this.dimensions) throw new Error(`query has ${query.length} dimensions, the index ${this.dimensions}`);
  }
}

/** The k best entries of a score array, best first, ties to the lower row; O(n log k). */
export function topK(scores: ArrayLike<number>, k: number): VectorHit[] {
  const limit = Math.min(Math.max(0, Math.floor(k)), scores.length);
  if (limit === 0) return [];
  // Min-heap of the best `limit` rows seen so far; its root is the worst of them.
  const heapRows = new Int32Array(limit);
  const heapScores = new Float64Array(limit);
  let size = 0;
  const worse = (a: number, b: number) => heapScores[a]! < heapScores[b]! || (heapScores[a] === heapScores[b] && heapRows[a]! > heapRows[b]!);
  const swap = (a: number, b: number) => {
    const r = heapRows[a]!;
    heapRows[a] = heapRows[b]!;
    heapRows[b] = r;
    const s = heapScores[a]!;
    heapScores[a] = heapScores[b]!;
    heapScores[b] = s;
  };
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < size && worse(l, m)) m = l;
      if (r < size && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  for (let row = 0; row < scores.length; row++) {
    const score = scores[row]!;
    if (Number.isNaN(score)) continue;
    if (size < limit) {
      heapRows[size] = row;
      heapScores[size] = score;
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    } else if (score > heapScores[0]!) {
      // Equal scores never displace: rows arrive in increasing order, so the lower row already held wins the tie.
      heapRows[0] = row;
      heapScores[0] = score;
      siftDown(0);
    }
  }
  const hits: VectorHit[] = [];
  for (let i = 0; i < size; i++) hits.push({ row: heapRows[i]!, score: heapScores[i]! });
  return hits.sort((a, b) => b.score - a.score || a.row - b.row);
}
