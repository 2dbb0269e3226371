import { answerProbability, FEATURES, featureVector, type AnswerabilityModel } from './answerability';
import { decide, type UnitReading } from './reading';

/** A question with its readings and the sections that answer it (empty: the help centre cannot). */
export interface LabelledReading {
  relevant: string[];
  units: UnitReading[];
}

/**
 * Logistic regression by Newton's method with a small L2 penalty on the weights (not the bias): deterministic,
 * converges in a few iterations for a handful of features, and needs no library. Features are standardised
 * inside and the weights mapped back, so the committed numbers apply to raw evidence.
 */
export function fitLogistic(rows: number[][], labels: number[], l2 = 1): { bias: number; weights: number[] } {
  const d = rows[0]?.length ?? 0;
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
  const sd = Array.from({ length: d }, (_, j) => Math.sqrt(rows.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / rows.length) || 1);
  const x = rows.map((r) => [1, ...r.map((v, j) => (v - mean[j]!) / sd[j]!)]);
  const w = new Array<number>(d + 1).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const grad = new Array<number>(d + 1).fill(0);
    const hess = Array.from({ length: d + 1 }, () => new Array<number>(d + 1).fill(0));
    x.forEach((xi, i) => {
      const p = 1 / (1 + Math.exp(-xi.reduce((s, v, j) => s + v * w[j]!, 0)));
      const g = p - labels[i]!;
      const h = p * (1 - p);
      for (let a = 0; a <= d; a++) {
        grad[a]! += g * xi[a]!;
        for (let b = 0; b <= d; b++) hess[a]![b]! += h * xi[a]! * xi[b]!;
      }
    });
    for (let a = 1; a <= d; a++) {
      grad[a]! += l2 * w[a]!;
      hess[a]![a]! += l2;
    }
    const step = solve(hess, grad);
    let size = 0;
    for (let a = 0; a <= d; a++) {
      w[a]! -= step[a]!;
      size = Math.max(size, Math.abs(step[a]!));
    }
    if (size < 1e-9) break;
  }
  const weights = w.slice(1).map((v, j) => v / sd[j]!);
  const bias = w[0]! - weights.reduce((s, v, j) => s + v * mean[j]!, 0);
  return { bias, weights };
}

function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c || m[c]![c] === 0) continue;
      const f = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= f * m[c]![k]!;
    }
  }
  return m.map((row, i) => (row[i] ? row[n]! / row[i]! : 0));
}

/** Training rows: every searched unit, labelled 1 when its best section is one that answers the question. */
export function trainingRows(data: LabelledReading[]): { rows: number[][]; labels: number[] } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (const q of data) {
    for (const u of q.units) {
      if (!u.evidence || !u.hits[0]) continue;
      rows.push(featureVector(u.evidence));
      labels.push(q.relevant.includes(u.hits[0].chunk.id) ? 1 : 0);
    }
  }
  return { rows, labels };
}

export interface DecisionScores {
  answerable: number;
  unanswerable: number;
  answered: number;
  /** Answered with only sections that answer it. */
  answeredRight: number;
  /** answeredRight ÷ answerable. */
  coverage: number;
  answeredPrecision: number | null;
  abstainRecall: number | null;
  /** Clarifying questions asked, and those whose options include a right section. */
  clarified: number;
  clarifiedRight: number;
  /** Answers citing two sections. */
  multiSection: number;
}

/** The product's decision over every question, scored. */
export function scoreDecisions(data: LabelledReading[], model: AnswerabilityModel): DecisionScores {
  let answerable = 0;
  let unanswerable = 0;
  let answered = 0;
  let answeredRight = 0;
  let abstained = 0;
  let clarified = 0;
  let clarifiedRight = 0;
  let multiSection = 0;
  for (const q of data) {
    const rescored = q.units.map((u) => ({ ...u, probability: u.evidence ? answerProbability(model, u.evidence) : 0 }));
    const reading = decide(rescored, model);
    const relevant = new Set(q.relevant);
    if (relevant.size) answerable += 1;
    else unanswerable += 1;
    if (reading.kind === 'answer') {
      answered += 1;
      if (reading.sections.length > 1) multiSection += 1;
      if (relevant.size && reading.sections.every((s) => relevant.has(s.chunk.id))) answeredRight += 1;
    } else {
      if (!relevant.size) abstained += 1;
      if (reading.kind === 'clarify') {
        clarified += 1;
        if (reading.options.some((o) => relevant.has(o.chunk.id))) clarifiedRight += 1;
      }
    }
  }
  const frac = (a: number, b: number) => (b ? Math.round((a / b) * 10_000) / 10_000 : null);
  return {
    answerable,
    unanswerable,
    answered,
    answeredRight,
    coverage: frac(answeredRight, answerable) ?? 0,
    answeredPrecision: frac(answeredRight, answered),
    abstainRecall: frac(abstained, unanswerable),
    clarified,
    clarifiedRight,
    multiSection,
  };
}

export { FEATURES };
