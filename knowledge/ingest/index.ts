import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import type { AnyBulkWriteOperation, Connection } from 'mongoose';
import { createHash } from 'node:crypto';
import type { KnowledgeChunk } from '../chunk';
import type { Embedder } from '../embedder';
import { embeddingTexts } from '../hybrid';
import {
  bumpKnowledgeRevision,
  createKnowledgeModels,
  isLearnedDocId,
  ensureKnowledgeIndexes,
  type KnowledgeChunkRecord,
  type KnowledgeDocumentRecord,
  type KnowledgeModels,
  type SourceType,
} from '../store';
import { EXTENSIONS, parseDocument, sourceHash } from './parse';

export { decodeText, normalizeText } from './decode';
export { parseHtml } from './html';
export { parseDocument, PARSER_VERSION, chunkHash, type ParsedDocument } from './parse';
export { parsePdf } from './pdf';
export { parsePlainText } from './text';

/** One document to ingest: a file under the ingested root, or content an integration hands over with its own id. */
export interface IngestSource {
  id: string;
  sourceType: SourceType;
  /** For reports: the path relative to the root, or the id. */
  name: string;
  read(): Promise<Uint8Array>;
}

export type FileStatus = 'added' | 'updated' | 'unchanged' | 'failed';

export type IngestProgress =
  | { kind: 'start'; total: number }
  | { kind: 'file'; done: number; total: number; file: string; status: FileStatus; reason?: string }
  | { kind: 'done' };

export interface IngestOptions {
  /** Help-centre root: a document's page is `${baseUrl}/${id}` unless it names its own URL. */
  baseUrl?: string;
  /** Remove documents (and their chunks) that are not among the sources any more. */
  prune?: boolean;
  /** Embeds new and changed chunks, and unchanged ones that have no vector from this embedder yet. */
  embedder?: Embedder;
  /**
   * The texts embedded per chunk; the stored vector is their vectors concatenated (flat). Default: the hybrid
   * retriever's views (passage, heading, sentences), so it can use stored vectors as they are.
   */
  embeddingTexts?: (chunk: KnowledgeChunk) => string[];
  /** Texts per `embed` call. */
  embedBatchSize?: number;
  onProgress?: (event: IngestProgress) => void;
  clock?: () => Date;
}

export interface IngestFailure {
  file: string;
  reason: string;
}

export interface IngestReport {
  /** Documents. */
  added: number;
  updated: number;
  unchanged: number;
  removed: number;
  failed: number;
  chunks: { added: number; updated: number; unchanged: number; removed: number };
  /** Chunks embedded during this run (new, changed, or missing a vector of `vectorModel`). */
  embedded: number;
  vectorModel?: string;
  /** Files under the root with an extension we do not read. */
  ignored: number;
  failures: IngestFailure[];
  /** Write operations sent to MongoDB: 0 when nothing changed. */
  writes: number;
  durationMs: number;
}

const FLUSH_AT = 500;
/** Chunks embedded between two flushes when back-filling vectors. */
const EMBED_GROUP = 100;

/** Ingests a folder (recursively) or a single file. Documents are keyed by their path relative to the folder. */
export async function ingestPath(connection: Connection, path: string, options: IngestOptions = {}): Promise<IngestReport> {
  const { sources, ignored, isFile } = await collectSources(path);
  if (isFile && options.prune) throw new Error('--prune needs a folder: with a single file every other document would be removed');
  const report = await ingestSources(connection, sources, options);
  report.ignored = ignored;
  return report;
}

/** Supported files under `path` (sorted, hidden entries and node_modules skipped), or `path` itself when it is a file. */
export async function collectSources(path: string): Promise<{ sources: IngestSource[]; ignored: number; isFile: boolean }> {
  const info = await stat(path);
  const toSource = (file: string, rel: string): IngestSource | undefined => {
    const ext = extname(file).toLowerCase();
    const sourceType = EXTENSIONS[ext];
    if (!sourceType) return undefined;
    const relPosix = rel.split(sep).join('/');
    return { id: relPosix.slice(0, relPosix.length - ext.length), sourceType, name: relPosix, read: () => readFile(file) };
  };
  if (info.isFile()) {
    const source = toSource(path, basename(path));
    if (!source) throw new Error(`${path}: unsupported file type (supported: ${Object.keys(EXTENSIONS).join(' ')})`);
    return { sources: [source], ignored: 0, isFile: true };
  }
  const sources: IngestSource[] = [];
  let ignored = 0;
  const walk = async (dir: string): Promise<void> => {
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      // Symlinked folders are not followed (no cycles); symlinked files are read.
      const isFile = entry.isFile() || (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isFile());
      if (entry.isDirectory()) await walk(full);
      else if (isFile) {
        const source = toSource(full, relative(path, full));
        if (source) sources.push(source);
        else ignored++;
      }
    }
  };
  await walk(path);
  return { sources, ignored, isFile: false };
}

type StoredChunk = Pick<KnowledgeChunkRecord, '_id' | 'docId' | 'contentHash' | 'order' | 'vectorModel' | 'vectorHash'> &
  Partial<Pick<KnowledgeChunkRecord, 'docTitle' | 'heading' | 'title' | 'text' | 'url'>>;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
type StoredDocument = Pick<KnowledgeDocumentRecord, '_id' | 'contentHash' | 'sourceHash' | 'createdAt'>;

/**
 * Brings the store in line with `sources`. A document whose bytes (or, failing that, parsed content) hash as before
 * is skipped without a write; a changed one has only its changed chunks replaced (unchanged chunks keep their
 * vectors) and its vanished chunks deleted. A file that cannot be read or parsed is reported and left as it is in
 * the store. Reads the chunk list once and addresses everything by `_id`, in bulk writes.
 */
export async function ingestSources(connection: Connection, sources: IngestSource[], options: IngestOptions = {}): Promise<IngestReport> {
  const started = performance.now();
  const clock = options.clock ?? (() => new Date());
  const embedder = options.embedder;
  const batchSize = Math.max(1, options.embedBatchSize ?? 64);
  const viewsOf = options.embeddingTexts ?? embeddingTexts;
  const models = createKnowledgeModels(connection);
  await ensureKnowledgeIndexes(models);

  const [storedDocs, storedChunks] = await Promise.all([
    models.Document.find({}, { contentHash: 1, sourceHash: 1, createdAt: 1 }).lean<StoredDocument[]>(),
    // With an embedder, the texts too: unchanged chunks are checked for a vector of the current model and views.
    models.Chunk.find({}, embedder ? { vector: 0, updatedAt: 0 } : { docId: 1, contentHash: 1, order: 1, vectorModel: 1, vectorHash: 1 }).lean<StoredChunk[]>(),
  ]);
  const docsById = new Map(storedDocs.map((d) => [d._id, d]));
  const chunksByDoc = new Map<string, Map<string, StoredChunk>>();
  for (const c of storedChunks) {
    let m = chunksByDoc.get(c.docId);
    if (!m) chunksByDoc.set(c.docId, (m = new Map()));
    m.set(c._id, c);
  }

  const report: IngestReport = {
    added: 0,
    updated: 0,
    unchanged: 0,
    removed: 0,
    failed: 0,
    chunks: { added: 0, updated: 0, unchanged: 0, removed: 0 },
    embedded: 0,
    ...(embedder ? { vectorModel: embedder.id } : {}),
    ignored: 0,
    failures: [],
    writes: 0,
    durationMs: 0,
  };
  const writer = new Writer(models, report);
  /** One flat array per chunk: the vectors of its views, concatenated. */
  const embed = async (views: string[][]): Promise<number[][]> => {
    const texts = views.flat();
    const flat: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      const vectors = await embedder!.embed(texts.slice(i, i + batchSize));
      if (vectors.length !== Math.min(batchSize, texts.length - i)) throw new Error(`embedder ${embedder!.id} returned ${vectors.length} vectors for ${Math.min(batchSize, texts.length - i)} texts`);
      for (const v of vectors) {
        if (v.length !== embedder!.dimensions) throw new Error(`embedder ${embedder!.id} returned ${v.length} dimensions, expected ${embedder!.dimensions}`);
        flat.push(v);
      }
    }
    let next = 0;
    report.embedded += views.length;
    return views.map((v) => {
      const out: number[] = [];
      for (const vector of flat.slice(next, (next += v.length))) for (const x of vector) out.push(x);
      return out;
    });
  };
  const vectorStale = (prev: StoredChunk, views: string[]) => prev.vectorModel !== embedder!.id || prev.vectorHash !== sha256(views.join('\u0000'));

  const seen = new Set<string>();
  /** Unchanged documents whose chunks may still need vectors from this embedder. */
  const skippedDocs: string[] = [];
  const total = sources.length;
  options.onProgress?.({ kind: 'start', total });
  try {
    for (const [index, source] of sources.entries()) {
      let status: FileStatus;
      let reason: string | undefined;
      try {
        if (seen.has(source.id)) throw new Error(`another file already has the document id "${source.id}" (same name, different extension)`);
        seen.add(source.id);
        const bytes = await source.read();
        const input = { id: source.id, sourceType: source.sourceType, bytes, ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) };
        const rawHash = sourceHash(input);
        const stored = docsById.get(source.id);
        if (stored && stored.sourceHash === rawHash) {
          status = 'unchanged';
          skippedDocs.push(source.id);
          report.chunks.unchanged += chunksByDoc.get(source.id)?.size ?? 0;
        } else {
          const doc = await parseDocument(input);
          const now = clock();
          if (stored && stored.contentHash === doc.contentHash) {
            // Same content in different bytes (line endings, a re-saved PDF): remember the new bytes, nothing else.
            status = 'unchanged';
            skippedDocs.push(source.id);
            report.chunks.unchanged += doc.chunks.length;
            writer.docs.push({ updateOne: { filter: { _id: source.id }, update: { $set: { sourceHash: rawHash } } } });
          } else {
            status = stored ? 'updated' : 'added';
            const old = chunksByDoc.get(source.id) ?? new Map<string, StoredChunk>();
            const pending: Array<{ chunk: KnowledgeChunk; order: number; hash: string; kind: 'added' | 'updated' | 'vector'; views?: string[] }> = [];
            doc.chunks.forEach((chunk, order) => {
              const hash = doc.chunkHashes[order]!;
              const prev = old.get(chunk.id);
              if (!prev) pending.push({ chunk, order, hash, kind: 'added' });
              else if (prev.contentHash !== hash) pending.push({ chunk, order, hash, kind: 'updated' });
              else {
                report.chunks.unchanged++;
                const views = embedder ? viewsOf(chunk) : undefined;
                if (views && vectorStale(prev, views)) pending.push({ chunk, order, hash, kind: 'vector', views });
                if (prev.order !== order) writer.chunks.push({ updateOne: { filter: { _id: chunk.id }, update: { $set: { order } } } });
              }
            });
            const views = embedder ? pending.map((p) => p.views ?? viewsOf(p.chunk)) : undefined;
            const vectors = views?.length ? await embed(views) : undefined;
            pending.forEach((p, i) => {
              const vector = vectors?.[i];
              const vectorFields = vector ? { vector, vectorModel: embedder!.id, vectorHash: sha256(views![i]!.join('\u0000')) } : {};
              if (p.kind === 'vector') {
                writer.chunks.push({ updateOne: { filter: { _id: p.chunk.id }, update: { $set: vectorFields } } });
                return;
              }
              report.chunks[p.kind]++;
              const replacement: KnowledgeChunkRecord = {
                _id: p.chunk.id,
                docId: p.chunk.docId,
                docTitle: p.chunk.docTitle,
                heading: p.chunk.heading,
                title: p.chunk.title,
                text: p.chunk.text,
                ...(p.chunk.url ? { url: p.chunk.url } : {}),
                order: p.order,
                contentHash: p.hash,
                ...vectorFields,
                updatedAt: now,
              };
              writer.chunks.push({ replaceOne: { filter: { _id: p.chunk.id }, replacement, upsert: true } });
            });
            const keep = new Set(doc.chunks.map((c) => c.id));
            const vanished = [...old.keys()].filter((id) => !keep.has(id));
            if (vanished.length) {
              writer.chunks.push({ deleteMany: { filter: { _id: { $in: vanished } } } });
              report.chunks.removed += vanished.length;
            }
            const record: KnowledgeDocumentRecord = {
              _id: source.id,
              title: doc.title,
              sourceType: doc.sourceType,
              source: source.name,
              ...(doc.url ? { url: doc.url } : {}),
              contentHash: doc.contentHash,
              sourceHash: rawHash,
              chunkCount: doc.chunks.length,
              createdAt: stored?.createdAt ?? now,
              updatedAt: now,
            };
            // After its chunks (see Writer.flush): a crash in between leaves the old hash, so the next run redoes it.
            writer.docs.push({ replaceOne: { filter: { _id: source.id }, replacement: record, upsert: true } });
          }
        }
      } catch (err) {
        status = 'failed';
        reason = err instanceof Error ? err.message : String(err);
        report.failures.push({ file: source.name, reason });
      }
      report[status]++;
      options.onProgress?.({ kind: 'file', done: index + 1, total, file: source.name, status, ...(reason ? { reason } : {}) });
      if (writer.size >= FLUSH_AT) await writer.flush();
    }

    // Unchanged documents may lack vectors of this embedder (ingested with --no-embed, with another model, or
    // with other views): embed those chunks from their stored text.
    if (embedder) {
      const stale: Array<{ id: string; views: string[] }> = [];
      for (const docId of skippedDocs) {
        for (const c of chunksByDoc.get(docId)?.values() ?? []) {
          const chunk: KnowledgeChunk = { id: c._id, docId: c.docId, docTitle: c.docTitle ?? '', heading: c.heading ?? '', title: c.title ?? '', text: c.text ?? '', ...(c.url ? { url: c.url } : {}) };
          const views = viewsOf(chunk);
          if (vectorStale(c, views)) stale.push({ id: c._id, views });
        }
      }
      for (let i = 0; i < stale.length; i += EMBED_GROUP) {
        const group = stale.slice(i, i + EMBED_GROUP);
        const vectors = await embed(group.map((g) => g.views));
        group.forEach((g, j) =>
          writer.chunks.push({ updateOne: { filter: { _id: g.id }, update: { $set: { vector: vectors[j], vectorModel: embedder.id, vectorHash: sha256(g.views.join('\u0000')) } } } }),
        );
        if (writer.size >= FLUSH_AT) await writer.flush();
      }
    }

    if (options.prune) {
      // Documents not among the sources, and chunks left without a document (an interrupted run).
      // Entries learned from agents (knowledge/proposals) have no file: only rejecting them removes them.
      const gone = new Set([...docsById.keys(), ...chunksByDoc.keys()].filter((id) => !seen.has(id) && !isLearnedDocId(id)));
      for (const id of gone) {
        const chunkIds = [...(chunksByDoc.get(id)?.keys() ?? [])];
        if (chunkIds.length) writer.chunks.push({ deleteMany: { filter: { _id: { $in: chunkIds } } } });
        report.chunks.removed += chunkIds.length;
        if (docsById.has(id)) {
          writer.docs.push({ deleteOne: { filter: { _id: id } } });
          report.removed++;
        }
      }
    }
  } finally {
    await writer.flush();
  }
  // Running gateways reload when the knowledge they serve changed (src/knowledge-live.ts).
  if (report.writes > 0) await bumpKnowledgeRevision(connection, clock());
  options.onProgress?.({ kind: 'done' });
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

/** Batches writes: chunk operations always reach the store before the document records that vouch for them. */
class Writer {
  chunks: AnyBulkWriteOperation<KnowledgeChunkRecord>[] = [];
  docs: AnyBulkWriteOperation<KnowledgeDocumentRecord>[] = [];

  constructor(
    private readonly models: KnowledgeModels,
    private readonly report: IngestReport,
  ) {}

  get size(): number {
    return this.chunks.length + this.docs.length;
  }

  async flush(): Promise<void> {
    const chunks = this.chunks;
    const docs = this.docs;
    this.chunks = [];
    this.docs = [];
    if (chunks.length) {
      await this.models.Chunk.bulkWrite(chunks, { ordered: false });
      this.report.writes += chunks.length;
    }
    if (docs.length) {
      await this.models.Document.bulkWrite(docs, { ordered: false });
      this.report.writes += docs.length;
    }
  }
}
