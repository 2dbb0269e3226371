import { Schema, type Connection, type Model } from 'mongoose';
import type { KnowledgeChunk } from './chunk';

/**
 * The knowledge base in MongoDB: `knowledge_documents` (one per ingested file or given id) and `knowledge_chunks`
 * (one per section, `${docId}#${anchor}`), with embeddings as flat `[Number]` arrays ranked in TypeScript (no
 * vector search: see the portable subset in the Mongo guide). Written by `ingest` (knowledge/ingest), read by the
 * gateway through `loadChunks`.
 */
export type SourceType = 'md' | 'html' | 'txt' | 'pdf' | 'learned';

/**
 * Document ids of entries learned from agents' answers (knowledge/proposals): no file has them, so `ingest --prune`
 * leaves them alone; only approving and rejecting a proposal writes them.
 */
export const LEARNED_PREFIX = 'learned:';

export function isLearnedDocId(id: string): boolean {
  return id.startsWith(LEARNED_PREFIX);
}

export interface KnowledgeDocumentRecord {
  /** Path relative to the ingested root without extension ("returns", "policies/warranty"), or a given id. */
  _id: string;
  title: string;
  sourceType: SourceType;
  /** Where it came from (relative path), for reports. */
  source: string;
  /** The document's page; chunk urls are this plus an anchor. */
  url?: string;
  /** sha256 of the normalised, parsed content (title, url, sections) and the chunker version. */
  contentHash: string;
  /** sha256 of the raw bytes and the ingest settings: lets an unchanged file skip parsing (PDFs are slow). */
  sourceHash: string;
  chunkCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A stored chunk: the chunk the retriever reads, keyed by its id, plus what ingestion needs to skip unchanged work. */
export interface KnowledgeChunkRecord extends Omit<KnowledgeChunk, 'id'> {
  /** `${docId}#${anchor}` (the introduction before the first heading is just `${docId}`). */
  _id: string;
  /** Position in the document, for a stable order. */
  order: number;
  /** sha256 of everything above that a reader or an embedder sees. */
  contentHash: string;
  /**
   * The chunk's embedding views (see `embeddingTexts` in knowledge/hybrid: passage, heading, sentences), each a
   * unit-length vector, concatenated into one flat array; absent until an embedder has run.
   */
  vector?: number[];
  /** `Embedder.id` of `vector`: vectors of different models never mix. */
  vectorModel?: string;
  /** sha256 of the embedded view texts: when the views change (new chunk text or new view rules) it is re-embedded. */
  vectorHash?: string;
  updatedAt: Date;
}

const documentSchema = new Schema<KnowledgeDocumentRecord>(
  {
    _id: { type: String, required: true },
    title: { type: String, required: true },
    sourceType: { type: String, required: true, enum: ['md', 'html', 'txt', 'pdf', 'learned'] },
    source: { type: String, required: true },
    url: { type: String },
    contentHash: { type: String, required: true },
    sourceHash: { type: String, required: true },
    chunkCount: { type: Number, required: true },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, timestamps: false },
);

const chunkSchema = new Schema<KnowledgeChunkRecord>(
  {
    _id: { type: String, required: true },
    docId: { type: String, required: true },
    docTitle: { type: String, required: true },
    heading: { type: String, default: '' },
    title: { type: String, required: true },
    text: { type: String, required: true },
    url: { type: String },
    order: { type: Number, required: true },
    contentHash: { type: String, required: true },
    vector: { type: [Number], default: undefined },
    vectorModel: { type: String },
    vectorHash: { type: String },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, timestamps: false },
);
// Used by real MongoDB for per-document lookups; the stand-in ignores non-unique indexes, so ingest never relies
// on it (it reads the chunk list once and addresses chunks by _id).
chunkSchema.index({ docId: 1, order: 1 });

export interface KnowledgeModels {
  Document: Model<KnowledgeDocumentRecord>;
  Chunk: Model<KnowledgeChunkRecord>;
}

/** Models bound to `connection` (reused when already defined on it). */
export function createKnowledgeModels(connection: Connection): KnowledgeModels {
  return {
    Document:
      (connection.models.KnowledgeDocument as Model<KnowledgeDocumentRecord> | undefined) ??
      connection.model<KnowledgeDocumentRecord>('KnowledgeDocument', documentSchema, 'knowledge_documents'),
    Chunk:
      (connection.models.KnowledgeChunk as Model<KnowledgeChunkRecord> | undefined) ??
      connection.model<KnowledgeChunkRecord>('KnowledgeChunk', chunkSchema, 'knowledge_chunks'),
  };
}

/** Creates the collections and indexes explicitly (idempotent), like the conversation store does. */
export async function ensureKnowledgeIndexes(models: KnowledgeModels): Promise<void> {
  for (const model of [models.Document, models.Chunk] as unknown as Model<unknown>[]) {
    await model.createCollection().catch((err: { code?: number }) => {
      if (err.code !== 48) throw err; // 48: NamespaceExists
    });
    await model.createIndexes();
  }
}

export interface LoadedKnowledge {
  /** Every chunk, ordered by document id then position. */
  chunks: KnowledgeChunk[];
  /**
   * One entry per chunk (same order): its flat multi-view vector when it was embedded with `vectorModel`, else
   * undefined. What `HybridRetriever.create({ vectors, vectorsEmbedderId })` takes.
   */
  vectors: Array<Float32Array | undefined>;
  /** The embedder id the vectors belong to (the requested one, else the most common one); undefined when none. */
  vectorModel?: string;
}

export interface LoadChunksOptions {
  /** Only return vectors of this embedder (pass `embedder.id`); default: the model most chunks were embedded with. */
  vectorModel?: string;
  /** Skip vectors entirely (keyword retrieval only). */
  withVectors?: boolean;
}

/** Reads the whole knowledge base for a retriever: one query, sorted in TypeScript. */
export async function loadChunks(connection: Connection, options: LoadChunksOptions = {}): Promise<LoadedKnowledge> {
  const { Chunk } = createKnowledgeModels(connection);
  const withVectors = options.withVectors !== false;
  const projection = withVectors ? { contentHash: 0, vectorHash: 0, updatedAt: 0 } : { contentHash: 0, vectorHash: 0, updatedAt: 0, vector: 0 };
  const records = await Chunk.find({}, projection).lean<KnowledgeChunkRecord[]>();
  records.sort((a, b) => (a.docId < b.docId ? -1 : a.docId > b.docId ? 1 : a.order - b.order));

  let vectorModel = options.vectorModel;
  if (withVectors && vectorModel === undefined) {
    const counts = new Map<string, number>();
    for (const r of records) if (r.vectorModel && r.vector?.length) counts.set(r.vectorModel, (counts.get(r.vectorModel) ?? 0) + 1);
    vectorModel = [...counts.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
  }
  const vectors: Array<Float32Array | undefined> = [];
  const chunks: KnowledgeChunk[] = records.map((r) => {
    vectors.push(withVectors && vectorModel && r.vectorModel === vectorModel && r.vector?.length ? Float32Array.from(r.vector) : undefined);
    return {
      id: r._id,
      docId: r.docId,
      docTitle: r.docTitle,
      heading: r.heading ?? '',
      title: r.title,
      text: r.text,
      ...(r.url ? { url: r.url } : {}),
    };
  });
  return { chunks, vectors, ...(withVectors && vectorModel && vectors.some(Boolean) ? { vectorModel } : {}) };
}


/**
 * The knowledge base's revision: one small document (`knowledge_meta`, id "revision") that every change to what
 * retrieval reads moves (an approved or revoked entry, an ingest that wrote something). Gateways are separate
 * processes on one MongoDB with the knowledge in memory; they compare this with the revision they loaded and reload
 * when it moved, instead of re-reading every chunk to find out (see src/knowledge-live.ts).
 */
interface RevisionRecord {
  _id: string;
  value: number;
  updatedAt: Date;
}

const revisionSchema = new Schema<RevisionRecord>(
  { _id: { type: String, required: true }, value: { type: Number, required: true }, updatedAt: { type: Date, required: true } },
  { versionKey: false, timestamps: false },
);

function revisionModel(connection: Connection): Model<RevisionRecord> {
  return (connection.models.KnowledgeMeta as Model<RevisionRecord> | undefined) ?? connection.model<RevisionRecord>('KnowledgeMeta', revisionSchema, 'knowledge_meta');
}

/** The current revision; 0 before anything moved it. */
export async function knowledgeRevision(connection: Connection): Promise<number> {
  const row = await revisionModel(connection).findById('revision').lean<RevisionRecord>();
  return row?.value ?? 0;
}

/** Moves the revision (atomically, so two writers never land on the same value). */
export async function bumpKnowledgeRevision(connection: Connection, now: Date = new Date()): Promise<number> {
  const row = await revisionModel(connection).findOneAndUpdate({ _id: 'revision' }, { $inc: { value: 1 }, $set: { updatedAt: now } }, { upsert: true, returnDocument: 'after', lean: true });
  return row?.value ?? 0;
}
