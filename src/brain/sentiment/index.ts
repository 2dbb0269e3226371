export { DEFAULT_THRESHOLDS, EMBEDDING_THRESHOLDS, EmbeddedSentimentAnalyzer, type EmbeddedSentimentOptions, type SentimentThresholds } from './analyzer';
export { normalizeMessage } from './normalize';
