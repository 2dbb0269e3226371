import type { HybridRetriever } from '../../../knowledge/hybrid';
import type { Passage } from './types';

/** Where answers come from: the knowledge base, searched lexically, semantically or both. */
export interface PassageSource {
  /** Best first; each passage says whether its confidence is keyword coverage (`lexical`) or calibrated. */
  retrieve(query: string, limit: number): Promise<Passage[]>;
  /** The knowledge base's article titles (what the assistant can help with), when the source knows them. */
  topics?(): string[];
}

function toPassages(hits: Awaited<ReturnType<HybridRetriever['search']>>, lexical: boolean): Passage[] {
  return hits.map((hit) => ({
    id: hit.chunk.id,
    title: hit.chunk.title,
    ...(hit.chunk.url ? { url: hit.chunk.url } : {}),
    text: hit.chunk.text,
    confidence: hit.confidence,
    ...(lexical ? { lexical } : {}),
  }));
}

/**
 * Hybrid retrieval, with the keyword retriever as the fallback for a query the embedder cannot serve (a provider
 * outage): one answer from words beats none, and the abstain rule of that mode applies.
 */
export function retrieverPassages(primary: HybridRetriever, keywordFallback?: HybridRetriever, onFallback?: (err: unknown) => void): PassageSource {
  return {
    async retrieve(query, limit) {
      try {
        return toPassages(await primary.search(query, limit), !primary.semantic);
      } catch (err) {
        if (!keywordFallback) throw err;
        onFallback?.(err);
        return toPassages(await keywordFallback.search(query, limit), true);
      }
    },
  };
}
