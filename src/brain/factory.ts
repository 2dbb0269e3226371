import type { KnowledgeChunk } from '../../knowledge/chunk';
import { KeywordRetriever } from '../../knowledge/retriever';
import type { Config } from '../config';
import { EmbeddedAnalyzer } from './analysis/embedded-analyzer';
import { ExtractiveAnswerer } from './answer/extractive-answerer';
import { keywordPassages, type PassageSource } from './answer/passages';
import { loadIntentCatalog, type IntentSpec } from './catalog/intents';
import { loadRouting, type RoutingConfig } from './routing/rules';
import { EmbeddedSentimentAnalyzer } from './sentiment';
import { SupportBrain } from './support-brain';

export interface BrainInputs {
  intents: IntentSpec[];
  routing: RoutingConfig;
  chunks: KnowledgeChunk[];
  clock?: () => Date;
}

export type BrainSettings = Pick<Config, 'ANSWER_MIN_SCORE' | 'INTENT_MIN_CONFIDENCE' | 'CANNED_ANSWER_MIN_CONFIDENCE'> & Partial<Pick<Config, 'KNOWLEDGE_LANGUAGES'>>;

/** Reads the admin's files; a bad one stops the start naming the file and the problem. */
export function loadBrainFiles(config: Pick<Config, 'INTENTS_DIR' | 'ROUTING_FILE'>): { intents: IntentSpec[]; routing: RoutingConfig } {
  return { intents: loadIntentCatalog(config.INTENTS_DIR), routing: loadRouting(config.ROUTING_FILE) };
}

/** The embedded brain: no network, no key. */
export function createEmbeddedBrain(settings: BrainSettings, inputs: BrainInputs, passages?: PassageSource): SupportBrain {
  const analyzer = new EmbeddedAnalyzer(inputs.intents, new EmbeddedSentimentAnalyzer(), { intentMinConfidence: settings.INTENT_MIN_CONFIDENCE });
  return new SupportBrain({
    name: 'embedded',
    analyzer,
    passages: passages ?? keywordPassages(new KeywordRetriever(inputs.chunks)),
    answerer: new ExtractiveAnswerer(settings.ANSWER_MIN_SCORE),
    intents: inputs.intents,
    routing: inputs.routing,
    cannedMinConfidence: settings.CANNED_ANSWER_MIN_CONFIDENCE,
    answerLanguages: settings.KNOWLEDGE_LANGUAGES ?? ['en'],
    ...(inputs.clock ? { clock: inputs.clock } : {}),
  });
}
