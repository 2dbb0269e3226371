import MiniSearch from 'minisearch';
import type { KnowledgeChunk } from './chunk';

export interface RetrievalHit {
  chunk: KnowledgeChunk;
  score: number;
  /** Share of the query's meaningful terms found in the chunk (0..1): a length-independent confidence signal. */
  coverage: number;
}

// Words that carry no topic: they must not make a question look answerable.
const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could did do does doing for from had has have how i if in into is it its me my ' +
    'of on or our please so that the their them then there these they this to was we what when where which who why will with ' +
    'would you your yours am any about just get got need want know tell much many there hi hello hey thanks thank'
  ).split(' '),
);

export function terms(text: string): string[] {
  return (text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').match(/[a-z0-9]+/g) ?? []).filter(
    (t) => !STOP_WORDS.has(t),
  );
}

/** A light suffix stripper so "returns", "returning" and "returned" meet; enough for a keyword FAQ. */
export function stem(term: string): string {
  if (term.length <= 3) return term;
  return term.replace(/(ing|ed|es|s)$/, '') || term;
}

/**
 * The abstain rule shared by the brain and `eval retrieval`: answer only when enough of the question's meaningful
 * words occur in the best passage. BM25 scores are not comparable across queries; word coverage is.
 */
export function confidentEnough(hit: RetrievalHit | undefined, minCoverage: number): boolean {
  return hit !== undefined && hit.coverage >= minCoverage;
}

/** BM25 over headings (boosted) and bodies. */
export class KeywordRetriever {
  private readonly index: MiniSearch<KnowledgeChunk>;
  private readonly chunksById = new Map<string, KnowledgeChunk>();

  constructor(chunks: KnowledgeChunk[]) {
    this.index = new MiniSearch<KnowledgeChunk>({
      fields: ['heading', 'text', 'docTitle'],
      storeFields: [],
      tokenize: (text) => terms(text),
      processTerm: (term) => stem(term),
      searchOptions: { boost: { heading: 1.5, docTitle: 1.2 }, fuzzy: 0.15, prefix: (t) => t.length > 4 },
    });
    this.index.addAll(chunks);
    for (const c of chunks) this.chunksById.set(c.id, c);
  }

  get size(): number {
    return this.chunksById.size;
  }

  search(query: string, limit = 5): RetrievalHit[] {
    const queryTerms = [...new Set(terms(query).map(stem))];
    if (queryTerms.length === 0) return [];
    return this.index
      .search(queryTerms.join(' '), { combineWith: 'OR' })
      .slice(0, limit)
      .map((r) => {
        const matched = new Set(r.queryTerms.map(stem));
        return {
          chunk: this.chunksById.get(String(r.id))!,
          score: r.score,
          coverage: queryTerms.filter((t) => matched.has(t)).length / queryTerms.length,
        };
      });
  }
}
