import type { Sentiment } from '../../../conversations/types';
import type { Entity } from '../entities';

/** What the brain reads in one inbound message, before deciding anything. */
export interface Analysis {
  language?: string;
  /** The admin-defined intent, or `outOfScope` when the message fits none of them. */
  intent: { name: string; confidence: number; outOfScope: boolean; second?: { name: string; confidence: number } };
  sentiment: SentimentReading;
  /** The customer asked for a person in words ("talk to a human", "agent please"). */
  wantsHuman: boolean;
  entities: Entity[];
  /**
   * The message's query vector from the shared encoder (`embedQueries`), when it is prepared: the intent and
   * sentiment heads read it, and later stages can reuse it instead of embedding the message again.
   */
  vector?: Float32Array;
  /** Who produced it: "openai", or "embedded-fallback" with the reason when the provider could not. */
  provider?: string;
  fallbackReason?: string;
}

export interface SentimentReading {
  label: Sentiment;
  /** −1 (very negative) … 1 (very positive). */
  score: number;
  /** 0 … 1: anger, repeated contact, "still", "again", all caps, "!!!". */
  frustration: number;
  /** Time pressure or harm: "urgent", "asap", "right now", "fraud", "stolen", a deadline. */
  urgent: boolean;
  /** Why, for the agent's card and for debugging ("furious", "still hasn't arrived"). */
  cues: string[];
}

export interface SentimentAnalyzer {
  /** `vector`: the message's query vector from the shared encoder, when the analyzer has one. */
  analyze(text: string, vector?: Float32Array): Promise<SentimentReading>;
}

export interface AnalyzeContext {
  /** The language the conversation has been held in so far: a tie-breaker for short messages. */
  conversationLanguage?: string;
}

/** Reads one message. The embedded analyzer runs offline; the OpenAI one falls back to it on any failure. */
export interface Analyzer {
  analyze(text: string, context: AnalyzeContext): Promise<Analysis>;
}
