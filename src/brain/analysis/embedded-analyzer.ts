import type { Embedder } from '../../../knowledge/embedder';
import type { IntentSpec } from '../catalog/intents';
import { extractEntities } from '../entities';
import { IntentClassifier, INTENT_MIN_SIMILARITY, LEXICAL_MIN_CONFIDENCE, SENTENCE_MIN_CONFIDENCE, type IntentExample } from '../intent/classifier';
import { asksForHuman } from '../intents';
import { detectLanguage } from '../language';
import { yieldToEventLoop } from '../yield';
import type { AnalyzeContext, Analysis, Analyzer, SentimentAnalyzer } from './types';

export interface EmbeddedAnalyzerOptions {
  /** Below this intent confidence the message is out of scope: no intent is forced on it. */
  /** Unset: the measured default of the classifier in use (sentence head 0.4, lexical 0.5). */
  intentMinConfidence?: number;
  /**
   * The shared sentence encoder (the one retrieval uses). With it, each message is embedded once
   * (`embedQueries`, so retrieval's own call is a cache hit), the intent head reads the vector beside its lexical
   * features and the vector is handed to the sentiment head and exposed on the Analysis. Without it: lexical only.
   */
  embedder?: Embedder;
  /** Told when the encoder fails (training or one message); that message, or the whole run, goes lexical-only. */
  onEmbeddingError?: (err: unknown) => void;
}

export const OUT_OF_SCOPE = 'out_of_scope';

/**
 * The offline analyzer: language (tinyld), intent (a classifier trained at start from the admin's intent files),
 * sentiment with frustration and urgency, entities. Everything runs in-process in a few milliseconds, plus one
 * encoder pass (~4 ms) per message when the shared encoder is prepared.
 */
export class EmbeddedAnalyzer implements Analyzer {
  private readonly examples: IntentExample[];
  /** Lexical features only: trained at once, used until (or unless) the sentence-vector head is ready. */
  private readonly lexical: IntentClassifier | undefined;
  private withVectors: Promise<IntentClassifier | undefined> | undefined;

  constructor(
    intents: IntentSpec[],
    private readonly sentiment: SentimentAnalyzer,
    private readonly options: EmbeddedAnalyzerOptions,
  ) {
    this.examples = intents.flatMap((intent) => intent.examples.map((text) => ({ text, label: intent.name })));
    // One intent cannot be told apart from anything: without two, every message is simply "in no intent".
    this.lexical = intents.length >= 2 ? IntentClassifier.train(this.examples) : undefined;
  }

  /** Embeds the intent examples and trains the sentence-vector head now, rather than on the first message. Never throws. */
  async prepare(): Promise<void> {
    await this.sentenceClassifier();
  }

  async analyze(text: string, context: AnalyzeContext): Promise<Analysis> {
    const language = detectLanguage(text, context.conversationLanguage ? { fallback: context.conversationLanguage } : {});
    const vector = await this.embed(text);
    await yieldToEventLoop();
    const sentiment = await this.sentiment.analyze(text, vector);
    await yieldToEventLoop();
    const withVectors = vector ? await this.sentenceClassifier() : undefined;
    const classifier = withVectors ?? this.lexical;
    const prediction = classifier?.predict(text, withVectors ? vector : undefined);
    // A message unlike every example is out of scope even when the linear models happen to prefer one intent.
    const unlike = withVectors !== undefined && vector !== undefined && withVectors.nearestSimilarity(vector) < INTENT_MIN_SIMILARITY;
    const minConfidence = this.options.intentMinConfidence ?? (withVectors ? SENTENCE_MIN_CONFIDENCE : LEXICAL_MIN_CONFIDENCE);
    const inScope = prediction !== undefined && prediction.confidence >= minConfidence && !unlike;
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
      ...(vector ? { vector } : {}),
    };
  }

  /** The message's query vector (the same call retrieval makes, so one encoder pass serves both), or undefined. */
  private async embed(text: string): Promise<Float32Array | undefined> {
    const embedder = this.options.embedder;
    if (!embedder) return undefined;
    try {
      const embed = embedder.embedQueries?.bind(embedder) ?? embedder.embed.bind(embedder);
      return (await embed([text]))[0];
    } catch (err) {
      this.options.onEmbeddingError?.(err);
      return undefined;
    }
  }

  /** The intent head over lexical features and sentence vectors, trained once; undefined without an encoder. */
  private sentenceClassifier(): Promise<IntentClassifier | undefined> {
    const embedder = this.options.embedder;
    if (!embedder || !this.lexical) return Promise.resolve(undefined);
    this.withVectors ??= (async () => {
      try {
        const embed = embedder.embedQueries?.bind(embedder) ?? embedder.embed.bind(embedder);
        const vectors: Float32Array[] = [];
        // One text at a time, as messages are embedded (batched int8 inference makes a vector depend on its batch).
        for (const example of this.examples) vectors.push((await embed([example.text]))[0]!);
        return IntentClassifier.train(this.examples, {}, vectors);
      } catch (err) {
        this.options.onEmbeddingError?.(err);
        return undefined;
      }
    })();
    return this.withVectors;
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
