/** The nearest-rank percentile of ascending `sorted` samples, `fraction` in 0 … 1 (0.99 → p99); 0 when empty. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}
