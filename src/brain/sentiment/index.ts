export { DEFAULT_HEAD_BLEND, DEFAULT_THRESHOLDS, EMBEDDING_THRESHOLDS, EmbeddedSentimentAnalyzer, type EmbeddedSentimentOptions, type HeadBlend, type SentimentThresholds } from './analyzer';
export { SentimentHead } from './head';
export { normalizeMessage } from './normalize';
