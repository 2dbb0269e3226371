/**
 * @jest-environment ./test/setup/node-typed-arrays-environment.ts
 */
// The typed-arrays environment: the real ONNX model runs in here (see the environment's header).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KnowledgeChunk } from '../../knowledge/chunk';
import type { Embedder } from '../../knowledge/embedder';
import { confident, DEFAULT_MIN_CONFIDENCE, embeddingTexts, HybridRetriever, splitLongChunks, splitSentences } from '../../knowledge/hybrid';
import { loadMarkdownFolder } from '../../knowledge/load';
import { KeywordRetriever } from '../../knowledge/retriever';
import { EmbeddedEmbedder } from '../../src/brain/embeddings/embedded-embedder';
import { loadEmbeddedEmbedder } from '../../src/brain/embeddings';
import { cachedModelFiles, prepareModel } from '../../src/brain/embeddings/model-files';

function chunk(id: string, heading: string, text: string, docId = id.split('#')[0]!): KnowledgeChunk {
  return { id, docId, docTitle: docId, heading, title: `${docId} › ${heading}`, text };
}

const CHUNKS: KnowledgeChunk[] = [
  chunk('shipping#delays', 'My package is late', 'Parcels can be delayed by the carrier. If tracking has not moved for 5 days, contact us.'),
  chunk('returns#refund', 'When will I get my money back?', 'Refunds reach your card 5 to 10 days after we receive the return.'),
  chunk('payments#methods', 'Payment methods', 'We accept Visa, Mastercard, PayPal and Klarna.'),
];

/**
 * A toy embedder: words hashed into 32 dimensions, with a few synonyms folded together so "parcel" meets "package".
 * Deterministic, counts the texts it embeds.
 */
class ToyEmbedder implements Embedder {
  readonly id = 'toy';
  readonly dimensions = 32;
  embedded: string[] = [];
  private static readonly SYNONYMS: Record<string, string> = { parcel: 'package', parcels: 'package', late: 'delayed', cash: 'money' };

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.embedded.push(...texts);
    return texts.map((text) => {
      const v = new Float32Array(this.dimensions);
      for (const raw of text.toLowerCase().match(/[a-z]+/g) ?? []) {
        const word = ToyEmbedder.SYNONYMS[raw] ?? raw;
        let h = 7;
        for (const ch of word) h = (h * 31 + ch.charCodeAt(0)) % 1_000_003;
        v[h % this.dimensions]! += 1;
      }
      const norm = Math.hypot(...v) || 1;
      return v.map((x) => x / norm);
    });
  }
}

describe('HybridRetriever without an embedder', () => {
  it('is the keyword retriever, with word coverage as confidence', async () => {
    const hybrid = await HybridRetriever.create(CHUNKS);
    const keyword = new KeywordRetriever(CHUNKS);
    expect(hybrid.semantic).toBe(false);
    for (const query of ['how do I pay with paypal', 'refund to my card', 'kayaks']) {
      const hits = await hybrid.search(query, 3);
      expect(hits.map((h) => [h.chunk.id, h.score, h.coverage, h.confidence])).toEqual(
        keyword.search(query, 3).map((h) => [h.chunk.id, h.score, h.coverage, h.coverage]),
      );
    }
  });
});

describe('HybridRetriever with an embedder', () => {
  it('embeds every view once and ranks by meaning as well as words', async () => {
    const embedder = new ToyEmbedder();
    const retriever = await HybridRetriever.create(CHUNKS, { embedder });
    expect(retriever.semantic).toBe(true);
    expect(retriever.embedderId).toBe('toy');
    expect(embedder.embedded).toEqual(CHUNKS.flatMap(embeddingTexts));
    const [best] = await retriever.search('my parcel is delayed', 3);
    expect(best!.chunk.id).toBe('shipping#delays');
    expect(best!.confidence).toBeGreaterThan(0);
    expect(best!.confidence).toBeLessThanOrEqual(1);
  });

  it('uses precomputed vectors, embeds only what is missing, and ignores vectors of another embedder', async () => {
    const first = await HybridRetriever.create(CHUNKS, { embedder: new ToyEmbedder() });
    const stored = first.chunkVectors();
    expect(stored.map((v) => v.length)).toEqual(CHUNKS.map((c) => embeddingTexts(c).length * 32));

    const embedder = new ToyEmbedder();
    const passageOnly = stored[1]!.slice(0, 32);
    const second = await HybridRetriever.create(CHUNKS, { embedder, vectors: [stored[0], passageOnly, undefined], vectorsEmbedderId: 'toy' });
    // Chunk 0 fully precomputed, chunk 1 all but its passage, chunk 2 everything.
    expect(embedder.embedded).toEqual([...embeddingTexts(CHUNKS[1]!).slice(1), ...embeddingTexts(CHUNKS[2]!)]);
    expect(second.chunkVectors()).toEqual(stored);
    expect(await second.search('money back on my card', 2)).toEqual(await first.search('money back on my card', 2));

    const other = new ToyEmbedder();
    await HybridRetriever.create(CHUNKS, { embedder: other, vectors: stored, vectorsEmbedderId: 'another-model' });
    expect(other.embedded).toHaveLength(CHUNKS.flatMap(embeddingTexts).length);
  });

  it('returns at most one hit per answer unit, its best chunk', async () => {
    const chunks = [
      chunk('guide~1', 'Guide', 'Our returns window is 30 days from delivery.', 'guide'),
      chunk('guide~2', 'Guide', 'Returns are free within the EU.', 'guide'),
      chunk('faq', 'FAQ', 'We ship worldwide.', 'faq'),
    ];
    const retriever = await HybridRetriever.create(chunks, { embedder: new ToyEmbedder(), unitOf: (c) => c.docId });
    const hits = await retriever.search('are returns free', 5);
    expect(hits.map((h) => h.chunk.docId)).toEqual(['guide', 'faq']);
    expect(hits[0]!.chunk.id).toBe('guide~2');
  });
});

describe('passages', () => {
  it('splits sentences and list items, joining fragments', () => {
    expect(splitSentences('Hello. We ship to 30 countries. Parcels are tracked by DHL.\n- Free returns within 30 days\n- Or not.')).toEqual([
      'Hello. We ship to 30 countries.',
      'Parcels are tracked by DHL.',
      'Free returns within 30 days Or not.',
    ]);
  });

  it('splits long documents into passages of the same document', () => {
    const paragraph = (n: number) => Array.from({ length: 60 }, (_, i) => `word${n}x${i}`).join(' ') + '.';
    const doc = chunk('guide', 'Guide', [1, 2, 3, 4].map(paragraph).join('\n\n'));
    const parts = splitLongChunks([doc], 150);
    expect(parts.map((p) => p.id)).toEqual(['guide', 'guide~2']);
    expect(parts.every((p) => p.docId === 'guide' && p.title === doc.title)).toBe(true);
    expect(parts.map((p) => p.text).join('\n\n')).toBe(doc.text);
    expect(splitLongChunks(CHUNKS)).toEqual(CHUNKS);
  });
});

// Prepared by `npm install` / scripts/prepare-models.sh (any machine that runs the store's tests has Maven): these
// tests require it rather than skip, so a missing model is a failure, not a silently smaller suite.
const modelFiles = cachedModelFiles();

describe('the embedded model (all-MiniLM-L6-v2 int8)', () => {
  it('is prepared', () => {
    expect(modelFiles ? 'prepared' : 'missing: run bash scripts/prepare-models.sh').toBe('prepared');
  });

  let embedder: EmbeddedEmbedder;
  let demo: HybridRetriever;

  beforeAll(async () => {
    embedder = await EmbeddedEmbedder.load(modelFiles!);
    demo = await HybridRetriever.create(await loadMarkdownFolder(path.join(__dirname, '../../knowledge/demo')), { embedder });
  }, 120_000);

  afterAll(async () => {
    await embedder?.close();
  });

  it('produces deterministic unit vectors of 384 dimensions', async () => {
    const [a, b, c] = await embedder.embed(['Where is my parcel?', 'Where is my parcel?', 'How do I reset my password?']);
    expect(embedder.id).toBe('minilm-l6-v2-q');
    expect(a).toHaveLength(384);
    expect(Math.hypot(...a!)).toBeCloseTo(1, 4);
    expect(b).toEqual(a);
    const cos = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    const [paraphrase] = await embedder.embed(['my package has not arrived yet']);
    expect(cos(a!, paraphrase!)).toBeGreaterThan(cos(a!, c!) + 0.2);
  });

  it('finds the shipping-delay section for "my parcel hasn\'t come" (no shared words)', async () => {
    const [best] = await demo.search("my parcel hasn't come", 3);
    expect(best!.chunk.id).toBe('shipping#my-package-hasnt-arrived-or-the-tracking-hasnt-moved-for-days-is-it-lost');
  });

  it('answers paraphrased questions the keyword retriever misses, and abstains off-topic', async () => {
    const [refund] = await demo.search('how long till I see the cash back on my card after a return', 3);
    expect(refund!.chunk.id).toBe('returns#when-will-i-get-my-money-back');
    const [joke] = await demo.search('tell me a joke', 3);
    expect(confident(joke, DEFAULT_MIN_CONFIDENCE)).toBe(false);
    const [paypal] = await demo.search('do you take paypal', 3);
    expect(paypal!.chunk.id).toBe('payments#which-payment-methods-do-you-accept-can-i-pay-with-paypal');
    expect(confident(paypal, DEFAULT_MIN_CONFIDENCE)).toBe(true);
  });

  it('truncates long texts to 256 word pieces', async () => {
    const long = 'tent '.repeat(1000);
    expect(embedder.tokenize(long)).toHaveLength(256);
    const [v] = await embedder.embed([long]);
    expect(Number.isFinite(v![0])).toBe(true);
  });
});

describe('embedded model files', () => {
  it('prepares the model with Maven into an empty cache, checked by size and sha256', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'sb-models-'));
    try {
      const files = await prepareModel({ cacheDir });
      expect(cachedModelFiles(undefined, cacheDir)).toEqual(files);
      expect(readdirSync(files.dir).sort()).toEqual(['all-minilm-l6-v2-q-tokenizer.json', 'all-minilm-l6-v2-q.onnx']);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('runs lexical-only, with a clear warning, when the model cannot be prepared', async () => {
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'sb-models-'));
    const lines: string[] = [];
    await expect(loadEmbeddedEmbedder({ cacheDir, prepare: false, log: (l) => lines.push(l) })).resolves.toBeUndefined();
    expect(lines.join('\n')).toMatch(/not prepared .*prepare-models\.sh.*lexical-only/);

    lines.length = 0;
    await expect(loadEmbeddedEmbedder({ cacheDir, mvn: path.join(cacheDir, 'no-such-mvn'), log: (l) => lines.push(l) })).resolves.toBeUndefined();
    expect(lines.join('\n')).toMatch(/WARNING .*lexical-only: Maven \(`mvn`\) was not found/);
    // Nothing half-written is left behind.
    expect(readdirSync(cacheDir)).toEqual([]);
  });
});
