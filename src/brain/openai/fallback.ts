import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

/** Why the provider's result was not used. Logged, and shown in annotations through `fallbackReason`. */
export type FailureReason =
  | 'timeout'
  | 'connection'
  | 'rate_limited'
  | 'server_error'
  | 'client_error'
  | 'auth'
  | 'budget'
  | 'invalid_response'
  | 'refused'
  | 'circuit_open'
  | 'unknown';

/** Marks where a result came from, so annotations and logs can say "answered by the embedded brain". */
export interface Provenance {
  provider: 'openai' | 'embedded-fallback';
  fallbackReason?: FailureReason;
}

/** The token budget (day or conversation) would be exceeded: no request was made. */
export class BudgetExhaustedError extends Error {
  override readonly name = 'BudgetExhaustedError';
  constructor(readonly scope: 'day' | 'conversation') {
    super(`OpenAI token budget exhausted (${scope})`);
  }
}

/** The server answered, but not with what was asked (not JSON, wrong shape, truncated, wrong vector length). */
export class InvalidResponseError extends Error {
  override readonly name = 'InvalidResponseError';
}

/** The model declined to answer (`message.refusal`, structured outputs' safety refusal). */
export class ModelRefusal extends Error {
  override readonly name = 'ModelRefusal';
}

/** The breaker is open after repeated failures: no request was made. */
export class CircuitOpenError extends Error {
  override readonly name = 'CircuitOpenError';
  constructor() {
    super('OpenAI provider skipped after repeated failures');
  }
}

export function classifyFailure(err: unknown): FailureReason {
  if (err instanceof BudgetExhaustedError) return 'budget';
  if (err instanceof CircuitOpenError) return 'circuit_open';
  if (err instanceof ModelRefusal) return 'refused';
  if (err instanceof InvalidResponseError || err instanceof SyntaxError) return 'invalid_response';
  if (err instanceof APIConnectionTimeoutError) return 'timeout';
  if (err instanceof APIUserAbortError) return 'timeout';
  if (err instanceof APIConnectionError) return 'connection';
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    if (status === 401 || status === 403) return 'auth';
    if (status === 429) return 'rate_limited';
    if (status === 408) return 'timeout';
    if (status >= 500) return 'server_error';
    if (status >= 400) return 'client_error';
  }
  return 'unknown';
}

/** Failures that say the provider is unwell (as opposed to one bad answer or our own budget). */
const TRIPS_BREAKER: ReadonlySet<FailureReason> = new Set(['timeout', 'connection', 'rate_limited', 'server_error', 'auth']);

/**
 * Consecutive-failure breaker: when the provider is down, every message would otherwise wait through
 * (retries + 1) timeouts before falling back. While open, calls fail fast; the first call after the cool-down
 * is a trial, and one success closes it again.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  check(): void {
    if (this.threshold <= 0) return;
    if (this.openUntil > this.now()) throw new CircuitOpenError();
  }

  success(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  failure(reason: FailureReason): void {
    if (this.threshold <= 0 || !TRIPS_BREAKER.has(reason)) return;
    this.failures += 1;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }

  get open(): boolean {
    return this.threshold > 0 && this.openUntil > this.now();
  }
}

export interface WarnLogger {
  warn(obj: object, msg?: string): void;
}

/**
 * Runs the provider call; on any failure logs one warn line (reason and status only, never customer text) and
 * returns the fallback's result instead, marked `provider: 'embedded-fallback'`.
 */
export async function withFallback<T extends object>(
  part: 'analyzer' | 'answerer',
  primary: () => Promise<T>,
  fallback: () => Promise<T>,
  logger: WarnLogger,
): Promise<T & Provenance> {
  try {
    const result = await primary();
    return { ...result, provider: 'openai' };
  } catch (err) {
    const reason = classifyFailure(err);
    logger.warn({ part, reason, ...describe(err) }, `OpenAI ${part} unavailable (${reason}); using the embedded ${part}`);
    const result = await fallback();
    return { ...result, provider: 'embedded-fallback', fallbackReason: reason };
  }
}

/** The status and a bounded message; provider error bodies are not trusted to be free of request content. */
export function describe(err: unknown): { status?: number; error: string } {
  const status = err instanceof APIError ? err.status : undefined;
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { ...(status !== undefined ? { status } : {}), error: message.slice(0, 200) };
}

export function provenanceOf(value: unknown): Provenance | undefined {
  if (value && typeof value === 'object' && 'provider' in value) {
    const p = (value as Provenance).provider;
    if (p === 'openai' || p === 'embedded-fallback') return value as Provenance;
  }
  return undefined;
}
