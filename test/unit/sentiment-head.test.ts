import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BGE_SMALL_EN_V15_Q, cachedModelFiles, DEFAULT_MODELS_DIR, loadEmbeddedEmbedder } from '../../src/brain/embeddings';
import { EmbeddedSentimentAnalyzer, SentimentHead } from '../../src/brain/sentiment';
import { sentimentWeightsPath } from '../../src/brain/sentiment/head';

describe('SentimentHead weights', () => {
  it('apply only to the encoder they were trained on, and a malformed file is ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sentiment-head-'));
    writeFileSync(sentimentWeightsPath('enc-a', dir), JSON.stringify({ encoder: 'enc-b', dimensions: 2, rows: [[1, 0, 0], [0, 0, 0], [-1, 0, 0]] }));
    writeFileSync(sentimentWeightsPath('enc-c', dir), JSON.stringify({ encoder: 'enc-c', dimensions: 2, rows: [[1, 0]] }));
    expect(SentimentHead.forEncoder('enc-a', dir)).toBeUndefined();
    expect(SentimentHead.forEncoder('enc-c', dir)).toBeUndefined();
    expect(SentimentHead.forEncoder('unknown', dir)).toBeUndefined();
  });

  it('reads polarity as P(positive) − P(negative)', () => {
    const head = new SentimentHead({ encoder: 'e', dimensions: 2, rows: [[4, 0, 0], [0, 0, 0], [-4, 0, 0]] });
    expect(head.polarity(Float32Array.from([1, 0]))).toBeLessThan(-0.9);
    expect(head.polarity(Float32Array.from([-1, 0]))).toBeGreaterThan(0.9);
  });
});

const prepared = cachedModelFiles(BGE_SMALL_EN_V15_Q, DEFAULT_MODELS_DIR) !== undefined;
(prepared ? describe : describe.skip)('the committed head for bge-small-en-v1.5', () => {
  it('reads complaints negative and praise positive from the shared query vector, with the rule cues kept', async () => {
    const embedder = (await loadEmbeddedEmbedder({ prepare: false, log: () => undefined }))!;
    expect(SentimentHead.forEncoder(embedder.id)).toBeDefined();
    const analyzer = new EmbeddedSentimentAnalyzer({ embedder });
    const complaint = "I'm furious, my package still hasn't arrived and nobody answers";
    const [vector] = await embedder.embedQueries!([complaint]);
    expect(await analyzer.analyze(complaint, vector)).toMatchObject({ label: 'negative', urgent: true });
    expect((await analyzer.analyze(complaint, vector)).cues.length).toBeGreaterThan(0);
    expect((await analyzer.analyze('Thank you so much, the team was wonderful and fixed it in minutes')).label).toBe('positive');
    expect((await analyzer.analyze('Do you ship to Canada?')).label).toBe('neutral');
  }, 60_000);
});
