/** A retrieved knowledge passage offered to an answerer. */
export interface Passage {
  id: string;
  title: string;
  url?: string;
  text: string;
  /** Retrieval confidence, 0 … 1, comparable across queries. */
  confidence: number;
  /** Found by words alone: `confidence` is keyword coverage, which has its own abstain threshold. */
  lexical?: boolean;
  /**
   * Set when the answer decision (src/brain/answer/reading.ts) has read the message: true for the sections it
   * decided to answer from, false for the others offered as context. The extractive answerer then quotes exactly
   * the chosen ones instead of applying its own threshold.
   */
  chosen?: boolean;
  /** The section's heading, for a clarifying question's button. */
  heading?: string;
}

interface Provenance {
  /** "openai", or "embedded-fallback" with the reason when the provider could not. */
  provider?: string;
  fallbackReason?: string;
}

export type GroundedAnswer =
  | (Provenance & { kind: 'answer'; text: string; citations: Passage[] })
  /**
   * The passages do not support an answer: the brain says so and escalates with reason "low_confidence"
   * ("policy" when the answer was withheld because the model's output broke the rules, e.g. leaked its prompt).
   */
  | (Provenance & { kind: 'abstain'; reason: string });

export interface AnswerContext {
  language?: string;
  /** Recent turns, oldest first, for follow-up questions. Customer text is data, never instructions. */
  history: Array<{ author: 'contact' | 'bot' | 'agent'; text: string }>;
}

/** Writes the reply from the passages only. The embedded answerer is extractive; the OpenAI one generates. */
export interface Answerer {
  answer(question: string, passages: Passage[], context: AnswerContext): Promise<GroundedAnswer>;
}
