import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { OpenAIProviderOptions } from '../../src/brain/openai/options';

/**
 * A local OpenAI-compatible server for tests, on 127.0.0.1 with an ephemeral port. The real `openai` SDK talks to
 * it through `baseURL`. It checks the bearer token, records every request (so tests can assert exactly what left
 * the process), answers chat completions with a per-test handler (default: deterministic JSON filling the
 * requested json_schema, keyed by the last user message) and embeddings with hash-based vectors (base64
 * little-endian float32 unless `encoding_format: 'float'`), and plays scripted failures first.
 */

export interface PeerRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: any;
  /** What the peer did with it. */
  outcome: 'ok' | 'unauthorized' | `failure:${string}`;
}

export type PeerFailure =
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: unknown; path?: string }
  /** Accept the request and never answer it (until the test stops the peer): the client's timeout fires. */
  | { kind: 'hang'; path?: string }
  /** 200 with a body that is not what was asked (e.g. content that is not JSON). */
  | { kind: 'content'; content: string; path?: string };

export interface ChatHandlerInput {
  body: any;
  lastUserMessage: string;
  systemMessage: string;
  /** The json_schema the request asked for, if any. */
  schema: Record<string, any> | undefined;
}

/** A string is sent as message content; an object is JSON-encoded as content; `{refusal}` sets message.refusal. */
export type ChatHandler = (input: ChatHandlerInput) => string | object | { refusal: string } | undefined;

export class OpenAIPeer {
  readonly requests: PeerRequest[] = [];
  apiKey = 'sk-test-peer';
  /** Length of the vectors /v1/embeddings returns. */
  embeddingDimensions = 32;
  /** Simulates servers that ignore encoding_format and always send number arrays. */
  ignoreEncodingFormat = false;
  /** Whether responses include `usage` (some compatible servers omit it). */
  reportUsage = true;
  private chatHandler: ChatHandler | undefined;
  private failures: PeerFailure[] = [];
  private server: Server | undefined;
  private readonly hung = new Set<ServerResponse>();
  baseURL = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req.method ?? 'GET', req.url ?? '/', req.headers, Buffer.concat(chunks).toString('utf8'), res));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.baseURL = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /** Replaces the chat handler (undefined: back to the default). */
  onChat(handler: ChatHandler | undefined): void {
    this.chatHandler = handler;
  }

  /** Failures are consumed one per matching request, in order, before normal answers resume. */
  fail(...failures: PeerFailure[]): void {
    this.failures.push(...failures);
  }

  reset(): void {
    this.requests.length = 0;
    this.failures = [];
    this.chatHandler = undefined;
    this.ignoreEncodingFormat = false;
    this.reportUsage = true;
    this.embeddingDimensions = 32;
  }

  chatRequests(): PeerRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/chat/completions'));
  }

  embeddingRequests(): PeerRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/embeddings'));
  }

  /** The vector the peer returns for `text`, before any client-side normalisation. */
  vectorFor(text: string): number[] {
    return hashVector(text, this.embeddingDimensions);
  }

  private handle(method: string, url: string, headers: IncomingHttpHeaders, raw: string, res: ServerResponse): void {
    const path = url.split('?')[0]!;
    const record: PeerRequest = { method, path, headers, raw, body: safeJson(raw), outcome: 'ok' };
    this.requests.push(record);

    if (headers.authorization !== `Bearer ${this.apiKey}`) {
      record.outcome = 'unauthorized';
      return json(res, 401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
    const failureIndex = this.failures.findIndex((f) => !f.path || path.endsWith(f.path));
    if (failureIndex >= 0) {
      const failure = this.failures.splice(failureIndex, 1)[0]!;
      if (failure.kind === 'hang') {
        record.outcome = 'failure:hang';
        this.hung.add(res);
        res.on('close', () => this.hung.delete(res));
        return;
      }
      if (failure.kind === 'status') {
        record.outcome = `failure:${failure.status}`;
        return json(res, failure.status, failure.body ?? { error: { message: `injected ${failure.status}`, type: 'server_error' } }, failure.headers);
      }
      record.outcome = 'failure:content';
      return json(res, 200, this.completion(record.body, failure.content));
    }

    if (method === 'POST' && path === '/v1/chat/completions') return this.chat(record.body, res);
    if (method === 'POST' && path === '/v1/embeddings') return this.embeddings(record.body, res);
    json(res, 404, { error: { message: `no route ${method} ${path}`, type: 'invalid_request_error' } });
  }

  private chat(body: any, res: ServerResponse): void {
    const messages: Array<{ role: string; content: unknown }> = Array.isArray(body?.messages) ? body.messages : [];
    const text = (m: { content: unknown } | undefined) => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? ''));
    const lastUserMessage = text([...messages].reverse().find((m) => m.role === 'user'));
    const systemMessage = messages.filter((m) => m.role === 'system' || m.role === 'developer').map(text).join('\n');
    const schema = body?.response_format?.type === 'json_schema' ? body.response_format.json_schema?.schema : undefined;
    const input: ChatHandlerInput = { body, lastUserMessage, systemMessage, schema };
    const answer = this.chatHandler?.(input) ?? defaultAnswer(input);
    if (typeof answer === 'object' && answer !== null && 'refusal' in answer && Object.keys(answer).length === 1) {
      return json(res, 200, this.completion(body, null, (answer as { refusal: string }).refusal));
    }
    json(res, 200, this.completion(body, typeof answer === 'string' ? answer : JSON.stringify(answer)));
  }

  private completion(body: any, content: string | null, refusal: string | null = null): object {
    const prompt = Math.ceil((JSON.stringify(body?.messages ?? '').length || 0) / 4);
    const completion = Math.ceil((content ?? refusal ?? '').length / 4);
    return {
      id: `chatcmpl-${Date.now()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body?.model ?? 'peer',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal }, finish_reason: 'stop', logprobs: null }],
      ...(this.reportUsage ? { usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } } : {}),
    };
  }

  private embeddings(body: any, res: ServerResponse): void {
    const inputs: string[] = typeof body?.input === 'string' ? [body.input] : Array.isArray(body?.input) ? body.input : [];
    if (inputs.some((i) => typeof i !== 'string' || i === '')) {
      return json(res, 400, { error: { message: "'$.input' is invalid", type: 'invalid_request_error' } });
    }
    const dims = typeof body?.dimensions === 'number' ? body.dimensions : this.embeddingDimensions;
    const asFloat = body?.encoding_format === 'float' || this.ignoreEncodingFormat;
    const data = inputs.map((input, index) => {
      const v = hashVector(input, dims);
      return { object: 'embedding', index, embedding: asFloat ? v : Buffer.from(new Float32Array(v).buffer).toString('base64') };
    });
    const tokens = inputs.reduce((n, i) => n + Math.ceil(i.length / 4), 0);
    json(res, 200, {
      object: 'list',
      data,
      model: body?.model ?? 'peer-embed',
      ...(this.reportUsage ? { usage: { prompt_tokens: tokens, total_tokens: tokens } } : {}),
    });
  }
}

/**
 * Bag-of-words hashing: each word adds ±1.5 on a hashed dimension, plus a small per-text signature, so texts sharing
 * words point the same way (usable for retrieval tests) and identical texts give identical vectors. Not unit length.
 */
export function hashVector(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    const h = createHash('sha256').update(word).digest();
    v[h.readUInt32LE(0) % dims]! += h[4]! & 1 ? 1.5 : -1.5;
  }
  const sig = createHash('sha256').update(`sig:${text}`).digest();
  for (let i = 0; i < dims; i++) v[i]! += (sig[i % sig.length]! - 128) / 1024;
  // Round-trips through float32 exactly, so tests can compare decoded vectors with ===.
  return Array.from(new Float32Array(v));
}

/** Fills a JSON schema deterministically from the message: enums pick by hash, strings echo, numbers 0.5. */
function defaultAnswer(input: ChatHandlerInput): string | object {
  if (!input.schema) return `echo: ${input.lastUserMessage.slice(0, 200)}`;
  const seed = createHash('sha256').update(input.lastUserMessage).digest();
  let n = 0;
  const fill = (schema: any): unknown => {
    const pick = seed[n++ % seed.length]!;
    if (Array.isArray(schema?.enum)) return schema.enum[pick % schema.enum.length];
    switch (schema?.type) {
      case 'object':
        return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([k, s]) => [k, fill(s)]));
      case 'array':
        return [];
      case 'number':
      case 'integer':
        return 0.5;
      case 'boolean':
        return false;
      default:
        return `peer-${seed.toString('hex').slice(0, 8)}`;
    }
  };
  return fill(input.schema) as object;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function safeJson(raw: string): any {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Provider options pointing at `peer`, quick to fail: small timeout, no back-off surprises. */
export function peerOptions(peer: OpenAIPeer, overrides: Partial<OpenAIProviderOptions> = {}): OpenAIProviderOptions {
  return {
    apiKey: peer.apiKey,
    baseURL: peer.baseURL,
    chatModel: 'peer-chat',
    embeddingModel: 'peer-embed',
    timeoutMs: 2_000,
    maxRetries: 1,
    tokenBudget: {},
    breakerThreshold: 0,
    ...overrides,
  };
}

/** Collects warn lines instead of printing them. */
export function captureLogger(): { warn(obj: object, msg?: string): void; lines: Array<{ obj: any; msg?: string }> } {
  const lines: Array<{ obj: any; msg?: string }> = [];
  return { lines, warn: (obj, msg) => lines.push({ obj, ...(msg !== undefined ? { msg } : {}) }) };
}

/** Every request body the peer received, concatenated: for "this never left the process" assertions. */
export function everythingSent(peer: OpenAIPeer): string {
  return peer.requests.map((r) => r.raw).join('\n');
}

/**
 * Registers one peer for the enclosing `describe`: started before its tests, stopped after, reset (and given a
 * fresh captured logger) before each. `logger` is read at call time, so use it inside tests, not at describe level.
 */
export function useOpenAIPeer(): { peer: OpenAIPeer; readonly logger: ReturnType<typeof captureLogger> } {
  const peer = new OpenAIPeer();
  let logger = captureLogger();
  beforeAll(() => peer.start());
  afterAll(() => peer.stop());
  beforeEach(() => {
    peer.reset();
    logger = captureLogger();
  });
  return {
    peer,
    get logger() {
      return logger;
    },
  };
}

/** A model's `message_analysis` answer: a calm, in-scope message unless `overrides` say otherwise. */
export function modelAnalysis(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    language: 'en',
    intent: 'returns',
    confidence: 0.9,
    runner_up: 'none',
    runner_up_confidence: 0,
    sentiment: 'neutral',
    sentiment_score: 0,
    frustration: 0,
    urgent: false,
    wants_human: false,
    cues: [],
    ...overrides,
  };
}
