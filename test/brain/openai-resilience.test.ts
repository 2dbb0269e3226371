import type { Analysis, Analyzer } from '../../src/brain/analysis/types';
import type { Answerer, Passage } from '../../src/brain/answer/types';
import {
  OpenAIAnalyzer,
  OpenAIAnswerer,
  OpenAIEmbedder,
  OpenAIProvider,
  TokenBudget,
  withConversation,
  type OpenAIProviderOptions,
} from '../../src/brain/openai';
import { everythingSent, modelAnalysis, peerOptions, useOpenAIPeer } from '../support/openai-peer';

const EMBEDDED: Analysis = {
  intent: { name: 'embedded', confidence: 0.5, outOfScope: false },
  sentiment: { label: 'neutral', score: 0, frustration: 0, urgent: false, cues: [] },
  wantsHuman: false,
  entities: [],
};
const embeddedAnalyzer: Analyzer = { analyze: async () => EMBEDDED };
const PASSAGE: Passage = { id: 'kb-returns#1', title: 'Returns', text: 'You can return unworn items within 30 days.', confidence: 0.8 };
const extractive: Answerer = { answer: async (_q, p) => ({ kind: 'answer', text: p[0]!.text, citations: [p[0]!] }) };

const MODEL_ANALYSIS = modelAnalysis();

describe('OpenAI provider resilience: retries, timeouts, fallback, token budget, breaker', () => {
  const fixture = useOpenAIPeer();
  const { peer } = fixture;
  beforeEach(() => {
    peer.onChat(({ schema }) => (schema?.properties?.intent ? MODEL_ANALYSIS : { answer: 'Within 30 days.', citedPassageIds: ['1'], supported: true }));
  });

  const parts = (overrides: Partial<OpenAIProviderOptions> = {}, budget?: TokenBudget) => {
    const provider = new OpenAIProvider(peerOptions(peer, overrides), fixture.logger, budget ? { budget } : {});
    return {
      provider,
      analyzer: new OpenAIAnalyzer(provider, { intents: ['returns'], fallback: embeddedAnalyzer }),
      answerer: new OpenAIAnswerer(provider, { fallback: extractive }),
      embedder: new OpenAIEmbedder(provider, 'peer-embed', 32),
    };
  };

  it('retries after a 429 honouring retry-after-ms, then succeeds', async () => {
    peer.fail({ kind: 'status', status: 429, headers: { 'retry-after-ms': '20' }, body: { error: { message: 'slow down', type: 'rate_limit' } } });
    const started = Date.now();
    const result = await parts({ maxRetries: 2 }).analyzer.analyze('I want to return my shoes', {});
    expect(result).toMatchObject({ provider: 'openai', intent: { name: 'returns' } });
    const attempts = peer.chatRequests();
    expect(attempts.map((r) => r.outcome)).toEqual(['failure:429', 'ok']);
    expect(attempts.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1']);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fixture.logger.lines).toEqual([]);
  });

  it('falls back and marks the answer when the provider hangs past the timeout', async () => {
    peer.fail({ kind: 'hang' });
    const started = Date.now();
    const result = await parts({ timeoutMs: 300, maxRetries: 0 }).answerer.answer('Can I return shoes?', [PASSAGE], { history: [] });
    expect(result).toEqual({ kind: 'answer', text: PASSAGE.text, citations: [PASSAGE], provider: 'embedded-fallback', fallbackReason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(fixture.logger.lines[0]!.obj).toMatchObject({ part: 'answerer', reason: 'timeout' });
  });

  it('falls back after a 500 outlives the retries; the warn line carries the status, never the customer text', async () => {
    peer.fail({ kind: 'status', status: 500, headers: { 'retry-after-ms': '1' } }, { kind: 'status', status: 503, headers: { 'retry-after-ms': '1' } });
    const result = await parts({ maxRetries: 1 }).analyzer.analyze('Please refund jane@example.com', {});
    expect(result).toMatchObject({ ...EMBEDDED, provider: 'embedded-fallback', fallbackReason: 'server_error' });
    expect(peer.chatRequests()).toHaveLength(2);
    expect(fixture.logger.lines).toHaveLength(1);
    expect(fixture.logger.lines[0]!.obj).toMatchObject({ part: 'analyzer', reason: 'server_error', status: 503 });
    expect(JSON.stringify(fixture.logger.lines)).not.toContain('refund');
  });

  it('does not retry a 400, and a wrong key is an auth failure; both fall back', async () => {
    peer.fail({ kind: 'status', status: 400, body: { error: { message: 'response_format json_schema not supported', type: 'invalid_request_error' } } });
    expect(await parts({ maxRetries: 2 }).analyzer.analyze('hi there', {})).toMatchObject({ provider: 'embedded-fallback', fallbackReason: 'client_error' });
    expect(peer.chatRequests()).toHaveLength(1);

    const result = await parts({ apiKey: 'sk-wrong' }).answerer.answer('Can I return shoes?', [PASSAGE], { history: [] });
    expect(result).toMatchObject({ kind: 'answer', provider: 'embedded-fallback', fallbackReason: 'auth' });
    expect(peer.requests.at(-1)!.outcome).toBe('unauthorized');
  });

  it('makes no request once the daily budget is spent, and falls back', async () => {
    const { analyzer, answerer, provider } = parts({ tokenBudget: { maxTokensPerDay: 100 } });
    const result = await analyzer.analyze('I want to return my shoes', {});
    expect(result).toMatchObject({ provider: 'embedded-fallback', fallbackReason: 'budget' });
    expect(await answerer.answer('Can I return shoes?', [PASSAGE], { history: [] })).toMatchObject({ provider: 'embedded-fallback', fallbackReason: 'budget' });
    expect(peer.requests).toHaveLength(0);
    expect(provider.budget.usage().today).toBe(0);
  });

  it('counts usage.total_tokens per conversation, stops that conversation only, and resets the day at UTC midnight', async () => {
    // What one analysis costs, as the peer reports it.
    const probe = parts({ maxAnalysisTokens: 100 });
    await probe.analyzer.analyze('I want to return my shoes', {});
    const cost = probe.provider.budget.usage().today;
    const completion = JSON.stringify(MODEL_ANALYSIS).length / 4;
    expect(cost).toBeGreaterThan(completion);
    peer.requests.length = 0;

    let now = new Date('2026-03-01T23:59:00Z');
    // One call per conversation, two and a half per day.
    const budget = new TokenBudget({ maxTokensPerConversation: Math.floor(cost * 1.5), maxTokensPerDay: Math.floor(cost * 2.5) }, () => now);
    const { analyzer, provider } = parts({ maxAnalysisTokens: 100 }, budget);

    const first = await withConversation('c1', () => analyzer.analyze('I want to return my shoes', {}));
    expect(first.provider).toBe('openai');
    expect(provider.budget.usage('c1').conversation).toBe(cost);
    expect(provider.budget.usage().today).toBe(cost);

    // c1 cannot afford another call; another conversation still can.
    const second = await withConversation('c1', () => analyzer.analyze('I want to return my boots', {}));
    expect(second).toMatchObject({ provider: 'embedded-fallback', fallbackReason: 'budget' });
    expect(peer.chatRequests()).toHaveLength(1);
    expect((await withConversation('c2', () => analyzer.analyze('I want to return my shirt', {}))).provider).toBe('openai');
    expect(peer.chatRequests()).toHaveLength(2);

    // The day is now spent for everyone…
    expect(await withConversation('c3', () => analyzer.analyze('I want to return my socks', {}))).toMatchObject({ fallbackReason: 'budget' });
    expect(peer.chatRequests()).toHaveLength(2);
    // …until the UTC day turns.
    now = new Date('2026-03-02T00:00:01Z');
    expect((await withConversation('c3', () => analyzer.analyze('I want to return my socks', {}))).provider).toBe('openai');
    expect(provider.budget.usage().today).toBe(cost);
  });

  it('counts the estimate when a server reports no usage', async () => {
    peer.reportUsage = false;
    const { analyzer, provider } = parts();
    await analyzer.analyze('I want to return my shoes', {});
    expect(provider.budget.usage().today).toBeGreaterThan(300);
  });

  it('a failed call is not billed', async () => {
    peer.fail({ kind: 'status', status: 500 });
    const { analyzer, provider } = parts({ maxRetries: 0, tokenBudget: { maxTokensPerDay: 10_000 } });
    await analyzer.analyze('I want to return my shoes', {});
    expect(provider.budget.usage().today).toBe(0);
  });

  it('opens the breaker after repeated failures: later calls fall back at once, without a request', async () => {
    peer.fail({ kind: 'status', status: 500 }, { kind: 'status', status: 500 });
    const { analyzer } = parts({ maxRetries: 0, breakerThreshold: 2, breakerCooldownMs: 60_000 });
    await analyzer.analyze('one', {});
    await analyzer.analyze('two', {});
    const third = await analyzer.analyze('three', {});
    expect(third).toMatchObject({ provider: 'embedded-fallback', fallbackReason: 'circuit_open' });
    expect(peer.chatRequests()).toHaveLength(2);
  });

  it('no email, phone, card number or IBAN reaches the provider from any part', async () => {
    const pii = 'I am jane.doe@example.com, call +49 30 1234567 or 0170 9876543. Card 4111 1111 1111 1111, refund to DE89 3704 0044 0532 0130 00.';
    const { analyzer, answerer, embedder } = parts();
    await analyzer.analyze(pii, { conversationLanguage: 'en' });
    await answerer.answer(pii, [{ ...PASSAGE, title: `Contact ${'support@shop.example'}`, text: `${PASSAGE.text} Questions: +49 30 1234567. ${pii}` }], {
      history: [{ author: 'contact', text: pii }, { author: 'agent', text: 'Our IBAN is DE89 3704 0044 0532 0130 00' }],
    });
    await embedder.embed([pii, PASSAGE.text]);

    expect(peer.chatRequests()).toHaveLength(2);
    expect(peer.embeddingRequests()).toHaveLength(1);
    const sent = everythingSent(peer);
    for (const secret of ['jane.doe@example.com', 'support@shop.example', '1234567', '9876543', '4111 1111', '4111111111111111', 'DE89', '370400440532013000']) {
      expect(sent).not.toContain(secret);
    }
    for (const placeholder of ['[EMAIL]', '[PHONE]', '[CARD]', '[IBAN]']) expect(sent).toContain(placeholder);
  });
});
