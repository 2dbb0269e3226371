import { topK, VectorIndex } from '../../knowledge/vector-index';

function unit(values: number[]): Float32Array {
  const norm = Math.hypot(...values) || 1;
  return Float32Array.from(values.map((v) => v / norm));
}

/** A deterministic pseudo-random unit vector (no Math.random: tests must not flake). */
function seeded(seed: number, dims: number): Float32Array {
  let x = seed * 2654435761;
  const values: number[] = [];
  for (let i = 0; i < dims; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    values.push(x / 2147483648 - 0.5);
  }
  return unit(values);
}

describe('VectorIndex', () => {
  it('finds the most similar vectors, best first', () => {
    const index = VectorIndex.from([unit([1, 0, 0]), unit([0, 1, 0]), unit([1, 1, 0]), unit([0, 0, 1])]);
    const hits = index.search(unit([1, 0.2, 0]), 2);
    expect(hits.map((h) => h.row)).toEqual([0, 2]);
    expect(hits[0]!.score).toBeCloseTo(1 / Math.hypot(1, 0.2), 5);
    expect(index.size).toBe(4);
    expect(index.dimensions).toBe(3);
  });

  it('scores every row exactly like a naive dot product, across growth', () => {
    const dims = 37; // not a multiple of 4: exercises the remainder loop
    const index = new VectorIndex(dims, 1);
    const vectors = Array.from({ length: 300 }, (_, i) => seeded(i + 1, dims));
    vectors.forEach((v, i) => expect(index.add(v)).toBe(i));
    const query = seeded(999, dims);
    const scores = index.scores(query);
    vectors.forEach((v, i) => {
      const naive = v.reduce((s, x, d) => s + x * query[d]!, 0);
      expect(scores[i]).toBeCloseTo(naive, 5);
    });
    const best = [...scores.keys()].sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, 10);
    expect(index.search(query, 10).map((h) => h.row)).toEqual(best);
    expect(index.vector(7)).toEqual(vectors[7]);
  });

  it('copies added vectors and returns views of them', () => {
    const v = unit([1, 2, 3]);
    const index = VectorIndex.from([v]);
    v[0] = 42;
    expect(index.vector(0)[0]).toBeCloseTo(1 / Math.hypot(1, 2, 3), 6);
  });

  it('rejects vectors and queries of the wrong dimension, and unknown rows', () => {
    const index = new VectorIndex(3);
    expect(() => index.add([1, 0])).toThrow(/2 dimensions, the index 3/);
    expect(() => index.search([1, 0, 0, 0], 1)).toThrow(/4 dimensions/);
    expect(() => index.vector(0)).toThrow(RangeError);
    expect(() => new VectorIndex(0)).toThrow(/positive integer/);
    expect(index.search([1, 0, 0], 5)).toEqual([]);
  });
});

describe('topK', () => {
  it('keeps the k best, ties to the lower row, skipping NaN', () => {
    expect(topK([0.5, 0.9, 0.5, NaN, 0.9, 0.1], 3)).toEqual([
      { row: 1, score: 0.9 },
      { row: 4, score: 0.9 },
      { row: 0, score: 0.5 },
    ]);
    expect(topK([0.2, 0.3], 10).map((h) => h.row)).toEqual([1, 0]);
    expect(topK([0.2, 0.3], 0)).toEqual([]);
  });

  it('agrees with a full sort on many rows', () => {
    const scores = Array.from({ length: 5000 }, (_, i) => Math.round(Math.sin(i * 12.9898) * 1000) / 1000);
    const expected = scores
      .map((score, row) => ({ row, score }))
      .sort((a, b) => b.score - a.score || a.row - b.row)
      .slice(0, 25);
    expect(topK(scores, 25)).toEqual(expected);
  });
});
