import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { KnowledgeChunk } from '../../knowledge/chunk';
import { confidentEnough, KeywordRetriever } from '../../knowledge/retriever';
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
  msPerQuery: number;
}

/**
 * Ranks the documents for each query with the brain's retriever and applies the brain's abstain rule.
 * hit@k and MRR are over answerable queries (ranking quality); abstainRecall is over unanswerable ones;
 * answeredPrecision is over the queries the brain would answer (an answer to an unanswerable query is wrong).
 */
export function evaluateRetrieval(
  docs: Array<z.infer<typeof docLine>>,
  queries: Array<z.infer<typeof queryLine>>,
  minCoverage: number,
): RetrievalEvalResult {
  const chunks: KnowledgeChunk[] = docs.map((d) => ({ id: d.id, docId: d.id, docTitle: d.title, heading: d.title, title: d.title, text: d.text }));
  const retriever = new KeywordRetriever(chunks);
  const known = new Set(docs.map((d) => d.id));
  for (const q of queries) {
    const unknown = q.relevant.find((id) => !known.has(id));
    if (unknown) throw new EvalInputError(`query ${q.id}: relevant document "${unknown}" is not in the documents file`);
  }

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
    const hits = retriever.search(q.query, 10);
    const relevant = new Set(q.relevant);
    const answers = confidentEnough(hits[0], minCoverage);
    if (relevant.size > 0) {
      answerable += 1;
      const rank = hits.findIndex((h) => relevant.has(h.chunk.id));
      if (rank === 0) hit1 += 1;
      if (rank >= 0 && rank < 5) hit5 += 1;
      if (rank >= 0) rr += 1 / (rank + 1);
    } else {
      unanswerable += 1;
      if (!answers) abstainedUnanswerable += 1;
    }
    if (answers) {
      answered += 1;
      if (relevant.has(hits[0]!.chunk.id)) answeredRight += 1;
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
    msPerQuery: round(msPerQuery),
  };
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

export async function evalRetrievalCommand(options: { docs: string; queries: string; minCoverage?: string }): Promise<void> {
  await runEval(() => {
    const minCoverage = options.minCoverage === undefined ? loadConfig().ANSWER_MIN_SCORE : Number(options.minCoverage);
    if (!(minCoverage >= 0 && minCoverage <= 1)) throw new EvalInputError(`--min-coverage must be between 0 and 1, got "${options.minCoverage}"`);
    const docs = readJsonl(options.docs, docLine);
    const queries = readJsonl(options.queries, queryLine);
    process.stderr.write(`eval retrieval: ${docs.length} documents, ${queries.length} queries\n`);
    return evaluateRetrieval(docs, queries, minCoverage);
  });
}
