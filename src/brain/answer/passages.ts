import type { HybridHit, HybridRetriever } from '../../../knowledge/hybrid';
import { answerabilityModelFor } from './answerability';
import { decide, readUnits, type Reading } from './reading';
import type { Passage } from './types';

/** Where answers come from: the knowledge base, searched lexically, semantically or both. */
export interface PassageSource {
  /** Best first; each passage says whether its confidence is keyword coverage (`lexical`) or calibrated. */
  retrieve(query: string, limit: number): Promise<Passage[]>;
  /** The knowledge base's article titles (what the assistant can help with), when the source knows them. */
  topics?(): string[];
  /**
   * The answer decision over the whole message (its questions read one by one), when an answerability model is
   * fitted for the encoder in use; undefined otherwise (lexical-only, or an encoder without a model), and the
   * brain falls back to `retrieve` and the answerer's threshold.
   */
  read?(message: string): Promise<Reading | undefined>;
  /** One section by id: what a tapped clarifying option answers from. */
  passage?(id: string): Passage | undefined;
  /** Re-reads the stored knowledge now, when the source follows it (src/knowledge-live.ts). */
  refresh?(): Promise<void>;
}

export function toPassage(hit: Pick<HybridHit, 'chunk' | 'confidence'>, lexical = false, chosen?: boolean): Passage {
  return {
    id: hit.chunk.id,
    title: hit.chunk.title,
    ...(hit.chunk.heading ? { heading: hit.chunk.heading } : {}),
    ...(hit.chunk.url ? { url: hit.chunk.url } : {}),
    text: hit.chunk.text,
    confidence: hit.confidence,
    ...(lexical ? { lexical } : {}),
    ...(chosen !== undefined ? { chosen } : {}),
  };
}

/**
 * Hybrid retrieval, with the keyword retriever as the fallback for a query the embedder cannot serve (a provider
 * outage): one answer from words beats none, and the abstain rule of that mode applies.
 */
export function retrieverPassages(primary: HybridRetriever, keywordFallback?: HybridRetriever, onFallback?: (err: unknown) => void): PassageSource {
  const model = primary.semantic ? answerabilityModelFor(primary.embedderId) : undefined;
  return {
    async retrieve(query, limit) {
      try {
        return (await primary.search(query, limit)).map((h) => toPassage(h, !primary.semantic));
      } catch (err) {
        if (!keywordFallback) throw err;
        onFallback?.(err);
        return (await keywordFallback.search(query, limit)).map((h) => toPassage(h, true));
      }
    },
    async read(message) {
      if (!model) return undefined;
      try {
        return decide(await readUnits(message, primary, model), model);
      } catch (err) {
        // The embedder failed: `retrieve` falls back to keywords and the lexical rule decides.
        if (!keywordFallback) throw err;
        onFallback?.(err);
        return undefined;
      }
    },
    passage(id) {
      const chunk = primary.chunk(id);
      return chunk ? toPassage({ chunk, confidence: 1 }, !primary.semantic, true) : undefined;
    },
  };
}
