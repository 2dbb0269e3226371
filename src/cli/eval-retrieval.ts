import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { chunkMarkdown, type KnowledgeChunk } from '../../knowledge/chunk';
import type { Embedder } from '../../knowledge/embedder';
import { confident, DEFAULT_MIN_CONFIDENCE, HybridRetriever, splitLongChunks } from '../../knowledge/hybrid';
import { loadMarkdownFolder } from '../../knowledge/load';
import { answerabilityModelFor, type AnswerabilityModel } from '../brain/answer/answerability';
import { decide, readUnits } from '../brain/answer/reading';
import { loadEmbeddedEmbedder } from '../brain/embeddings';
import { loadConfig } from '../config';
import { EvalInputError, runEval } from './eval';

const docLine = z.object({ id: z.string().min(1), title: z.string(), text: z.string().min(1) });
const queryLine = z.object({ id: z.string().min(1), query: z.string().min(1), relevant: z.array(z.string().min(1)) });

/** Reads JSON Lines, failing with the file, line and problem for anything malformed. */
export function readJsonl<T>(path: string, schema: z.ZodType<T>): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new EvalInputError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const rows: T[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new EvalInputError(`${path} line ${i + 1}: not JSON (${(err as Error).message})`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new EvalInputError(`${path} line ${i + 1}: ${issue.path.join('.') || 'line'}: ${issue.message}`);
    }
    rows.push(parsed.data);
  });
  if (rows.length === 0) throw new EvalInputError(`${path}: no lines`);
  return rows;
}

export interface RetrievalEvalResult {
  n: number;
  hit1: number;
  hit5: number;
  mrr: number;
  abstainRecall: number | null;
  answeredPrecision: number | null;
  /** Answered correctly ÷ answerable: the share of the questions the help centre can answer that the bot does. */
  coverage: number;
  /** How the answer/abstain decision was taken: the answerability model of the encoder, or a threshold. */
  decision: 'answerability' | 'threshold';
  /** With the answerability model: clarifying questions asked, answers citing two sections. */
  clarified?: number;
  /** Clarifying questions one of whose options answers the question (a tap would have answered it). */
  clarifiedRight?: number;
  multiSection?: number;
  msPerQuery: number;
}

export type EvalDoc = z.infer<typeof docLine>;
export type EvalQuery = z.infer<typeof queryLine>;

/**
 * The documents as retrieval chunks, each keeping its document's id as docId: a document with markdown headings is
 * split at them (like the help centre), and long texts into passages; a document scores as its best passage.
 */
export function docsToChunks(docs: EvalDoc[]): KnowledgeChunk[] {
  const chunks = docs.flatMap((d): KnowledgeChunk[] => {
    const whole: KnowledgeChunk = { id: d.id, docId: d.id, docTitle: d.title, heading: d.title, title: d.title, text: d.text };
    if (!/^#{1,3}\s+\S/m.test(d.text)) return [whole];
    const sections = chunkMarkdown(d.id, `# ${d.title || d.id}\n\n${d.text}`);
    return sections.length ? sections.map((c) => ({ ...c, heading: c.heading || c.title })) : [whole];
  });
  return splitLongChunks(chunks);
}

export interface EvaluateRetrievalOptions {
  /** Hybrid retrieval with this embedder; without one, lexical-only (BM25 and word coverage). */
  embedder?: Embedder;
  /**
   * The product's answer decision (what the brain uses): the message read as its questions, each scored by this
   * model; a clarifying question counts as not answered. Without it, `minScore` thresholds the best hit.
   */
  answerability?: AnswerabilityModel;
  /** The chunks to search instead of the documents' own (a markdown help centre, chunked as the brain does). */
  chunks?: KnowledgeChunk[];
}

/**
 * Ranks the documents for each query with the brain's retriever and applies the brain's abstain rule.
 * hit@k and MRR are over answerable queries (ranking quality); abstainRecall is over unanswerable ones;
 * answeredPrecision is over the queries the brain would answer (an answer to an unanswerable query is wrong).
 * `minScore` is the threshold of the abstain rule: word coverage when lexical-only, confidence when hybrid.
 */
export async function evaluateRetrieval(
  docs: EvalDoc[],
  queries: EvalQuery[],
  minScore: number,
  options: EvaluateRetrievalOptions = {},
): Promise<RetrievalEvalResult> {
  const known = new Set(docs.map((d) => d.id));
  if (known.size !== docs.length) {
    const seen = new Set<string>();
    const dup = docs.find((d) => (seen.has(d.id) ? true : (seen.add(d.id), false)))!;
    throw new EvalInputError(`document id "${dup.id}" occurs more than once in the documents file`);
  }
  if (options.chunks) for (const c of options.chunks) known.add(c.id);
  for (const q of queries) {
    const unknown = q.relevant.find((id) => !known.has(id));
    if (unknown) throw new EvalInputError(`query ${q.id}: relevant document "${unknown}" is not in the documents file`);
  }
  const retriever = await HybridRetriever.create(options.chunks ?? docsToChunks(docs), {
    ...(options.embedder ? { embedder: options.embedder } : {}),
    unitOf: (c) => (options.chunks ? c.id : c.docId),
  });
  const docOf = (c: KnowledgeChunk) => (options.chunks ? c.id : c.docId);
  const model = options.embedder && retriever.semantic ? options.answerability : undefined;
  let clarified = 0;
  let clarifiedRight = 0;
  let multiSection = 0;

  let hit1 = 0;
  let hit5 = 0;
  let rr = 0;
  let answerable = 0;
  let abstainedUnanswerable = 0;
  let unanswerable = 0;
  let answered = 0;
  let answeredRight = 0;
  const started = performance.now();
  for (const q of queries) {
    const hits = await retriever.search(q.query, 10);
    const relevant = new Set(q.relevant);
    let cited: KnowledgeChunk[] = [];
    if (model) {
      const reading = decide(await readUnits(q.query, retriever, model), model);
      if (reading.kind === 'answer') cited = reading.sections.map((s) => s.chunk);
      if (reading.kind === 'answer' && reading.sections.length > 1) multiSection += 1;
      if (reading.kind === 'clarify') clarified += 1;
      if (reading.kind === 'clarify' && reading.options.some((o) => relevant.has(docOf(o.chunk)))) clarifiedRight += 1;
    } else if (confident(hits[0], minScore)) cited = [hits[0]!.chunk];
    const answers = cited.length > 0;
    if (relevant.size > 0) {
      answerable += 1;
      const rank = hits.findIndex((h) => relevant.has(docOf(h.chunk)));
      if (rank === 0) hit1 += 1;
      if (rank >= 0 && rank < 5) hit5 += 1;
      if (rank >= 0) rr += 1 / (rank + 1);
    } else {
      unanswerable += 1;
      if (!answers) abstainedUnanswerable += 1;
    }
    if (answers) {
      answered += 1;
      if (cited.every((c) => relevant.has(docOf(c)))) answeredRight += 1;
    }
  }
  const msPerQuery = (performance.now() - started) / queries.length;
  const frac = (a: number, b: number) => (b ? round(a / b) : null);
  return {
    n: queries.length,
    hit1: frac(hit1, answerable) ?? 0,
    hit5: frac(hit5, answerable) ?? 0,
    mrr: frac(rr, answerable) ?? 0,
    abstainRecall: frac(abstainedUnanswerable, unanswerable),
    answeredPrecision: frac(answeredRight, answered),
    coverage: frac(answeredRight, answerable) ?? 0,
    decision: model ? 'answerability' : 'threshold',
    ...(model ? { clarified, clarifiedRight, multiSection } : {}),
    msPerQuery: round(msPerQuery),
  };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export interface EvalRetrievalOptions {
  docs?: string;
  /** A markdown help centre, chunked as the brain chunks it (instead of --docs). */
  knowledge?: string;
  queries: string;
  minCoverage?: string;
  minConfidence?: string;
  lexicalOnly?: boolean;
}

export async function evalRetrievalCommand(options: EvalRetrievalOptions): Promise<void> {
  await runEval(async () => {
    const threshold = (value: string | undefined, flag: string, fallback: () => number): number => {
      const n = value === undefined ? fallback() : Number(value);
      if (!(n >= 0 && n <= 1)) throw new EvalInputError(`${flag} must be between 0 and 1, got "${value}"`);
      return n;
    };
    const minCoverage = threshold(options.minCoverage, '--min-coverage', () => loadConfig().ANSWER_MIN_SCORE);
    const minConfidence = threshold(options.minConfidence, '--min-confidence', () => DEFAULT_MIN_CONFIDENCE);
    if (!options.docs === !options.knowledge) throw new EvalInputError('give exactly one of --docs <jsonl> and --knowledge <markdown folder>');
    const chunks = options.knowledge ? await loadMarkdownFolder(options.knowledge) : undefined;
    if (chunks && chunks.length === 0) throw new EvalInputError(`${options.knowledge}: no markdown sections`);
    const docs = options.docs ? readJsonl(options.docs, docLine) : [];
    const queries = readJsonl(options.queries, queryLine);
    // Never downloads (evaluations run offline): `npm install` or scripts/prepare-models.sh prepares the model.
    const embedder = options.lexicalOnly ? undefined : await loadEmbeddedEmbedder({ prepare: false, log: (line) => process.stderr.write(`${line}\n`) });
    // The product's decision unless a threshold was asked for explicitly.
    const answerability = embedder && options.minConfidence === undefined ? answerabilityModelFor(embedder.id) : undefined;
    const mode = !embedder
      ? `lexical-only, min coverage ${minCoverage}`
      : answerability
        ? `hybrid (${embedder.id}), answerability model (threshold ${answerability.threshold})`
        : `hybrid (${embedder.id}), min confidence ${minConfidence}`;
    process.stderr.write(`eval retrieval: ${chunks ? `${chunks.length} sections` : `${docs.length} documents`}, ${queries.length} queries, ${mode}\n`);
    try {
      return await evaluateRetrieval(docs, queries, embedder ? minConfidence : minCoverage, {
        ...(embedder ? { embedder } : {}),
        ...(answerability ? { answerability } : {}),
        ...(chunks ? { chunks } : {}),
      });
    } finally {
      await (embedder as { close?: () => Promise<void> } | undefined)?.close?.();
    }
  });
}
