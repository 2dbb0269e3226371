import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { KnowledgeChunk } from '../../knowledge/chunk';
import type { HybridHit } from '../../knowledge/hybrid';
import { loadMarkdownFolder } from '../../knowledge/load';
import { planAnswer, SECTION_CHOICE_PREFIX } from '../../src/brain/answer/answer-path';
import { answerabilityModelFor, answerProbability, FEATURES, type AnswerabilityModel, type AnswerEvidence } from '../../src/brain/answer/answerability';
import { ExtractiveAnswerer } from '../../src/brain/answer/extractive-answerer';
import { fitLogistic } from '../../src/brain/answer/fit-answerability';
import type { PassageSource } from '../../src/brain/answer/passages';
import { questionUnits } from '../../src/brain/answer/question-units';
import { decide, type UnitReading } from '../../src/brain/answer/reading';
import type { Passage } from '../../src/brain/answer/types';
import { BGE_SMALL_EN_V15_Q, cachedModelFiles, loadEmbeddedEmbedder } from '../../src/brain/embeddings';
import { evaluateRetrieval, type EvalQuery } from '../../src/cli/eval-retrieval';

const ROOT = path.join(__dirname, '..', '..');

describe('reading a customer message as its questions', () => {
  it('searches the question without the story, and not the story again when it is nearly the whole message', () => {
    const units = questionUnits("Hi, I bought hiking boots 2 weeks ago and they don't fit. How do I return them?").map((u) => u.text);
    expect(units).toEqual(["Hi, I bought hiking boots 2 weeks ago and they don't fit. How do I return them?", 'How do I return them?']);
  });

  it('searches a question with the story before it when the greeting and other questions make the message longer', () => {
    const units = questionUnits('Hello there, good morning! I ordered boots. They are too tight. How do I return them? Also, thanks for the quick delivery, loved it!');
    expect(units.map((u) => u.text)).toContain('They are too tight. How do I return them?');
  });

  it('keeps each of several questions, and skips fragments with nothing to search for', () => {
    const units = questionUnits('Hello! Two things: how long does delivery to the Netherlands take? And can I pay with iDEAL? Order NW-EU-1048213.');
    expect(units.map((u) => u.text)).toEqual(expect.arrayContaining(['Two things: how long does delivery to the Netherlands take?', 'And can I pay with iDEAL?']));
    expect(units.some((u) => u.text === 'Order NW-EU-1048213.')).toBe(false);
    expect(units.length).toBeLessThanOrEqual(5);
  });

  it('searches a one-sentence question once when there is nothing to drop', () => {
    expect(questionUnits('How do I return an item?')).toEqual([{ text: 'How do I return an item?', sentence: -1, asks: true }]);
  });
});

describe('the answerability model', () => {
  it('fits a logistic regression deterministically, the weights pointing the way the labels do', () => {
    const rows = Array.from({ length: 40 }, (_, i) => [i / 40, (i % 7) / 7]);
    const labels = rows.map(([a], i) => (a! > 0.5 || i === 3 ? 1 : 0));
    const first = fitLogistic(rows, labels);
    expect(fitLogistic(rows, labels)).toEqual(first);
    expect(first.weights[0]).toBeGreaterThan(5);
    expect(Math.abs(first.weights[1]!)).toBeLessThan(first.weights[0]!);
  });

  it('is committed for the default encoder, with an operating point inside 0..1', () => {
    const model = answerabilityModelFor(BGE_SMALL_EN_V15_Q.id)!;
    expect(model).toBeDefined();
    expect(Object.keys(model.weights).sort()).toEqual([...FEATURES].sort());
    expect(model.threshold).toBeGreaterThan(model.clarifyFloor);
    expect(answerabilityModelFor('some-other-encoder')).toBeUndefined();
  });
});

const chunk = (id: string): KnowledgeChunk => ({ id, docId: id.split('#')[0]!, docTitle: 'Doc', heading: `Heading of ${id}`, title: `Doc › ${id}`, text: `Text of ${id}.` });
const hit = (id: string, vectorScore: number): HybridHit => ({ chunk: chunk(id), score: vectorScore, coverage: 0.5, confidence: 0, vectorScore, lexicalScore: 1 });
// A model that reads only the top score: probability = σ(20 · (top − 0.7)).
const MODEL: AnswerabilityModel = {
  embedder: 'toy',
  bias: -14,
  weights: { ...(Object.fromEntries(FEATURES.map((f) => [f, 0])) as AnswerabilityModel['weights']), top: 20 },
  threshold: 0.8,
  clarifyFloor: 0.5,
  clarifyMargin: 0.02,
  fittedOn: 'test',
};
const unit = (text: string, sentence: number, hits: HybridHit[]): UnitReading => {
  const evidence = { top: hits[0]!.vectorScore!, lead: hits[0]!.vectorScore! - (hits[1]?.vectorScore ?? 0) } as AnswerEvidence;
  for (const f of FEATURES) evidence[f] ??= 0;
  return { unit: { text, sentence, asks: true }, hits, evidence, probability: answerProbability(MODEL, evidence) };
};

describe('the answer decision', () => {
  it('answers from the best section when the model is sure enough', () => {
    const reading = decide([unit('whole', -1, [hit('returns#how', 0.9), hit('returns#cost', 0.6)])], MODEL);
    expect(reading.kind).toBe('answer');
    if (reading.kind === 'answer') expect(reading.sections.map((s) => s.chunk.id)).toEqual(['returns#how']);
  });

  it('answers from two sections when two questions of the message are each answered by one', () => {
    const reading = decide(
      [unit('whole', -1, [hit('returns#how', 0.85), hit('returns#exchange', 0.8)]), unit('q1', 0, [hit('returns#how', 0.9)]), unit('q2', 1, [hit('returns#exchange', 0.88)])],
      MODEL,
    );
    expect(reading.kind).toBe('answer');
    if (reading.kind === 'answer') expect(reading.sections.map((s) => s.chunk.id)).toEqual(['returns#how', 'returns#exchange']);
  });

  it('asks which section is meant when the best two are neck and neck below the threshold', () => {
    const reading = decide([unit('whole', -1, [hit('returns#how', 0.74), hit('returns#exchange', 0.73)])], MODEL);
    expect(reading.kind).toBe('clarify');
    if (reading.kind === 'clarify') expect(reading.options.map((o) => o.chunk.id)).toEqual(['returns#how', 'returns#exchange']);
  });

  it('abstains when nothing is close', () => {
    expect(decide([unit('whole', -1, [hit('returns#how', 0.6), hit('returns#exchange', 0.5)])], MODEL).kind).toBe('abstain');
    expect(decide([], MODEL).kind).toBe('abstain');
  });
});

describe('answering from the chosen sections', () => {
  const passage = (id: string, chosen: boolean): Passage => ({ id, title: `Doc › ${id}`, heading: `About ${id}`, text: `Text of ${id}.`, confidence: 0.5, chosen });
  const answerer = new ExtractiveAnswerer({ semantic: 0.75, lexical: 0.35 });

  it('quotes two chosen sections under their headings and cites both, ignoring the context passages', async () => {
    const answer = await answerer.answer('q', [passage('a', true), passage('b', true), passage('c', false)]);
    expect(answer).toEqual({ kind: 'answer', text: 'About a\nText of a.\n\nAbout b\nText of b.', citations: [passage('a', true), passage('b', true)] });
  });

  it('abstains when the decision chose none, whatever the passage confidence', async () => {
    expect((await answerer.answer('q', [{ ...passage('a', false), confidence: 0.99 }])).kind).toBe('abstain');
  });

  it('answers a tapped clarifying option from that section', async () => {
    const source: PassageSource = {
      retrieve: async () => [],
      passage: (id) => (id === 'returns#exchange' ? passage(id, true) : undefined),
    };
    const plan = await planAnswer('Can I exchange an item?', `${SECTION_CHOICE_PREFIX}returns#exchange`, source);
    expect(plan).toEqual({ kind: 'passages', passages: [passage('returns#exchange', true)], best: 1, reading: 'answer' });
  });
});

// The real encoder over the demo help centre, as the brain runs it; skipped only when the model is not prepared.
const prepared = cachedModelFiles(BGE_SMALL_EN_V15_Q) !== undefined;
(prepared ? describe : describe.skip)('the answer decision over the demo help centre (bge-small-en-v1.5 int8)', () => {
  const questions = (file: string): EvalQuery[] =>
    readFileSync(path.join(ROOT, 'knowledge/eval', file), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as EvalQuery);

  it('answers the held-out customer questions precisely and abstains on those it cannot answer', async () => {
    const embedder = (await loadEmbeddedEmbedder({ prepare: false, log: () => undefined }))!;
    try {
      const chunks = await loadMarkdownFolder(path.join(ROOT, 'knowledge/demo'));
      const result = await evaluateRetrieval([], questions('customer-questions-heldout.jsonl'), 0, {
        embedder,
        chunks,
        answerability: answerabilityModelFor(embedder.id)!,
      });
      expect(result.decision).toBe('answerability');
      // Measured 0.957 / 0.616 / 1.0 (13 of 15 clarifying questions offer the right section): a floor, not the figure.
      expect(result.answeredPrecision).toBeGreaterThanOrEqual(0.93);
      expect(result.coverage).toBeGreaterThanOrEqual(0.58);
      expect(result.abstainRecall).toBeGreaterThanOrEqual(0.9);
    } finally {
      await (embedder as { close?: () => Promise<void> }).close?.();
    }
  }, 120_000);
});
