import { extname } from 'node:path';
import type { Connection } from 'mongoose';
import type { Embedder } from '../knowledge/embedder';
import { ingestPath, ingestSources, type IngestReport } from '../knowledge/ingest';
import { bumpKnowledgeRevision, createKnowledgeModels, isLearnedDocId, type SourceType } from '../knowledge/store';
import type { PassageSource } from './brain/answer/passages';
import { IngestJobs, type IngestJob } from './knowledge-jobs';
import type { Brain } from './brain/types';
// The console's API type: what the playground answers, so server and browser cannot drift apart.
import type { PlaygroundResult } from './http/console/api-types';

const UPLOAD_TYPES: Record<string, SourceType> = { '.md': 'md', '.markdown': 'md', '.html': 'html', '.htm': 'html', '.txt': 'txt', '.pdf': 'pdf' };

export class KnowledgeUploadError extends Error {}


/**
 * The knowledge base as the console manages it: the stored documents, uploads and deletions (each moves the
 * knowledge revision, so every gateway process reloads), re-ingesting the KNOWLEDGE_DIR folder, and the
 * playground that asks the running brain a question exactly as a customer would, without storing anything.
 */
export class KnowledgeAdmin {
  constructor(
    private readonly connection: Connection,
    private readonly brain: Brain,
    private readonly options: { embedder?: Embedder | undefined; passages?: PassageSource | undefined; knowledgeDir: string; baseUrl?: string | undefined; clock: () => Date; processId: string },
  ) {
    this.jobs = new IngestJobs(connection, options.processId, options.clock);
  }

  private readonly jobs: IngestJobs;

  async documents(): Promise<Array<{ id: string; title: string; sourceType: string; sections: number; contentHash: string; updatedAt: Date }>> {
    const { Document } = createKnowledgeModels(this.connection);
    const rows = await Document.find({}, { title: 1, sourceType: 1, chunkCount: 1, contentHash: 1, updatedAt: 1 }).sort({ _id: 1 }).lean();
    return rows.map((d) => ({ id: d._id, title: d.title, sourceType: d.sourceType, sections: d.chunkCount, contentHash: d.contentHash, updatedAt: d.updatedAt }));
  }

  async sections(docId: string): Promise<Array<{ id: string; heading: string | null; text: string; contentHash: string; updatedAt: Date }>> {
    const { Chunk } = createKnowledgeModels(this.connection);
    const rows = await Chunk.find({ docId }, { heading: 1, text: 1, contentHash: 1, updatedAt: 1, order: 1 }).sort({ order: 1 }).lean();
    return rows.map((c) => ({ id: c._id, heading: c.heading ?? null, text: c.text, contentHash: c.contentHash, updatedAt: c.updatedAt }));
  }

  /** One uploaded file, keyed by its name without the extension (uploading it again updates it). */
  async upload(fileName: string, bytes: Uint8Array): Promise<IngestReport> {
    const clean = fileName.replace(/\\/g, '/').split('/').pop()!.trim();
    const ext = extname(clean).toLowerCase();
    const sourceType = UPLOAD_TYPES[ext];
    if (!sourceType) throw new KnowledgeUploadError(`"${clean}": unsupported file type (upload .md, .html, .txt or .pdf)`);
    const id = clean.slice(0, clean.length - ext.length).replace(/[^\p{L}\p{N}_.-]+/gu, '-').replace(/^-+|-+$/g, '');
    if (!id) throw new KnowledgeUploadError(`"${clean}": the file name needs letters or digits before the extension`);
    if (isLearnedDocId(id)) throw new KnowledgeUploadError(`"${clean}": that name is reserved for learned answers`);
    if (bytes.length === 0) throw new KnowledgeUploadError(`"${clean}" is empty`);
    const report = await ingestSources(this.connection, [{ id, sourceType, name: clean, read: async () => bytes }], this.ingestOptions());
    await this.options.passages?.refresh?.();
    return report;
  }

  async remove(docId: string): Promise<boolean> {
    const { Document, Chunk } = createKnowledgeModels(this.connection);
    const res = await Document.deleteOne({ _id: docId });
    if (res.deletedCount !== 1) return false;
    await Chunk.deleteMany({ docId });
    await bumpKnowledgeRevision(this.connection, this.options.clock());
    await this.options.passages?.refresh?.();
    return true;
  }

  /**
   * Starts bringing the stored knowledge in line with the KNOWLEDGE_DIR folder again (what `npm start` does), as a
   * job whose progress any process can read (`reingestJob`); throws IngestRunning while one runs.
   */
  async startReingest(by: string): Promise<IngestJob> {
    if (this.options.knowledgeDir === 'none') throw new KnowledgeUploadError('KNOWLEDGE_DIR is "none": there is no folder to ingest');
    const dir = this.options.knowledgeDir;
    return this.jobs.start(by, async (onProgress) => {
      const report = await ingestPath(this.connection, dir, { ...this.ingestOptions(), onProgress });
      await this.options.passages?.refresh?.();
      return report;
    });
  }

  reingestJob(): Promise<IngestJob | null> {
    return this.jobs.current();
  }

  async ask(question: string): Promise<PlaygroundResult> {
    const [decision, passages] = await Promise.all([
      this.brain.decide({ text: question, channelKind: 'webchat', contact: { aiOptOut: false, vip: false }, conversation: { status: 'bot', unhelpfulTurns: 0 }, history: [] }),
      this.options.passages ? this.options.passages.retrieve(question, 5) : Promise.resolve([]),
    ]);
    const a = decision.annotations;
    return {
      decision: decision.kind,
      reply: decision.text,
      citations: decision.kind === 'answer' ? decision.citations.map((c) => ({ title: c.title, url: c.url ?? null })) : [],
      confidence: a.answerScore ?? null,
      reason: decision.kind === 'escalate' ? decision.reason : (a.reason ?? null),
      intent: a.intent ?? null,
      intentConfidence: a.intentConfidence ?? null,
      language: a.language ?? null,
      team: decision.kind === 'escalate' ? decision.team : (a.team ?? null),
      priority: decision.kind === 'escalate' ? decision.priority : (a.priority ?? null),
      passages: passages.map((p) => ({ id: p.id, title: p.title, heading: p.heading ?? null, score: Math.round(p.confidence * 1000) / 1000, text: p.text.slice(0, 400) })),
    };
  }

  private ingestOptions() {
    return { ...(this.options.baseUrl ? { baseUrl: this.options.baseUrl } : {}), ...(this.options.embedder ? { embedder: this.options.embedder } : {}), clock: this.options.clock };
  }
}
