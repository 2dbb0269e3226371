/**
 * Turns texts into unit-length vectors for semantic retrieval. Implementations: the embedded ONNX model
 * (src/brain/embeddings) and an OpenAI-compatible provider (src/brain/openai). Knowledge only sees this port.
 */
export interface Embedder {
  /** Stable identity of the vector space ("minilm-l6-v2-q", "openai:text-embedding-3-small"): vectors from different ids never mix. */
  readonly id: string;
  readonly dimensions: number;
  /** One L2-normalised vector per text, in order. */
  embed(texts: string[]): Promise<Float32Array[]>;
  /**
   * Vectors for search queries, when the model embeds queries differently from passages (bge's retrieval
   * instruction). Without it, queries go through {@link embed}.
   */
  embedQueries?(texts: string[]): Promise<Float32Array[]>;
}
