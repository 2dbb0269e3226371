/**
 * Delay before delivery attempt `attempt + 1`: exponential with full jitter (AWS architecture blog's
 * recommendation: spreads a burst of failures instead of retrying them in lockstep), never shorter than what the
 * platform asked for with Retry-After.
 */
export function retryDelayMs(
  attempt: number,
  options: { baseMs: number; maxMs: number; retryAfterMs?: number | undefined },
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(ceiling / 2 + (random() * ceiling) / 2);
  return Math.max(jittered, options.retryAfterMs ?? 0);
}
