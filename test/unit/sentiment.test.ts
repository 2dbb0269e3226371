import { EmbeddedSentimentAnalyzer, normalizeMessage } from '../../src/brain/sentiment';
import type { Embedder } from '../../knowledge/embedder';

const analyzer = new EmbeddedSentimentAnalyzer();
const read = (text: string) => analyzer.analyze(text);

describe('EmbeddedSentimentAnalyzer', () => {
  it('reads the issue example as negative, frustrated and urgent, and says why', async () => {
    const r = await read("I'm furious — my package still hasn't arrived");
    expect(r.label).toBe('negative');
    expect(r.urgent).toBe(true);
    expect(r.frustration).toBeGreaterThanOrEqual(0.7);
    expect(r.score).toBeLessThan(-0.5);
    expect(r.cues).toEqual(expect.arrayContaining(['furious', "still hasn't arrived"]));
  });

  it.each([
    "I was charged twice for my order",
    'My refund still has not come through',
    "Where is my order? It's been two weeks.",
    'This is the third time I am writing to you and nobody answers',
    'Your website is down and I cannot check in',
    'Great, thanks for the 3 hour delay',
  ])('reads a complaint without emotion words as negative: %s', async (text) => {
    expect((await read(text)).label).toBe('negative');
  });

  it.each([
    'Can I change the delivery address for my order?',
    'What are your opening hours on Saturday?',
    'Do you ship to Canada?',
    'Please help me reset my password',
    "Hi, I'd like to return a jacket",
  ])('reads a calm question or request as neutral: %s', async (text) => {
    const r = await read(text);
    expect(r.label).toBe('neutral');
    expect(r.urgent).toBe(false);
    expect(r.frustration).toBeLessThan(0.2);
  });

  it.each(['Thanks so much, that fixed it!', 'Thank you for the quick reply', 'No problem, thanks', 'Love the new app 😍'])(
    'reads thanks and praise as positive with no frustration: %s',
    async (text) => {
      const r = await read(text);
      expect(r.label).toBe('positive');
      expect(r.frustration).toBe(0);
    },
  );

  it('handles negation', async () => {
    expect((await read('I am not happy with this at all')).label).toBe('negative');
    expect((await read('Not bad at all, the courier was quick')).label).toBe('positive');
    expect((await read('No problem at all')).label).not.toBe('negative');
  });

  it('rates repeated contact, caps and "!!!" as more frustrated than a first report', async () => {
    const first = await read('My parcel has not arrived');
    const again = await read('My parcel has STILL NOT arrived, I have asked three times!!!');
    expect(again.frustration).toBeGreaterThan(first.frustration);
    expect(again.cues).toEqual(expect.arrayContaining(['ALL CAPS']));
  });

  it('flags time pressure and harm as urgent', async () => {
    for (const text of [
      'Someone used my card without permission, block it asap',
      'My flight leaves in 2 hours and I have no boarding pass',
      'URGENT: locked out of my account',
    ]) {
      const r = await read(text);
      expect({ text, urgent: r.urgent }).toEqual({ text, urgent: true });
    }
  });

  it('ignores @handles, links and HTML entities', async () => {
    expect(normalizeMessage('@LoveAir my bag &amp; coat are lost http://t.co/x #fail')).toBe('my bag & coat are lost fail');
    const r = await read('@LoveAir @BestCo thanks &amp; see you soon https://example.com/love');
    expect(r.cues).not.toContain('love');
    expect(r.label).toBe('positive');
  });

  it('is deterministic and keeps the reading in range', async () => {
    const text = 'WHY is my order delayed AGAIN?! This is ridiculous';
    const [a, b] = [await read(text), await read(text)];
    expect(a).toEqual(b);
    expect(a.score).toBeGreaterThanOrEqual(-1);
    expect(a.score).toBeLessThanOrEqual(1);
    expect(a.frustration).toBeGreaterThan(0.5);
    expect(a.label).toBe('negative');
  });

  describe('with an embedder', () => {
    // A stand-in for MiniLM: hashed bag of words, L2-normalised. Enough for the example sentences to separate.
    const DIMS = 64;
    const bagOfWords: Embedder = {
      id: 'test-bow',
      dimensions: DIMS,
      embed: async (texts) =>
        texts.map((text) => {
          const v = new Float32Array(DIMS);
          for (const w of text.toLowerCase().match(/[a-z']+/g) ?? []) {
            let h = 0;
            for (const c of w) h = (h * 31 + c.charCodeAt(0)) >>> 0;
            v[h % DIMS]! += 1;
          }
          const norm = Math.hypot(...v) || 1;
          return v.map((x) => x / norm);
        }),
    };

    it('blends the embedding model into the score, and keeps the rules for frustration, urgency and cues', async () => {
      const embed = jest.spyOn(bagOfWords, 'embed');
      const analyzer = new EmbeddedSentimentAnalyzer({ embedder: bagOfWords });
      const text = "I'm furious — my package still hasn't arrived";
      const [blended, rules] = [await analyzer.analyze(text), await read(text)];
      expect(embed).toHaveBeenCalled();
      expect(blended.score).not.toBe(rules.score);
      expect(blended.label).toBe('negative');
      expect({ ...blended, score: 0 }).toEqual({ ...rules, score: 0 });
      expect((await analyzer.analyze('Thank you so much for your help today, the crew was amazing')).label).toBe('positive');
      embed.mockRestore();
    });

    it('falls back to the rules when the embedder fails, and says so once', async () => {
      const failing: Embedder = { id: 'broken', dimensions: 2, embed: () => Promise.reject(new Error('model gone')) };
      const errors: unknown[] = [];
      const analyzer = new EmbeddedSentimentAnalyzer({ embedder: failing, onEmbeddingError: (err) => errors.push(err) });
      const text = 'my package still has not arrived';
      expect(await analyzer.analyze(text)).toEqual(await read(text));
      expect(await analyzer.analyze(text)).toEqual(await read(text));
      expect(errors).toHaveLength(1);
    });
  });
});

describe('with the embedded MiniLM model', () => {
  it('reads plain support questions as neutral and keeps complaints negative', async () => {
    const { loadEmbeddedEmbedder } = require('../../src/brain/embeddings') as typeof import('../../src/brain/embeddings');
    const { MINILM_L6_V2_Q } = require('../../src/brain/embeddings') as typeof import('../../src/brain/embeddings');
    const embedder = await loadEmbeddedEmbedder({ spec: MINILM_L6_V2_Q, prepare: false, log: () => undefined });
    expect(embedder?.id).toBe('minilm-l6-v2-q');
    const analyzer = new EmbeddedSentimentAnalyzer({ embedder: embedder! });
    for (const question of ['which warehouse do Canadian orders come from', 'Can I change the delivery address for my order?', 'Do you ship to Canada?']) {
      expect((await analyzer.analyze(question)).label).toBe('neutral');
    }
    expect(await analyzer.analyze("I'm furious — my package still hasn't arrived")).toMatchObject({ label: 'negative', urgent: true });
  }, 30_000);
});
