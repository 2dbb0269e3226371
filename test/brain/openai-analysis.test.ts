import OpenAI from 'openai';

import type { Analysis, Analyzer } from '../../src/brain/analysis/types';
import { OpenAIAnalyzer, OpenAIProvider, OUT_OF_SCOPE, type OpenAIProviderOptions } from '../../src/brain/openai';
import { peerOptions, useOpenAIPeer } from '../support/openai-peer';

const INTENTS = [{ name: 'order_status', description: 'Where is my order, delivery tracking' }, 'returns', 'payment_problem'];

const EMBEDDED: Analysis = {
  language: 'en',
  intent: { name: 'embedded-intent', confidence: 0.4, outOfScope: false },
  sentiment: { label: 'neutral', score: 0, frustration: 0, urgent: false, cues: [] },
  wantsHuman: false,
  entities: [],
};
const embeddedAnalyzer: Analyzer = { analyze: async () => EMBEDDED };

const MODEL_OK = {
  language: 'de',
  intent: 'order_status',
  confidence: 0.92,
  runner_up: 'returns',
  runner_up_confidence: 0.05,
  sentiment: 'negative',
  sentiment_score: -0.6,
  frustration: 0.7,
  urgent: true,
  wants_human: false,
  cues: ['immer noch nicht da'],
};

describe('OpenAIAnalyzer (structured outputs against a local OpenAI-compatible peer)', () => {
  const fixture = useOpenAIPeer();
  const { peer } = fixture;

  const analyzer = (overrides: Partial<OpenAIProviderOptions> = {}) =>
    new OpenAIAnalyzer(new OpenAIProvider(peerOptions(peer, { languages: ['en', 'de', 'fr'], ...overrides }), fixture.logger), {
      intents: INTENTS,
      fallback: embeddedAnalyzer,
    });

  it('asks for a strict json_schema with the admin intents plus out_of_scope and maps the answer', async () => {
    peer.onChat(() => MODEL_OK);
    const text = 'Wo ist meine Bestellung NW-EU-1048213?? Sie ist immer noch nicht da. Mail: max@example.com';
    const result = await analyzer().analyze(text, { conversationLanguage: 'de' });

    expect(result).toMatchObject({
      provider: 'openai',
      language: 'de',
      intent: { name: 'order_status', confidence: 0.92, outOfScope: false, second: { name: 'returns', confidence: 0.05 } },
      sentiment: { label: 'negative', score: -0.6, frustration: 0.7, urgent: true, cues: ['immer noch nicht da'] },
      wantsHuman: false,
    });
    // Entities are local, from the original text (the model only saw "[EMAIL]").
    expect(result.entities.map((e) => [e.kind, e.value])).toEqual([
      ['order', 'NW-EU-1048213'],
      ['email', 'max@example.com'],
    ]);

    const [request] = peer.chatRequests();
    expect(request!.headers.authorization).toBe(`Bearer ${peer.apiKey}`);
    const format = request!.body.response_format;
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.schema.additionalProperties).toBe(false);
    expect(format.json_schema.schema.properties.intent.enum).toEqual(['order_status', 'returns', 'payment_problem', OUT_OF_SCOPE]);
    expect(format.json_schema.schema.properties.language.enum).toEqual(['en', 'de', 'fr', 'other']);
    expect(Object.keys(format.json_schema.schema.properties)).not.toEqual(expect.arrayContaining(['team']));
    expect(request!.body.max_completion_tokens).toBe(300);

    const [system, user] = request!.body.messages;
    expect(system.role).toBe('system');
    expect(system.content).toContain('order_status: Where is my order, delivery tracking');
    expect(system.content).not.toContain('Bestellung');
    expect(user.role).toBe('user');
    expect(user.content).toMatch(/BEGIN ([0-9a-f]{12}) CUSTOMER MESSAGE\n.*Bestellung NW-EU-1048213.*Mail: \[EMAIL\]\nEND \1 CUSTOMER MESSAGE/s);
    expect(request!.raw).not.toContain('max@example.com');
  });

  it('treats an intent outside the admin list as out of scope, whatever the model claims', async () => {
    peer.onChat(() => ({ ...MODEL_OK, intent: 'vip_refund_override', confidence: 0.99, runner_up: 'hack' }));
    const result = await analyzer().analyze('Give me a refund now', {});
    expect(result.intent).toEqual({ name: OUT_OF_SCOPE, confidence: 0, outOfScope: true });
    expect(result.provider).toBe('openai');
  });

  it('keeps the out_of_scope verdict and its confidence', async () => {
    peer.onChat(() => ({ ...MODEL_OK, intent: 'out_of_scope', confidence: 0.8, runner_up: 'none' }));
    const result = await analyzer().analyze('What is the capital of Peru?', {});
    expect(result.intent).toEqual({ name: OUT_OF_SCOPE, confidence: 0.8, outOfScope: true });
  });

  it('clamps numbers into range and drops an undeclared language for the conversation language', async () => {
    peer.onChat(() => ({ ...MODEL_OK, language: 'other', confidence: 7, sentiment_score: -3, frustration: -1 }));
    const result = await analyzer().analyze('ok', { conversationLanguage: 'fr' });
    expect(result.language).toBe('fr');
    expect(result.intent.confidence).toBe(1);
    expect(result.sentiment.score).toBe(-1);
    expect(result.sentiment.frustration).toBe(0);
  });

  it('falls back to the embedded analyzer on content that is not JSON, and marks it', async () => {
    peer.onChat(() => 'Sure! The intent is order_status.');
    const result = await analyzer().analyze('Where is my order?', {});
    expect(result).toMatchObject({ ...EMBEDDED, provider: 'embedded-fallback', fallbackReason: 'invalid_response' });
    expect(fixture.logger.lines).toHaveLength(1);
    expect(fixture.logger.lines[0]!.obj).toMatchObject({ part: 'analyzer', reason: 'invalid_response' });
  });

  it('falls back on a schema mismatch (a field missing)', async () => {
    const { wants_human: _drop, ...partial } = MODEL_OK;
    peer.onChat(() => partial);
    const result = await analyzer().analyze('Where is my order?', {});
    expect(result).toMatchObject({ provider: 'embedded-fallback', fallbackReason: 'invalid_response' });
  });

  it('uses max_tokens for servers that only know that field', async () => {
    peer.onChat(() => MODEL_OK);
    await analyzer({ maxTokensField: 'max_tokens', maxAnalysisTokens: 123, temperature: 0 }).analyze('hello there', {});
    const body = peer.chatRequests()[0]!.body;
    expect(body.max_tokens).toBe(123);
    expect(body.max_completion_tokens).toBeUndefined();
    expect(body.temperature).toBe(0);
  });

  it('the default peer answer is deterministic per message (a sanity check of the fake itself)', async () => {
    const client = new OpenAI({ apiKey: peer.apiKey, baseURL: peer.baseURL, maxRetries: 0 });
    const ask = () =>
      client.chat.completions.create({
        model: 'x',
        messages: [{ role: 'user', content: 'same words' }],
        response_format: { type: 'json_schema', json_schema: { name: 'n', strict: true, schema: { type: 'object', properties: { a: { type: 'string', enum: ['p', 'q', 'r'] }, b: { type: 'number' } } } } },
      });
    const [a, b] = [await ask(), await ask()];
    expect(JSON.parse(a.choices[0]!.message.content!)).toEqual(JSON.parse(b.choices[0]!.message.content!));
    expect(a.usage!.total_tokens).toBeGreaterThan(0);
  });
});
