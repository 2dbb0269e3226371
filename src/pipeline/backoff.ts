import { AdapterError } from '../../adapters/types';

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

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type FailureOutcome =
  | { error: { code: string; message: string }; giveUp: true }
  | { error: { code: string; message: string }; giveUp: false; delayMs: number };

/**
 * What a send failure means for an outbox row on its `attempt`-th try: the error to store (the adapter's code, with
 * the platform's code after a colon) and whether to give up or retry after how long. Errors no adapter typed (a
 * socket reset, a DNS blip) are worth another try. Customer replies and desk posts follow the same rules.
 */
export function afterFailure(err: unknown, attempt: number, policy: RetryPolicy, random: () => number = Math.random): FailureOutcome {
  const adapterError = err instanceof AdapterError ? err : undefined;
  const error = {
    code: adapterError?.options.platformCode ? `${adapterError.code}:${adapterError.options.platformCode}` : (adapterError?.code ?? 'network_error'),
    message: err instanceof Error ? err.message : String(err),
  };
  const retryable = adapterError ? adapterError.retryable : true;
  if (!retryable || attempt >= policy.maxAttempts) return { error, giveUp: true };
  const delayMs = retryDelayMs(attempt, { baseMs: policy.baseDelayMs, maxMs: policy.maxDelayMs, retryAfterMs: adapterError?.retryAfterMs }, random);
  return { error, giveUp: false, delayMs };
}
