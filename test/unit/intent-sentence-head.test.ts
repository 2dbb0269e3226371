import { join } from 'node:path';
import { EmbeddedAnalyzer } from '../../src/brain/analysis/embedded-analyzer';
import { loadIntentCatalog } from '../../src/brain/catalog/intents';
import { BGE_SMALL_EN_V15_Q, cachedModelFiles, DEFAULT_MODELS_DIR, loadEmbeddedEmbedder } from '../../src/brain/embeddings';
import { IntentClassifier, type IntentExample } from '../../src/brain/intent/classifier';
import { EmbeddedSentimentAnalyzer } from '../../src/brain/sentiment';

const examples: IntentExample[] = Object.entries({
  refund: ['i want my money back', 'refund my order please', 'how do i get a refund', 'can you refund me', 'money back for this item'],
  tracking: ['where is my parcel', 'track my package', 'my delivery has not arrived', 'tracking number please', 'where is my order now'],
}).flatMap(([label, texts]) => texts.map((text) => ({ text, label })));

/** Unit vector along axis `axis` of a 4-d space: stands in for an encoder whose space separates the two intents. */
const axis = (i: number) => Float32Array.from([0, 1, 2, 3], (d) => (d === i ? 1 : 0));

describe('IntentClassifier with sentence vectors', () => {
  const vectors = examples.map((e) => axis(e.label === 'refund' ? 0 : 1));

  it('reads the vector beside the lexical features and measures the nearest training example', () => {
    const model = IntentClassifier.train(examples, {}, vectors);
    expect(model.usesSentenceVectors).toBe(true);
    // "please" alone is lexically ambiguous; the vector settles it.
    expect(model.predict('please', axis(0)).label).toBe('refund');
    expect(model.predict('please', axis(1)).label).toBe('tracking');
    expect(model.nearestSimilarity(axis(1))).toBeCloseTo(1, 5);
    expect(model.nearestSimilarity(axis(2))).toBeCloseTo(0, 5);
    expect(model.nearestSimilarity(axis(1), 'tracking')).toBeCloseTo(0, 5);
  });

  it('refuses vectors that do not match the examples, and has no similarity without vectors', () => {
    expect(() => IntentClassifier.train(examples, {}, vectors.slice(1))).toThrow(/9 vectors for 10 examples/);
    expect(IntentClassifier.train(examples).nearestSimilarity(axis(0))).toBe(-1);
  });
});

const prepared = cachedModelFiles(BGE_SMALL_EN_V15_Q, DEFAULT_MODELS_DIR) !== undefined;
(prepared ? describe : describe.skip)('EmbeddedAnalyzer with the shared encoder (bge-small-en-v1.5)', () => {
  const intents = loadIntentCatalog(join(__dirname, '..', '..', 'knowledge', 'intents'));

  it('embeds the message once with embedQueries, exposes the vector and classifies with it', async () => {
    const embedder = (await loadEmbeddedEmbedder({ prepare: false, log: () => undefined }))!;
    const errors: unknown[] = [];
    const analyzer = new EmbeddedAnalyzer(intents, new EmbeddedSentimentAnalyzer(), { intentMinConfidence: 0.5, embedder, onEmbeddingError: (e) => errors.push(e) });
    await analyzer.prepare();
    const text = 'the blender I bought stopped working after three months, is it covered?';
    const analysis = await analyzer.analyze(text, {});
    const [query] = await embedder.embedQueries!([text]);
    expect(Array.from(analysis.vector!)).toEqual(Array.from(query!));
    expect(analysis.intent).toMatchObject({ name: 'warranty_claim', outOfScope: false });
    expect((await analyzer.analyze('what is the capital of france', {})).intent.outOfScope).toBe(true);
    expect(errors).toEqual([]);
  }, 60_000);

  it('without an encoder stays lexical-only and exposes no vector', async () => {
    const analyzer = new EmbeddedAnalyzer(intents, new EmbeddedSentimentAnalyzer(), { intentMinConfidence: 0.5 });
    await analyzer.prepare();
    const analysis = await analyzer.analyze('you charged my card two times', {});
    expect(analysis.vector).toBeUndefined();
    expect(analysis.intent.name).toBe('payment_problem');
  });
});
