import type { HybridHit } from '../../../knowledge/hybrid';
import weightsFile from './answerability-weights.json';

/**
 * Whether the best section answers a question, from the retrieval evidence: a small logistic regression per
 * encoder (the vector scores' scale differs between models), fitted on realistic customer questions over the demo
 * help centre by `npx tsx scripts/fit-answerability.ts`. It replaces the single confidence threshold, which read
 * only the best vector score and its lead and so could not tell "How do I return them?" after a story about boots
 * (a moderate score, clearly about returns) from "Can I buy an extended warranty?" (a similar score, about
 * something the help centre never says).
 */
export interface AnswerEvidence {
  /** Weighted cosine similarity of the best section over its views. */
  top: number;
  /** Its lead over the next section's vector score. */
  lead: number;
  /** Its best single sentence's similarity. */
  sentence: number;
  /** Share of the question's words in the section (BM25 coverage). */
  coverage: number;
  /** The section's BM25 score ÷ the question's best BM25 score: 1 when the words agree with the vectors. */
  lexicalShare: number;
  /** Share of the question's words the knowledge base knows at all. */
  knownWords: number;
  /** The best section's distance above the query's typical similarity, in standard deviations. */
  z: number;
  /** The same for the runner-up: a second section almost as far out means the question sits between two. */
  leadZ: number;
  /** 1 when the best section is a document's introduction (no heading): an overview, rarely the answer itself. */
  intro: number;
  /** The question's meaningful words, capped at 8 and scaled to 0..1: a three-word fragment's scores mean less. */
  length: number;
  /** Share of the message's searched parts whose best section is this one: parts that agree are more credible. */
  agreement: number;
}

export const FEATURES: Array<keyof AnswerEvidence> = ['top', 'lead', 'sentence', 'coverage', 'lexicalShare', 'knownWords', 'z', 'leadZ', 'intro', 'length', 'agreement'];

export interface AnswerabilityModel {
  /** Embedder id the model was fitted for. */
  embedder: string;
  bias: number;
  weights: Record<keyof AnswerEvidence, number>;
  /** Answer at or above this probability (chosen on the dev split for answered precision ≥ 0.95). */
  threshold: number;
  /** Two sections both at or above this, within `clarifyMargin` of each other: ask which one is meant. */
  clarifyFloor: number;
  clarifyMargin: number;
  /** Where it came from: the data and the dev-split figures at the threshold. */
  fittedOn: string;
}

const MODELS = weightsFile as unknown as Record<string, AnswerabilityModel>;

/** The committed model for this encoder, if one was fitted. */
export function answerabilityModelFor(embedderId: string | undefined): AnswerabilityModel | undefined {
  return embedderId ? MODELS[embedderId] : undefined;
}

/** The evidence for a ranked list of hits (best first) of one question. */
export function evidenceOf(hits: HybridHit[], knownWords: number, words: number, agreement = 1): AnswerEvidence | undefined {
  const best = hits[0];
  if (!best || best.vectorScore === undefined) return undefined;
  return {
    top: best.vectorScore,
    lead: best.vectorScore - (hits[1]?.vectorScore ?? 0),
    sentence: best.sentenceScore ?? best.vectorScore,
    coverage: best.coverage,
    lexicalShare: best.lexicalShare ?? 0,
    knownWords,
    z: best.vectorZ ?? 0,
    leadZ: (best.vectorZ ?? 0) - (hits[1]?.vectorZ ?? 0),
    intro: best.chunk.heading ? 0 : 1,
    length: Math.min(words, 8) / 8,
    agreement,
  };
}

/** Probability that the best section answers the question. */
export function answerProbability(model: Pick<AnswerabilityModel, 'bias' | 'weights'>, evidence: AnswerEvidence): number {
  let z = model.bias;
  for (const f of FEATURES) z += model.weights[f] * evidence[f];
  return 1 / (1 + Math.exp(-z));
}

/** The evidence as the model's feature vector, in FEATURES order. */
export function featureVector(evidence: AnswerEvidence): number[] {
  return FEATURES.map((f) => evidence[f]);
}
