import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { embeddingTexts } from '../../knowledge/hybrid';
import { ingestPath } from '../../knowledge/ingest';
import { createKnowledgeModels, loadChunks, type KnowledgeChunkRecord } from '../../knowledge/store';
import { connectTestDb, type TestDb } from '../setup/db';
import { FakeEmbedder } from './fake-embedder';
import { installPdfWorkerForJest, makePdf, MANUAL_PAGES } from './pdf-fixture';

installPdfWorkerForJest();

const FIXTURES = join(__dirname, '..', 'fixtures', 'knowledge', 'kb');
const DEMO = join(__dirname, '..', '..', 'knowledge', 'demo');
const BASE_URL = 'https://help.example';

const byId = (records: KnowledgeChunkRecord[]) => new Map(records.map((r) => [r._id, r]));

describe('knowledge ingest into MongoDB', () => {
  let db: TestDb;
  let dir: string;
  const embedder = new FakeEmbedder();
  const chunks = () => createKnowledgeModels(db.connection).Chunk.find().lean<KnowledgeChunkRecord[]>();
  const ingest = (opts: { prune?: boolean; embed?: boolean } = {}) =>
    ingestPath(db.connection, dir, { baseUrl: BASE_URL, ...(opts.embed === false ? {} : { embedder }), prune: !!opts.prune });

  beforeAll(async () => {
    db = await connectTestDb('knowledge_ingest');
    dir = await mkdtemp(join(tmpdir(), 'sb-knowledge-'));
    await cp(FIXTURES, dir, { recursive: true });
    await writeFile(join(dir, 'guides', 'tent-manual.pdf'), await makePdf(MANUAL_PAGES, 'Tent manual'));
  });

  afterAll(async () => {
    await db?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('ingests markdown, HTML, text and PDF, reporting and skipping the file it cannot parse', async () => {
    const report = await ingest();
    expect(report).toMatchObject({ added: 5, updated: 0, unchanged: 0, removed: 0, failed: 1, ignored: 1, vectorModel: 'fake-v1' });
    expect(report.failures).toEqual([{ file: 'broken.pdf', reason: expect.stringMatching(/not a readable PDF/) }]);

    const docs = await createKnowledgeModels(db.connection).Document.find().sort({ _id: 1 }).lean();
    expect(docs.map((d) => [d._id, d.sourceType, d.title, d.url])).toEqual([
      ['garantie', 'txt', 'Garantie Européenne', 'https://help.example/garantie'],
      ['guides/care-guide', 'html', 'Care guide', 'https://help.example/care'],
      ['guides/tent-manual', 'pdf', 'Tent manual', 'https://help.example/guides/tent-manual'],
      ['returns', 'md', 'Returns & refunds', 'https://help.example/returns-policy'],
      ['store-info', 'txt', 'Store information', 'https://help.example/store-info'],
    ]);
    expect(docs.every((d) => /^[0-9a-f]{64}$/.test(d.contentHash))).toBe(true);

    const loaded = await loadChunks(db.connection);
    expect(loaded.chunks).toHaveLength(report.chunks.added);
    expect(report.embedded).toBe(report.chunks.added);
    expect(loaded.chunks.map((c) => c.id)).toEqual([
      'garantie',
      'guides/care-guide',
      'guides/care-guide#washing',
      'guides/care-guide#drying',
      'guides/care-guide#caring-for-leather-boots',
      'guides/tent-manual#tent-setup',
      'guides/tent-manual#guy-lines',
      'guides/tent-manual#packing-away',
      'returns',
      'returns#how-do-i-return-an-item',
      'returns#when-will-i-get-my-money-back',
      'store-info',
      'store-info#part-2',
      'store-info#part-3',
    ]);
    expect(loaded.chunks[7]).toMatchObject({ title: 'Tent manual › Packing away', url: 'https://help.example/guides/tent-manual#page=2' });
    // Flat arrays: the vectors of every embedding view of the chunk, concatenated, aligned with the chunks.
    expect(loaded.vectorModel).toBe('fake-v1');
    expect(loaded.vectors).toHaveLength(loaded.chunks.length);
    loaded.chunks.forEach((c, i) => expect(loaded.vectors[i]!.length).toBe(embeddingTexts(c).length * 4));
    const stored = await chunks();
    expect(stored.every((c) => Array.isArray(c.vector) && typeof c.vector[0] === 'number')).toBe(true);
  });

  it('re-ingesting unchanged files writes nothing and embeds nothing', async () => {
    const { Chunk, Document } = createKnowledgeModels(db.connection);
    const before = await chunks();
    const calls = embedder.calls.length;
    const chunkWrites = jest.spyOn(Chunk, 'bulkWrite');
    const docWrites = jest.spyOn(Document, 'bulkWrite');
    try {
      const report = await ingest();
      expect(report).toMatchObject({ added: 0, updated: 0, unchanged: 5, removed: 0, failed: 1, writes: 0, embedded: 0 });
      expect(report.chunks).toEqual({ added: 0, updated: 0, unchanged: before.length, removed: 0 });
      expect(chunkWrites).not.toHaveBeenCalled();
      expect(docWrites).not.toHaveBeenCalled();
    } finally {
      chunkWrites.mockRestore();
      docWrites.mockRestore();
    }
    expect(embedder.calls.length).toBe(calls);
    expect(await chunks()).toEqual(before);
  });

  it('an edited section updates only its chunk; the other chunks keep their vectors', async () => {
    const before = byId(await chunks());
    const file = join(dir, 'returns.md');
    const md = await readFile(file, 'utf8');
    await writeFile(file, md.replace('We refund within 5 business days', 'We refund within 3 business days'));
    const texts = embedder.texts;

    const report = await ingest();
    expect(report).toMatchObject({ added: 0, updated: 1, unchanged: 4, removed: 0, embedded: 1 });
    expect(report.chunks).toEqual({ added: 0, updated: 1, unchanged: before.size - 1, removed: 0 });
    expect(embedder.texts - texts).toBe(embeddingTexts(toChunk(before.get('returns#when-will-i-get-my-money-back')!)).length);

    const after = byId(await chunks());
    const changed = after.get('returns#when-will-i-get-my-money-back')!;
    expect(changed.text).toMatch(/^We refund within 3 business days/);
    expect(changed.vector).not.toEqual(before.get(changed._id)!.vector);
    for (const [id, chunk] of after) if (id !== changed._id) expect(chunk).toEqual(before.get(id));
  });

  it('a section removed from a page removes its chunk', async () => {
    const file = join(dir, 'guides', 'care-guide.html');
    const html = await readFile(file, 'utf8');
    await writeFile(file, html.replace(/<h3>Drying<\/h3>\s*<p>[^<]*<\/p>/, ''));
    const report = await ingest();
    expect(report).toMatchObject({ updated: 1, unchanged: 4, embedded: 0 });
    expect(report.chunks).toMatchObject({ added: 0, updated: 0, removed: 1 });
    expect((await chunks()).map((c) => c._id)).not.toContain('guides/care-guide#drying');
  });

  it('a deleted file stays in the store until --prune', async () => {
    await unlink(join(dir, 'store-info.txt'));
    const kept = await ingest();
    expect(kept).toMatchObject({ unchanged: 4, removed: 0, writes: 0 });
    expect((await chunks()).filter((c) => c.docId === 'store-info')).toHaveLength(3);

    const pruned = await ingest({ prune: true });
    expect(pruned).toMatchObject({ unchanged: 4, removed: 1, failed: 1 });
    expect(pruned.chunks.removed).toBe(3);
    expect((await chunks()).filter((c) => c.docId === 'store-info')).toHaveLength(0);
    expect(await createKnowledgeModels(db.connection).Document.exists({ _id: 'store-info' })).toBeNull();
  });

  it('--prune refuses a single file', async () => {
    await expect(ingestPath(db.connection, join(dir, 'returns.md'), { prune: true })).rejects.toThrow(/--prune needs a folder/);
  });
});

describe('knowledge ingest: vectors', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await connectTestDb('knowledge_vectors');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('ingests the demo help centre without vectors, then back-fills them once an embedder is there', async () => {
    const first = await ingestPath(db.connection, DEMO, { baseUrl: BASE_URL });
    expect(first).toMatchObject({ added: 7, failed: 0, embedded: 0 });
    expect(first.chunks.added).toBe(56);
    const plain = await loadChunks(db.connection);
    expect(plain.vectorModel).toBeUndefined();
    expect(plain.vectors.every((v) => v === undefined)).toBe(true);
    expect(plain.chunks.find((c) => c.id === 'returns#how-do-i-return-an-item')).toMatchObject({
      title: 'Returns › How do I return an item?',
      url: 'https://help.example/returns#how-do-i-return-an-item',
    });

    const embedder = new FakeEmbedder('fake-v2');
    const second = await ingestPath(db.connection, DEMO, { baseUrl: BASE_URL, embedder, embedBatchSize: 100 });
    expect(second).toMatchObject({ added: 0, updated: 0, unchanged: 7, embedded: 56, writes: 56 });
    expect(embedder.calls.every((c) => c.length <= 100)).toBe(true);

    const third = await ingestPath(db.connection, DEMO, { baseUrl: BASE_URL, embedder });
    expect(third).toMatchObject({ unchanged: 7, embedded: 0, writes: 0 });

    // Another model re-embeds everything; loadChunks serves the requested model's vectors only.
    const other = new FakeEmbedder('fake-v3');
    expect(await ingestPath(db.connection, DEMO, { baseUrl: BASE_URL, embedder: other })).toMatchObject({ embedded: 56 });
    const loaded = await loadChunks(db.connection, { vectorModel: 'fake-v3' });
    expect(loaded.vectorModel).toBe('fake-v3');
    expect(loaded.vectors.every((v) => v instanceof Float32Array)).toBe(true);
    expect((await loadChunks(db.connection, { vectorModel: 'fake-v2' })).vectors.every((v) => v === undefined)).toBe(true);
  });
});

function toChunk(r: KnowledgeChunkRecord) {
  return { id: r._id, docId: r.docId, docTitle: r.docTitle, heading: r.heading, title: r.title, text: r.text, ...(r.url ? { url: r.url } : {}) };
}
