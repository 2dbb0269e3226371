import { dot, sigmoid } from './model';

export interface LabelledVector {
  vector: Float32Array;
  /** 1: off-topic, 0: support. */
  label: 0 | 1;
  /** Hand-written examples count more than the many public rows, which come from other domains. */
  weight: number;
}

const ITERATIONS = 400;
const LEARNING_RATE = 4;
const L2 = 1e-4;

/**
 * Class-balanced, weighted logistic regression by full-batch gradient descent from zero: deterministic, so the
 * same vectors give the same committed weights on every machine.
 */
export function trainLogistic(rows: LabelledVector[], dims: number): { weights: number[]; bias: number } {
  const classTotal = [0, 0];
  for (const r of rows) classTotal[r.label]! += r.weight;
  // Each class carries half of the total weight, whatever its row count.
  const scale = rows.map((r) => r.weight / (2 * classTotal[r.label]!));
  const w = new Float64Array(dims);
  let b = 0;
  for (let it = 0; it < ITERATIONS; it++) {
    const grad = new Float64Array(dims);
    let gb = 0;
    rows.forEach((r, n) => {
      const g = (sigmoid(dot(w, r.vector) + b) - r.label) * scale[n]!;
      for (let d = 0; d < dims; d++) grad[d]! += g * r.vector[d]!;
      gb += g;
    });
    for (let d = 0; d < dims; d++) w[d]! -= LEARNING_RATE * (grad[d]! + L2 * w[d]!);
    b -= LEARNING_RATE * gb;
  }
  return { weights: Array.from(w, (v) => Math.round(v * 1e5) / 1e5), bias: Math.round(b * 1e5) / 1e5 };
}
