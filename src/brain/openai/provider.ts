import { APIConnectionError, APIConnectionTimeoutError, type OpenAI } from 'openai';
import type { z } from 'zod';

import { estimateTokens, TokenBudget } from './budget';
import { CircuitBreaker, classifyFailure, InvalidResponseError, ModelRefusal, type WarnLogger } from './fallback';
import { createOpenAIClient, DEFAULTS, type OpenAIProviderOptions } from './options';

export interface ChatJsonRequest<T> {
  /** json_schema name (letters, digits, _ and -). */
  name: string;
  /** Strict JSON schema: every property required, additionalProperties false. */
  schema: Record<string, unknown>;
  /** Validates and narrows what the model returned; unknown keys are dropped. */
  validate: z.ZodType<T>;
  system: string;
  user: string;
  maxTokens: number;
}

export interface ChatJsonResult<T> {
  value: T;
  /** The raw JSON text, for leak checks over every field. */
  raw: string;
}

/**
 * One client, one budget, one breaker for all parts, and the guarded call they share: breaker check → budget
 * reservation → request (SDK timeout and retries) → budget settlement → JSON parse → schema validation.
 */
export class OpenAIProvider {
  readonly client: OpenAI;
  readonly budget: TokenBudget;
  readonly breaker: CircuitBreaker;

  constructor(
    readonly options: OpenAIProviderOptions,
    readonly logger: WarnLogger,
    deps: { client?: OpenAI; budget?: TokenBudget; breaker?: CircuitBreaker } = {},
  ) {
    this.client = deps.client ?? createOpenAIClient(options);
    this.budget = deps.budget ?? new TokenBudget(options.tokenBudget);
    this.breaker =
      deps.breaker ??
      new CircuitBreaker(options.breakerThreshold ?? DEFAULTS.breakerThreshold, options.breakerCooldownMs ?? DEFAULTS.breakerCooldownMs);
  }

  async chatJson<T>(request: ChatJsonRequest<T>): Promise<ChatJsonResult<T>> {
    const field = this.options.maxTokensField ?? 'max_completion_tokens';
    const body: OpenAI.Chat.ChatCompletionCreateParamsNonStreaming = {
      model: this.options.chatModel,
      messages: [
        { role: 'system', content: request.system },
        { role: 'user', content: request.user },
      ],
      response_format: { type: 'json_schema', json_schema: { name: request.name, strict: true, schema: request.schema } },
      [field]: request.maxTokens,
      ...(this.options.temperature !== undefined ? { temperature: this.options.temperature } : {}),
    };
    const completion = await this.guarded(estimateTokens([request.system, request.user]) + request.maxTokens, async () => {
      const c = await this.client.chat.completions.create(body);
      return { result: c, totalTokens: c.usage?.total_tokens };
    });

    const choice = completion.choices?.[0];
    if (!choice) throw new InvalidResponseError('no choices in the completion');
    if (choice.message?.refusal) throw new ModelRefusal('the model refused');
    if (choice.finish_reason === 'length') throw new InvalidResponseError('output truncated at the token bound');
    const raw = choice.message?.content;
    if (typeof raw !== 'string' || raw.trim() === '') throw new InvalidResponseError('empty content');
    let parsed: unknown;
    try {
      parsed = JSON.parse(stripFences(raw));
    } catch {
      throw new InvalidResponseError('content is not JSON');
    }
    const checked = request.validate.safeParse(parsed);
    if (!checked.success) throw new InvalidResponseError(`content does not match ${request.name}: ${checked.error.issues[0]?.message ?? ''}`);
    return { value: checked.data, raw };
  }

  /**
   * Breaker and budget around one provider call. The breaker counts transport failures (timeouts, 5xx, 429 after
   * the SDK's retries); the budget is settled from the usage the server reports and released when the call fails.
   */
  async guarded<R>(estimate: number, call: () => Promise<{ result: R; totalTokens: number | undefined }>): Promise<R> {
    this.breaker.check();
    const reservation = this.budget.reserve(estimate);
    const started = Date.now();
    try {
      const { result, totalTokens } = await call();
      this.budget.settle(reservation, totalTokens);
      this.breaker.success();
      return result;
    } catch (caught) {
      const err = asTimeout(caught, Date.now() - started, this.options.timeoutMs);
      this.budget.release(reservation);
      this.breaker.failure(classifyFailure(err));
      throw err;
    }
  }
}

/**
 * The SDK reports a timeout as APIConnectionTimeoutError only when the fetch implementation's abort error is
 * recognisable (not across realms, e.g. under jest, nor on some runtimes); a connection error that came after the
 * full per-attempt timeout is a timeout.
 */
function asTimeout(err: unknown, elapsedMs: number, timeoutMs: number): unknown {
  if (err instanceof APIConnectionError && !(err instanceof APIConnectionTimeoutError) && elapsedMs >= timeoutMs) {
    return new APIConnectionTimeoutError({ message: `Request timed out after ${elapsedMs} ms` });
  }
  return err;
}

/** Some compatible servers wrap JSON in a ```json fence despite response_format. */
function stripFences(text: string): string {
  const m = /^\s*```(?:json)?\s*([\s\S]*?)\s*```\s*$/.exec(text);
  return m ? m[1]! : text;
}
