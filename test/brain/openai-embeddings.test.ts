import OpenAI from 'openai';

import { createOpenAIEmbedder, EmbeddingUnavailableError, OpenAIEmbedder, OpenAIProvider, type OpenAIProviderOptions } from '../../src/brain/openai';
import { everythingSent, peerOptions, useOpenAIPeer } from '../support/openai-peer';

const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const norm = (v: Float32Array) => Math.hypot(...Array.from(v));

describe('OpenAIEmbedder against a local OpenAI-compatible peer', () => {
  const fixture = useOpenAIPeer();
  const { peer } = fixture;

  const provider = (overrides: Partial<OpenAIProviderOptions> = {}) => new OpenAIProvider(peerOptions(peer, overrides), fixture.logger);

  it('the SDK default asks for base64 and decodes little-endian float32: the peer answers accordingly', async () => {
    const client = new OpenAI({ apiKey: peer.apiKey, baseURL: peer.baseURL, maxRetries: 0 });
    const base64 = await client.embeddings.create({ model: 'peer-embed', input: ['where is my parcel'] });
    expect(peer.embeddingRequests()[0]!.body.encoding_format).toBe('base64');
    expect(base64.data[0]!.embedding).toEqual(peer.vectorFor('where is my parcel'));

    const float = await client.embeddings.create({ model: 'peer-embed', input: ['where is my parcel'], encoding_format: 'float' });
    expect(peer.embeddingRequests()[1]!.body.encoding_format).toBe('float');
    expect(float.data[0]!.embedding).toEqual(peer.vectorFor('where is my parcel'));
  });

  it('probes unknown models for their length, names the space openai:<model>, decodes base64 and L2-normalises', async () => {
    const embedder = (await createOpenAIEmbedder(provider()))!;
    expect(embedder.id).toBe('openai:peer-embed');
    expect(embedder.dimensions).toBe(32);

    const texts = ['How do I return shoes?', 'Shipping to Austria'];
    const vectors = await embedder.embed(texts);
    const request = peer.embeddingRequests().at(-1)!;
    expect(request.body).toMatchObject({ model: 'peer-embed', input: texts, encoding_format: 'base64' });
    expect(vectors).toHaveLength(2);
    vectors.forEach((v, i) => {
      expect(v).toBeInstanceOf(Float32Array);
      expect(norm(v)).toBeCloseTo(1, 5);
      Array.from(v).forEach((x, j) => expect(x).toBeCloseTo(unit(peer.vectorFor(texts[i]!))[j]!, 5));
    });
  });

  it('accepts number arrays from servers that ignore encoding_format', async () => {
    peer.ignoreEncodingFormat = true;
    const embedder = new OpenAIEmbedder(provider(), 'peer-embed', 32);
    const [v] = await embedder.embed(['refund status']);
    // Asked for base64, got number arrays: decoded all the same.
    expect(peer.embeddingRequests()[0]!.body.encoding_format).toBe('base64');
    Array.from(v!).forEach((x, j) => expect(x).toBeCloseTo(unit(peer.vectorFor('refund status'))[j]!, 5));
  });

  it('batches, keeps the order, and replaces empty texts', async () => {
    const embedder = new OpenAIEmbedder(provider({ embeddingBatchSize: 2 }), 'peer-embed', 32);
    const texts = ['one', 'two', '', 'four', 'five'];
    const vectors = await embedder.embed(texts);
    expect(peer.embeddingRequests().map((r) => r.body.input)).toEqual([['one', 'two'], [' ', 'four'], ['five']]);
    expect(Array.from(vectors[3]!)).toEqual(Array.from((await embedder.embed(['four']))[0]!));
    expect(vectors).toHaveLength(5);
  });

  it('sends configured dimensions and names the space with them; known OpenAI models need no probe', async () => {
    const shortened = (await createOpenAIEmbedder(provider({ embeddingDimensions: 8 })))!;
    expect(shortened.id).toBe('openai:peer-embed@8');
    const [v] = await shortened.embed(['hello']);
    expect(v).toHaveLength(8);
    expect(peer.embeddingRequests()[0]!.body.dimensions).toBe(8);

    peer.reset();
    const known = (await createOpenAIEmbedder(provider({ embeddingModel: 'text-embedding-3-small' })))!;
    expect(known.dimensions).toBe(1536);
    expect(peer.requests).toHaveLength(0);
  });

  it('redacts personal data in texts sent for embedding', async () => {
    const embedder = new OpenAIEmbedder(provider(), 'peer-embed', 32);
    await embedder.embed(['Mail jane.doe@example.com or call +49 30 1234567', 'Card 4111 1111 1111 1111, IBAN DE89 3704 0044 0532 0130 00']);
    expect(peer.embeddingRequests()[0]!.body.input).toEqual(['Mail [EMAIL] or call [PHONE]', 'Card [CARD], IBAN [IBAN]']);
    const sent = everythingSent(peer);
    for (const secret of ['jane.doe@example.com', '1234567', '4111', 'DE89']) expect(sent).not.toContain(secret);
  });

  it('throws a typed, code-tagged error on provider failure instead of mixing in another vector space', async () => {
    const embedder = new OpenAIEmbedder(provider({ maxRetries: 0 }), 'peer-embed', 32);
    peer.fail({ kind: 'status', status: 500 });
    const err = await embedder.embed(['hello']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EmbeddingUnavailableError);
    expect(err).toMatchObject({ code: 'EMBEDDING_UNAVAILABLE', reason: 'server_error' });
    expect(EmbeddingUnavailableError.is(err)).toBe(true);
    expect(fixture.logger.lines[0]!.obj).toMatchObject({ part: 'embedder', reason: 'server_error', status: 500 });
  });

  it('rejects vectors of the wrong length (a model swapped behind the same name)', async () => {
    const embedder = new OpenAIEmbedder(provider(), 'peer-embed', 32);
    peer.embeddingDimensions = 16;
    await expect(embedder.embed(['hello'])).rejects.toMatchObject({ reason: 'invalid_response' });
  });

  it('counts embedding tokens against the budget and stops when it is spent', async () => {
    const p = provider({ tokenBudget: { maxTokensPerDay: 40 } });
    const embedder = new OpenAIEmbedder(p, 'peer-embed', 32);
    await embedder.embed(['a short text']);
    expect(p.budget.usage().today).toBe(3);
    await expect(embedder.embed(['x'.repeat(400)])).rejects.toMatchObject({ reason: 'budget' });
    expect(peer.embeddingRequests()).toHaveLength(1);
  });
});
