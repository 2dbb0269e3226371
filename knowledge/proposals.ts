import { createHash } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';
import type { KnowledgeChunk } from './chunk';
import type { Embedder } from './embedder';
import { embeddingTexts } from './hybrid';
import { bumpKnowledgeRevision, createKnowledgeModels, ensureKnowledgeIndexes, LEARNED_PREFIX, type KnowledgeChunkRecord, type KnowledgeDocumentRecord } from './store';

/**
 * Knowledge learned from people: when an agent answers a question the bot handed over, the pair is kept as a
 * *proposed* entry in `knowledge_proposals`. Nothing here is read by retrieval: only `approveProposal` turns an
 * entry into a knowledge chunk (document `learned:<id>`), and `rejectProposal` takes it out again. The caller
 * (src/learning) has already redacted personal data; an admin reviews the text before it goes live.
 */
export type ProposalStatus = 'proposed' | 'approved' | 'rejected';

export interface ProposalRecord {
  /** Short and stable: a hash of the conversation and the customer message the answer replies to (see `proposalId`). */
  _id: string;
  question: string;
  answer: string;
  /** Keys of the agent messages the answer is made of: a redelivered message is recognised and adds nothing. */
  answerKeys: string[];
  conversationId: string;
  agentId?: string;
  agentName?: string;
  team?: string;
  status: ProposalStatus;
  /** Set on approval: the title the citation shows. */
  title?: string;
  /** Who approved or rejected it, and when. */
  decidedBy?: string;
  decidedAt?: Date;
  createdAt: Date;
  updatedAt: Date;
}

const proposalSchema = new Schema<ProposalRecord>(
  {
    _id: { type: String, required: true },
    question: { type: String, required: true },
    answer: { type: String, required: true },
    answerKeys: { type: [String], default: [] },
    conversationId: { type: String, required: true },
    agentId: { type: String },
    agentName: { type: String },
    team: { type: String },
    status: { type: String, required: true, enum: ['proposed', 'approved', 'rejected'] },
    title: { type: String },
    decidedBy: { type: String },
    decidedAt: { type: Date },
    createdAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false, timestamps: false },
);

export function proposalModel(connection: Connection): Model<ProposalRecord> {
  return (
    (connection.models.KnowledgeProposal as Model<ProposalRecord> | undefined) ??
    connection.model<ProposalRecord>('KnowledgeProposal', proposalSchema, 'knowledge_proposals')
  );
}

/** One proposal per customer question: the conversation plus the customer message the agent's answer follows. */
export function proposalId(conversationId: string, questionMessageId: string): string {
  return createHash('sha256').update(`${conversationId}\u0000${questionMessageId}`).digest('hex').slice(0, 12);
}

/** The learned document (and chunk) id of a proposal. */
export function learnedDocId(id: string): string {
  return `${LEARNED_PREFIX}${id}`;
}

export interface ProposalInput {
  id: string;
  question: string;
  answer: string;
  /** What identifies the agent message (its outbox dedupe key). */
  answerKey: string;
  conversationId: string;
  agent?: { id: string; name: string };
  team?: string;
  now: Date;
}

/**
 * Records an agent's answer: a new proposal, or the next part of one still proposed (an agent answering in two
 * messages). Idempotent per `answerKey`: a redelivered message changes nothing. Returns the stored proposal.
 */
export async function recordProposal(connection: Connection, input: ProposalInput): Promise<ProposalRecord | null> {
  const Proposal = proposalModel(connection);
  const inserted = await Proposal.updateOne(
    { _id: input.id },
    {
      $setOnInsert: {
        question: input.question,
        answer: input.answer,
        answerKeys: [input.answerKey],
        conversationId: input.conversationId,
        ...(input.agent ? { agentId: input.agent.id, agentName: input.agent.name } : {}),
        ...(input.team ? { team: input.team } : {}),
        status: 'proposed',
        createdAt: input.now,
        updatedAt: input.now,
      },
    },
    { upsert: true },
  );
  if (inserted.upsertedCount === 0) {
    const existing = await Proposal.findById(input.id).lean<ProposalRecord>();
    if (existing && existing.status === 'proposed' && !existing.answerKeys.includes(input.answerKey)) {
      // Conditional on the keys read: two parts arriving at once cannot overwrite each other's text.
      await Proposal.updateOne(
        { _id: input.id, status: 'proposed', answerKeys: { $size: existing.answerKeys.length } },
        { $set: { answer: `${existing.answer}\n\n${input.answer}`, updatedAt: input.now }, $push: { answerKeys: input.answerKey } },
      );
    }
  }
  return Proposal.findById(input.id).lean<ProposalRecord>();
}

export async function listProposals(connection: Connection, options: { status?: ProposalStatus; limit?: number } = {}): Promise<ProposalRecord[]> {
  const rows = await proposalModel(connection)
    .find(options.status ? { status: options.status } : {})
    .lean<ProposalRecord[]>();
  // Sorted here: the stand-in store ignores non-unique indexes, and the list is small.
  rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a._id < b._id ? -1 : 1));
  return options.limit ? rows.slice(0, options.limit) : rows;
}

export async function getProposal(connection: Connection, id: string): Promise<ProposalRecord | null> {
  return proposalModel(connection).findById(id).lean<ProposalRecord>();
}

export interface ApproveOptions {
  /** The admin's edits; default: the proposal's own text (and the question as the title). */
  title?: string;
  question?: string;
  answer?: string;
  by: string;
  now: Date;
  /** Embeds the entry now, so gateways need not (they embed what has no vector of their model on reload). */
  embedder?: Embedder;
}

/** The knowledge chunk an approved proposal becomes: the question is its heading (what customers ask), the answer its text. */
export function learnedChunk(id: string, entry: { title: string; question: string; answer: string }): KnowledgeChunk {
  const docId = learnedDocId(id);
  return { id: docId, docId, docTitle: entry.title, heading: entry.question, title: entry.title, text: entry.answer };
}

/**
 * Puts a proposal live: its chunk and document are written, then the proposal is marked approved and the knowledge
 * revision moves, so running gateways reload. Re-approving (with new edits) replaces the entry.
 */
export async function approveProposal(connection: Connection, id: string, options: ApproveOptions): Promise<ProposalRecord> {
  const Proposal = proposalModel(connection);
  const proposal = await Proposal.findById(id).lean<ProposalRecord>();
  if (!proposal) throw new ProposalError(`no proposal ${id}`);
  const question = clean(options.question ?? proposal.question);
  const answer = clean(options.answer ?? proposal.answer);
  const title = clean(options.title ?? proposal.title ?? defaultTitle(question));
  if (!question || !answer || !title) throw new ProposalError('the question, the answer and the title must not be empty');

  const models = createKnowledgeModels(connection);
  await ensureKnowledgeIndexes(models);
  const chunk = learnedChunk(id, { title, question, answer });
  const views = embeddingTexts(chunk);
  const vector = options.embedder ? await flatVector(options.embedder, views) : undefined;
  const contentHash = sha256([chunk.title, chunk.heading, chunk.text].join('\u0000'));
  const record: KnowledgeChunkRecord = {
    _id: chunk.id,
    docId: chunk.docId,
    docTitle: chunk.docTitle,
    heading: chunk.heading,
    title: chunk.title,
    text: chunk.text,
    order: 0,
    contentHash,
    ...(vector ? { vector, vectorModel: options.embedder!.id, vectorHash: sha256(views.join('\u0000')) } : {}),
    updatedAt: options.now,
  };
  const doc: KnowledgeDocumentRecord = {
    _id: chunk.docId,
    title,
    sourceType: 'learned',
    source: `proposal ${id} (conversation ${proposal.conversationId})`,
    contentHash,
    sourceHash: contentHash,
    chunkCount: 1,
    createdAt: options.now,
    updatedAt: options.now,
  };
  await models.Chunk.replaceOne({ _id: record._id }, record, { upsert: true });
  await models.Document.replaceOne({ _id: doc._id }, doc, { upsert: true });
  await Proposal.updateOne(
    { _id: id },
    { $set: { status: 'approved', question, answer, title, decidedBy: options.by, decidedAt: options.now, updatedAt: options.now } },
  );
  await bumpKnowledgeRevision(connection, options.now);
  return (await Proposal.findById(id).lean<ProposalRecord>())!;
}

/**
 * Rejects a proposal, or revokes an approved one: its chunk is deleted first (a crash after that leaves it
 * "approved" but not live, and rejecting again finishes the job), then the status is recorded.
 */
export async function rejectProposal(connection: Connection, id: string, options: { by: string; now: Date }): Promise<ProposalRecord> {
  const Proposal = proposalModel(connection);
  const proposal = await Proposal.findById(id).lean<ProposalRecord>();
  if (!proposal) throw new ProposalError(`no proposal ${id}`);
  const models = createKnowledgeModels(connection);
  const docId = learnedDocId(id);
  const removed = await models.Chunk.deleteMany({ _id: docId });
  await models.Document.deleteOne({ _id: docId });
  await Proposal.updateOne({ _id: id }, { $set: { status: 'rejected', decidedBy: options.by, decidedAt: options.now, updatedAt: options.now } });
  if (removed.deletedCount > 0) await bumpKnowledgeRevision(connection, options.now);
  return (await Proposal.findById(id).lean<ProposalRecord>())!;
}

/** A proposal that does not exist or cannot be approved as given: the CLI prints it and exits 2. */
export class ProposalError extends Error {}

function clean(text: string): string {
  return text.replace(/\r\n?/g, '\n').trim();
}

/** The first line of the question, cut at a word near 80 characters: what the citation shows unless the admin names it. */
function defaultTitle(question: string): string {
  const line = question.split('\n')[0]!.trim();
  if (line.length <= 80) return line;
  const cut = line.slice(0, 80);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 40)).trim()}…`;
}

async function flatVector(embedder: Embedder, views: string[]): Promise<number[]> {
  const vectors = await embedder.embed(views);
  const out: number[] = [];
  for (const v of vectors) for (const x of v) out.push(x);
  return out;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
