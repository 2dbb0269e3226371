import type { HybridHit, HybridRetriever } from '../../../knowledge/hybrid';
import { answerProbability, evidenceOf, type AnswerabilityModel, type AnswerEvidence } from './answerability';
import { meaningfulWords, questionUnits, type QuestionUnit } from './question-units';

/** One searched part of the message, its ranked sections and the model's belief that the best one answers it. */
export interface UnitReading {
  unit: QuestionUnit;
  hits: HybridHit[];
  evidence?: AnswerEvidence;
  probability: number;
}

/**
 * What the help centre can do for a message:
 * - answer: from one section, or from two when the message asks two things that two sections answer;
 * - clarify: the question is about one of two sections and the evidence cannot tell which;
 * - abstain: no section answers it well enough.
 */
export type Reading =
  | { kind: 'answer'; sections: HybridHit[]; probability: number; units: UnitReading[] }
  | { kind: 'clarify'; options: HybridHit[]; probability: number; units: UnitReading[] }
  | { kind: 'abstain'; best?: HybridHit; probability: number; units: UnitReading[] };

export const READING_LIMIT = 5;

/** Ranks every unit of the message (one encoder pass each) and scores its best section. */
export async function readUnits(message: string, retriever: HybridRetriever, model: AnswerabilityModel): Promise<UnitReading[]> {
  const units = questionUnits(message);
  const ranked: Array<{ unit: QuestionUnit; hits: HybridHit[] }> = [];
  for (const unit of units) ranked.push({ unit, hits: await retriever.search(unit.text, READING_LIMIT) });
  return ranked.map(({ unit, hits }) => {
    const top = hits[0]?.chunk.id;
    const agreement = ranked.filter((r) => r.hits[0]?.chunk.id === top).length / ranked.length;
    const evidence = evidenceOf(hits, retriever.knownWordShare(unit.text), meaningfulWords(unit.text), agreement);
    return { unit, hits, ...(evidence ? { evidence } : {}), probability: evidence ? answerProbability(model, evidence) : 0 };
  });
}

/** The decision over the units' readings (pure: the eval and the brain share it). */
export function decide(units: UnitReading[], model: AnswerabilityModel): Reading {
  const ranked = [...units].sort((a, b) => b.probability - a.probability);
  const best = ranked[0];
  if (!best || !best.hits[0]) return { kind: 'abstain', probability: 0, units };
  const top = best.hits[0];
  if (best.probability >= model.threshold) {
    const sections = [top];
    // A second question in the message, answered confidently by another section: answer both, cite both.
    for (const other of ranked.slice(1)) {
      const hit = other.hits[0];
      if (!hit || other.unit.sentence < 0 || other.probability < model.threshold) continue;
      if (sections.some((s) => s.chunk.id === hit.chunk.id)) continue;
      if (other.unit.sentence === best.unit.sentence) continue;
      sections.push(hit);
      break;
    }
    return { kind: 'answer', sections, probability: best.probability, units };
  }
  // Nearly answerable, but between two sections: the best two of the question are neck and neck, or another part
  // of the message points to another section almost as credibly. Ask which one the customer means.
  if (best.probability >= model.clarifyFloor) {
    const rival = ranked.slice(1).find((u) => u.hits[0] && u.hits[0].chunk.id !== top.chunk.id && u.probability >= model.clarifyFloor)?.hits[0];
    const sibling = best.evidence && best.evidence.lead <= model.clarifyMargin ? best.hits[1] : undefined;
    const other = rival ?? sibling;
    if (other) return { kind: 'clarify', options: [top, other], probability: best.probability, units };
  }
  return { kind: 'abstain', best: top, probability: best.probability, units };
}
