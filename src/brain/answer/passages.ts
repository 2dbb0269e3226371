import type { KeywordRetriever } from '../../../knowledge/retriever';
import type { Passage } from './types';

/** Where answers come from: the knowledge base, searched lexically, semantically or both. */
export interface PassageSource {
  retrieve(query: string, limit: number): Promise<Passage[]>;
}

/** BM25 alone: confidence is the share of the question's meaningful words the passage contains. */
export function keywordPassages(retriever: KeywordRetriever): PassageSource {
  return {
    async retrieve(query, limit) {
      return retriever.search(query, limit).map((hit) => ({
        id: hit.chunk.id,
        title: hit.chunk.title,
        ...(hit.chunk.url ? { url: hit.chunk.url } : {}),
        text: hit.chunk.text,
        confidence: hit.coverage,
      }));
    },
  };
}
