import type { KnowledgeChunk } from './chunk';
import type { Embedder } from './embedder';
import { KeywordRetriever, stem, terms, type RetrievalHit } from './retriever';
import { topK, VectorIndex } from './vector-index';

/**
 * Hybrid retrieval: BM25 (the keyword retriever) plus sentence-embedding similarity, with a calibrated confidence.
 *
 * Each chunk is embedded in several views (see {@link embeddingTexts}): the whole passage ("title. text"), its
 * heading, and each sentence on its own and prefixed with the title. Short customer questions match a heading or a
 * single sentence far better than a whole paragraph, so a chunk's vector score is a weighted mean of the passage
 * similarity, the heading similarity and its best sentence similarities. To keep a query cheap at 10,000 chunks,
 * only the passage vectors are scanned in full; the other views are scored for the best candidates of the passage
 * scan and of BM25 (stage two). BM25 then adds a small, per-query normalised bonus (lexical evidence breaks ties and
 * rescues exact names, codes and rare words the small model does not know).
 *
 * `confidence` is a probability-like 0..1 estimate that the best hit answers the question: a logistic function of the
 * best vector score and its lead over the next answer, fitted on the demo help centre's dev split. Unlike BM25 scores
 * it is comparable across queries, so one threshold ({@link DEFAULT_MIN_CONFIDENCE}) decides when to abstain.
 *
 * Without an embedder the retriever is exactly the keyword retriever, and `confidence` is its word coverage.
 */
export interface HybridHit extends RetrievalHit {
  /** 0..1, comparable across queries: what the abstain rule thresholds on. */
  confidence: number;
  /** Weighted cosine similarity over the chunk's views (absent in lexical-only mode). */
  vectorScore?: number;
  /** BM25 score (0 when no query word occurs in the chunk). */
  lexicalScore: number;
  /** Cosine similarity of the chunk's best single sentence (alone or titled) to the query (absent lexical-only). */
  sentenceScore?: number;
  /** This hit's BM25 score ÷ the best BM25 score of the query (0..1; 0 when no word matched anywhere). */
  lexicalShare?: number;
  /**
   * How far the vector score stands above this query's typical passage similarity, in standard deviations of all
   * passage scores. Embedding similarities have a query-dependent floor (a long chatty message is "similar" to
   * everything); the distance from that floor is comparable across queries where the raw score is not.
   */
  vectorZ?: number;
}

export interface HybridWeights {
  passage: number;
  heading: number;
  /** Best single sentence, as is. */
  sentence: number;
  /** Best single sentence prefixed with the chunk's title. */
  titledSentence: number;
  /** Bonus for the best BM25 match of the query (scaled by score / best score). */
  lexical: number;
}

/** confidence = σ(bias + top · vectorScore + lead · (vectorScore − next answer's vectorScore)). */
export interface Calibration {
  bias: number;
  top: number;
  lead: number;
}

// Weights checked for bge-small-en-v1.5 on the customer-question dev split (a grid over view and lexical weights moved
// hit@1 by < 0.01). The calibration is refitted by scripts/fit-answerability.ts for bge-small-en-v1.5 int8; the brain
// uses it only where no answerability model is fitted for the encoder (src/brain/answer/answerability-weights.json).
export const DEFAULT_WEIGHTS: HybridWeights = { passage: 1, heading: 1, sentence: 1, titledSentence: 1, lexical: 0.1 };
export const DEFAULT_CALIBRATION: Calibration = { bias: -15.1, top: 22.44, lead: 12.8 };
/** Answer only when the best hit's confidence reaches this (semantic mode; lexical mode thresholds word coverage). */
export const DEFAULT_MIN_CONFIDENCE = 0.75;

export interface HybridOptions {
  /** Without one, retrieval is lexical-only (today's keyword retriever). */
  embedder?: Embedder;
  /**
   * Precomputed vectors, one entry per chunk (same order), each the flat concatenation of the vectors of
   * `embeddingTexts(chunk)` in order — or only the first (the passage vector), the rest being embedded here. Missing
   * or malformed entries are embedded here too.
   */
  vectors?: Array<Float32Array | undefined>;
  /** The embedder id the precomputed vectors were made with: when it differs from `embedder.id` they are ignored. */
  vectorsEmbedderId?: string;
  weights?: Partial<HybridWeights>;
  calibration?: Partial<Calibration>;
  /** Candidates per stage-one list (passage scan, BM25) that get the full multi-view score. */
  candidates?: number;
  /**
   * What counts as one answer: hits are collapsed to the best chunk per unit, and the confidence's "lead" is over
   * the next unit. Default: the chunk itself. Whole documents split into passages use the document id.
   */
  unitOf?: (chunk: KnowledgeChunk) => string;
}

/** A view of the chunk's text for the embedder: one vector each. The first is the passage ("Title. text"). */
export function embeddingTexts(chunk: KnowledgeChunk): string[] {
  const title = chunk.title || chunk.docTitle;
  const sentences = splitSentences(chunk.text);
  return [
    `${title}. ${chunk.text}`,
    chunk.heading || chunk.title || chunk.docTitle,
    ...sentences,
    ...sentences.map((s) => `${title}. ${s}`),
  ];
}

const MAX_SENTENCES = 24;
const MIN_SENTENCE_WORDS = 4;

/** Sentences (and list items) of a passage; very short ones join the next, at most MAX_SENTENCES. */
export function splitSentences(text: string): string[] {
  const pieces = text
    .replace(/\r\n?/g, '\n')
    .split(/\n+|(?<=[.!?])\s+(?=["“(\[]?[A-Z0-9])/)
    .map((s) => s.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '').replace(/\s+/g, ' ').trim())
    .filter((s) => s.length > 0);
  const out: string[] = [];
  let carry = '';
  for (const piece of pieces) {
    const joined = carry ? `${carry} ${piece}` : piece;
    if (joined.split(' ').length < MIN_SENTENCE_WORDS) carry = joined;
    else {
      out.push(joined);
      carry = '';
    }
  }
  if (carry) {
    if (out.length) out[out.length - 1] += ` ${carry}`;
    else out.push(carry);
  }
  if (out.length <= MAX_SENTENCES) return out;
  // Too many: merge neighbours pairwise until they fit, so every part of the text stays represented.
  let merged = out;
  while (merged.length > MAX_SENTENCES) {
    const next: string[] = [];
    for (let i = 0; i < merged.length; i += 2) next.push(merged[i + 1] ? `${merged[i]} ${merged[i + 1]}` : merged[i]!);
    merged = next;
  }
  return merged;
}

/**
 * Splits chunks longer than `maxWords` into consecutive passages (paragraphs packed up to the limit, sentences when a
 * paragraph alone is too long). Parts keep the chunk's docId, title and heading; ids get "~2", "~3", ... suffixes
 * (the first part keeps the chunk's id).
 */
export function splitLongChunks(chunks: KnowledgeChunk[], maxWords = 150): KnowledgeChunk[] {
  return chunks.flatMap((chunk) => {
    const words = (s: string) => s.split(/\s+/).filter(Boolean).length;
    if (words(chunk.text) <= maxWords) return [chunk];
    const units = chunk.text
      .replace(/\r\n?/g, '\n')
      .split(/\n\s*\n/)
      .flatMap((p) => (words(p) > maxWords ? splitSentences(p) : [p.trim()]))
      .filter(Boolean);
    const parts: string[] = [];
    let current: string[] = [];
    let count = 0;
    for (const unit of units) {
      const n = words(unit);
      if (count > 0 && count + n > maxWords) {
        parts.push(current.join('\n\n'));
        current = [];
        count = 0;
      }
      current.push(unit);
      count += n;
    }
    if (current.length) parts.push(current.join('\n\n'));
    return parts.map((text, i) => ({ ...chunk, id: i === 0 ? chunk.id : `${chunk.id}~${i + 1}`, text }));
  });
}

interface ChunkViews {
  /** Row of the heading view in the views index; sentences follow, then titled sentences. */
  start: number;
  sentences: number;
}

/**
 * BM25 over heading (×1.5), text and document title (×1.2) with the keyword retriever's tokens and stems, on flat
 * postings: the lexical stage of hybrid retrieval. Exact stems only (no fuzzy or prefix matching — the vectors cover
 * typos and paraphrase), which keeps a query over 10,000 chunks well under a millisecond where MiniSearch's fuzzy OR
 * search takes 15–25 ms.
 */
export class Bm25Index {
  private readonly postings = new Map<string, { rows: Int32Array; tf: Float32Array }>();
  private readonly lengths: Float32Array;
  private readonly avgLength: number;
  readonly size: number;

  constructor(chunks: KnowledgeChunk[], private readonly k1 = 1.2, private readonly b = 0.75) {
    this.size = chunks.length;
    this.lengths = new Float32Array(chunks.length);
    const building = new Map<string, { rows: number[]; tf: number[] }>();
    chunks.forEach((c, row) => {
      const weights = new Map<string, number>();
      let length = 0;
      for (const [text, boost] of [[c.heading, 1.5], [c.text, 1], [c.docTitle, 1.2]] as const) {
        for (const t of terms(text)) {
          const s = stem(t);
          weights.set(s, (weights.get(s) ?? 0) + boost);
          length += boost;
        }
      }
      this.lengths[row] = length;
      for (const [term, tf] of weights) {
        let p = building.get(term);
        if (!p) building.set(term, (p = { rows: [], tf: [] }));
        p.rows.push(row);
        p.tf.push(tf);
      }
    });
    this.avgLength = chunks.length ? this.lengths.reduce((a, x) => a + x, 0) / chunks.length : 1;
    for (const [term, p] of building) this.postings.set(term, { rows: Int32Array.from(p.rows), tf: Float32Array.from(p.tf) });
  }

  /** True when some chunk contains this (stemmed) term. */
  knows(term: string): boolean {
    return this.postings.has(term);
  }

  /** BM25 score of every chunk and the share of the query's terms it contains. */
  score(query: string): { scores: Float32Array; coverage: Float32Array; matched: number[] } {
    const queryTerms = [...new Set(terms(query).map(stem))];
    const scores = new Float32Array(this.size);
    const hits = new Uint8Array(this.size);
    const matched: number[] = [];
    for (const term of queryTerms) {
      const p = this.postings.get(term);
      if (!p) continue;
      const df = p.rows.length;
      const idf = Math.log(1 + (this.size - df + 0.5) / (df + 0.5));
      for (let i = 0; i < df; i++) {
        const row = p.rows[i]!;
        const tf = p.tf[i]!;
        const norm = this.k1 * (1 - this.b + (this.b * this.lengths[row]!) / this.avgLength);
        scores[row]! += (idf * tf * (this.k1 + 1)) / (tf + norm);
        if (hits[row] === 0) matched.push(row);
        if (hits[row]! < 255) hits[row]! += 1;
      }
    }
    const coverage = new Float32Array(this.size);
    if (queryTerms.length) for (const row of matched) coverage[row] = hits[row]! / queryTerms.length;
    return { scores, coverage, matched };
  }
}

export class HybridRetriever {
  /** The lexical-only ranking (MiniSearch BM25 with fuzzy and prefix matching); absent in semantic mode. */
  readonly keyword: KeywordRetriever | undefined;
  private readonly bm25: Bm25Index | undefined;
  private readonly chunks: KnowledgeChunk[];
  private readonly embedder: Embedder | undefined;
  private readonly passages: VectorIndex | undefined;
  private readonly views: VectorIndex | undefined;
  private readonly chunkViews: ChunkViews[];
  private readonly weights: HybridWeights;
  private readonly calibration: Calibration;
  private readonly candidates: number;
  private readonly unitOf: (chunk: KnowledgeChunk) => string;

  private constructor(
    chunks: KnowledgeChunk[],
    options: HybridOptions,
    built?: { passages: VectorIndex; views: VectorIndex; chunkViews: ChunkViews[] },
  ) {
    this.chunks = chunks;
    this.keyword = built ? undefined : new KeywordRetriever(chunks);
    this.bm25 = built ? new Bm25Index(chunks) : undefined;
    this.embedder = built ? options.embedder : undefined;
    this.passages = built?.passages;
    this.views = built?.views;
    this.chunkViews = built?.chunkViews ?? [];
    this.weights = { ...DEFAULT_WEIGHTS, ...options.weights };
    this.calibration = { ...DEFAULT_CALIBRATION, ...options.calibration };
    this.candidates = options.candidates ?? 50;
    this.unitOf = options.unitOf ?? ((c) => c.id);
  }

  /** The lexical-only retriever (no embedder): today's keyword behaviour with a `confidence` equal to word coverage. */
  static lexical(chunks: KnowledgeChunk[], options: Pick<HybridOptions, 'unitOf'> = {}): HybridRetriever {
    return new HybridRetriever(chunks, { ...options, embedder: undefined });
  }

  /** Builds the retriever, embedding every view that was not supplied precomputed. */
  static async create(chunks: KnowledgeChunk[], options: HybridOptions = {}): Promise<HybridRetriever> {
    const embedder = options.embedder;
    if (!embedder) return HybridRetriever.lexical(chunks, options);
    if (new Set(chunks.map((c) => c.id)).size !== chunks.length) throw new Error('chunk ids must be unique');
    const dims = embedder.dimensions;
    const usable = options.vectorsEmbedderId === undefined || options.vectorsEmbedderId === embedder.id;
    const texts = chunks.map(embeddingTexts);
    const perChunk: Float32Array[][] = texts.map((t, i) => {
      const given = usable ? options.vectors?.[i] : undefined;
      if (!given || given.length % dims !== 0 || given.length > t.length * dims) return [];
      const rows: Float32Array[] = [];
      for (let r = 0; r < given.length / dims; r++) rows.push(given.subarray(r * dims, (r + 1) * dims));
      return rows;
    });
    // Everything missing goes to the embedder in one call, which batches by length.
    const todo: Array<{ chunk: number; view: number; text: string }> = [];
    texts.forEach((t, i) => t.forEach((text, view) => view >= perChunk[i]!.length && todo.push({ chunk: i, view, text })));
    const embedded = todo.length ? await embedder.embed(todo.map((t) => t.text)) : [];
    todo.forEach((t, k) => (perChunk[t.chunk]![t.view] = embedded[k]!));

    const passages = new VectorIndex(dims, chunks.length);
    const views = new VectorIndex(dims, texts.reduce((n, t) => n + t.length - 1, 0));
    const chunkViews: ChunkViews[] = [];
    perChunk.forEach((rows, i) => {
      passages.add(rows[0]!);
      chunkViews.push({ start: views.size, sentences: (texts[i]!.length - 2) / 2 });
      for (const row of rows.slice(1)) views.add(row);
    });
    return new HybridRetriever(chunks, options, { passages, views, chunkViews });
  }

  get size(): number {
    return this.chunks.length;
  }

  /** The chunk with this id (a tapped clarifying option names its section by id). */
  chunk(id: string): KnowledgeChunk | undefined {
    return this.chunks.find((c) => c.id === id);
  }

  /** True when vectors are in play; false means lexical-only (confidence is word coverage). */
  get semantic(): boolean {
    return this.passages !== undefined;
  }

  get embedderId(): string | undefined {
    return this.embedder?.id;
  }

  /** Every chunk's vectors, flat, in `embeddingTexts` order: what a store keeps so the next start embeds nothing. */
  chunkVectors(): Float32Array[] {
    if (!this.passages || !this.views) return [];
    const dims = this.passages.dimensions;
    return this.chunks.map((_, i) => {
      const { start, sentences } = this.chunkViews[i]!;
      const n = 2 + 2 * sentences;
      const out = new Float32Array(n * dims);
      out.set(this.passages!.vector(i), 0);
      for (let r = 1; r < n; r++) out.set(this.views!.vector(start + r - 1), r * dims);
      return out;
    });
  }

  /** Best hits first, at most one per answer unit. */
  async search(query: string, limit = 5): Promise<HybridHit[]> {
    if (!this.embedder || !this.passages) {
      return this.collapse(
        this.keyword!.search(query, Math.max(limit * 3, limit + 10)).map((h) => ({ ...h, confidence: h.coverage, lexicalScore: h.score })),
        limit,
      );
    }
    const [queryVector] = await (this.embedder.embedQueries ? this.embedder.embedQueries([query]) : this.embedder.embed([query]));
    return this.rank(query, queryVector!, limit);
  }

  /**
   * Share of the query's meaningful words that occur anywhere in the knowledge base (1 for a query without any).
   * A question about something the help centre never mentions ("hunting knives", "hiring") has words it does
   * not know; paraphrases and typos lower it too, which is why it is one piece of evidence among several.
   */
  knownWordShare(query: string): number {
    const queryTerms = [...new Set(terms(query).map(stem))].filter((t) => t.length > 2 && !/^\d+$/.test(t));
    if (queryTerms.length === 0) return 1;
    const index = this.bm25 ?? undefined;
    if (!index) return 1;
    return queryTerms.filter((t) => index.knows(t)).length / queryTerms.length;
  }

  /** The ranking stage alone, for a query vector already computed (benchmarks, batch evaluation). */
  rank(query: string, queryVector: Float32Array, limit = 5): HybridHit[] {
    if (!this.passages || !this.views) throw new Error('rank() needs vectors: this retriever is lexical-only');
    const w = this.weights;
    const passageScores = this.passages.scores(queryVector);
    let mean = 0;
    for (let i = 0; i < passageScores.length; i++) mean += passageScores[i]!;
    mean /= passageScores.length || 1;
    let variance = 0;
    for (let i = 0; i < passageScores.length; i++) variance += (passageScores[i]! - mean) ** 2;
    const spread = Math.sqrt(variance / (passageScores.length || 1)) || 1;
    const lexical = this.bm25!.score(query);
    const lexicalTop = topK(lexical.scores, Math.min(this.candidates, lexical.matched.length));
    const bestLexical = lexicalTop[0]?.score ?? 0;

    const rows = new Set<number>(topK(passageScores, this.candidates).map((h) => h.row));
    for (const hit of lexicalTop) rows.add(hit.row);

    const weightSum = w.passage + w.heading + w.sentence + w.titledSentence || 1;
    const scored = [...rows].map((row) => {
      const { start, sentences } = this.chunkViews[row]!;
      const view = (r: number) => dot(queryVector, this.views!.vector(r));
      let bestSentence = -1;
      let bestTitled = -1;
      for (let s = 0; s < sentences; s++) {
        if (w.sentence) bestSentence = Math.max(bestSentence, view(start + 1 + s));
        if (w.titledSentence) bestTitled = Math.max(bestTitled, view(start + 1 + sentences + s));
      }
      if (sentences === 0) bestSentence = bestTitled = passageScores[row]!;
      const vectorScore =
        (w.passage * passageScores[row]! +
          (w.heading ? w.heading * view(start) : 0) +
          (w.sentence ? w.sentence * bestSentence : 0) +
          (w.titledSentence ? w.titledSentence * bestTitled : 0)) /
        weightSum;
      const lexicalScore = lexical.scores[row]!;
      const fused = vectorScore + (bestLexical > 0 ? (w.lexical * lexicalScore) / bestLexical : 0);
      return { row, vectorScore, lexicalScore, sentenceScore: Math.max(bestSentence, bestTitled), coverage: lexical.coverage[row]!, fused };
    });
    scored.sort((a, b) => b.fused - a.fused || a.row - b.row);

    const hits: HybridHit[] = scored.map((s) => ({
      chunk: this.chunks[s.row]!,
      score: round(s.fused),
      coverage: s.coverage,
      confidence: 0,
      vectorScore: round(s.vectorScore),
      lexicalScore: round(s.lexicalScore),
      sentenceScore: round(s.sentenceScore),
      lexicalShare: bestLexical > 0 ? round(s.lexicalScore / bestLexical) : 0,
      vectorZ: round((s.vectorScore - mean) / spread),
    }));
    const collapsed = this.collapse(hits, Math.max(limit, 2));
    const top = collapsed[0];
    if (top) {
      const lead = top.vectorScore! - (collapsed[1]?.vectorScore ?? 0);
      const c = this.calibration;
      top.confidence = round(sigmoid(c.bias + c.top * top.vectorScore! + c.lead * lead));
      for (let i = 1; i < collapsed.length; i++) {
        // Lower-ranked hits: the same curve without a lead, capped below the top hit's confidence.
        collapsed[i]!.confidence = Math.min(top.confidence, round(sigmoid(c.bias + c.top * collapsed[i]!.vectorScore!)));
      }
    }
    return collapsed.slice(0, limit);
  }

  private collapse<T extends { chunk: KnowledgeChunk }>(hits: T[], limit: number): T[] {
    const seen = new Set<string>();
    const out: T[] = [];
    for (const hit of hits) {
      const unit = this.unitOf(hit.chunk);
      if (seen.has(unit)) continue;
      seen.add(unit);
      out.push(hit);
      if (out.length >= limit) break;
    }
    return out;
  }
}

/** The abstain rule: answer only from a hit whose confidence reaches the threshold. */
export function confident(hit: HybridHit | undefined, minConfidence: number): hit is HybridHit {
  return hit !== undefined && hit.confidence >= minConfidence;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
