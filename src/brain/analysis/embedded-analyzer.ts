import type { IntentSpec } from '../catalog/intents';
import { extractEntities } from '../entities';
import { IntentClassifier } from '../intent/classifier';
import { asksForHuman } from '../intents';
import { detectLanguage } from '../language';
import { yieldToEventLoop } from '../yield';
import type { AnalyzeContext, Analysis, Analyzer, SentimentAnalyzer } from './types';

export interface EmbeddedAnalyzerOptions {
  /** Below this intent confidence the message is out of scope: no intent is forced on it. */
  intentMinConfidence: number;
}

export const OUT_OF_SCOPE = 'out_of_scope';

/**
 * The offline analyzer: language (tinyld), intent (a classifier trained at start from the admin's intent files),
 * sentiment with frustration and urgency, entities. Everything runs in-process in a few milliseconds.
 */
export class EmbeddedAnalyzer implements Analyzer {
  private readonly classifier: IntentClassifier | undefined;

  constructor(
    intents: IntentSpec[],
    private readonly sentiment: SentimentAnalyzer,
    private readonly options: EmbeddedAnalyzerOptions,
  ) {
    const examples = intents.flatMap((intent) => intent.examples.map((text) => ({ text, label: intent.name })));
    // One intent cannot be told apart from anything: without two, every message is simply "in no intent".
    this.classifier = intents.length >= 2 ? IntentClassifier.train(examples) : undefined;
  }

  async analyze(text: string, context: AnalyzeContext): Promise<Analysis> {
    const language = detectLanguage(text, context.conversationLanguage ? { fallback: context.conversationLanguage } : {});
    await yieldToEventLoop();
    const sentiment = await this.sentiment.analyze(text);
    await yieldToEventLoop();
    const prediction = this.classifier?.predict(text);
    const inScope = prediction !== undefined && prediction.confidence >= this.options.intentMinConfidence;
    await yieldToEventLoop();
    const entities = extractEntities(text);
    return {
      ...(language ? { language } : {}),
      intent: {
        name: inScope ? prediction.label : OUT_OF_SCOPE,
        confidence: round(prediction?.confidence ?? 0),
        outOfScope: !inScope,
        ...(prediction?.second ? { second: { name: prediction.second.label, confidence: round(prediction.second.confidence) } } : {}),
      },
      sentiment,
      wantsHuman: asksForHuman(text),
      entities,
    };
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
