/**
 * Refits the answer decision's model (src/brain/answer/answerability-weights.json) for the current encoder, on the
 * dev split of the customer questions plus the demo queries, over the demo help centre. Deterministic: the same
 * encoder and questions give the same weights. Prints the dev figures; measure the held-out split with
 * `switchboard eval answers`.
 * Usage: nice -n 10 npx tsx scripts/fit-answerability.ts [--model bge-small-en-v1.5-q|minilm-l6-v2-q]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HybridRetriever } from '../knowledge/hybrid';
import { loadMarkdownFolder } from '../knowledge/load';
import { FEATURES, type AnswerabilityModel } from '../src/brain/answer/answerability';
import { fitLogistic, scoreDecisions, trainingRows, type LabelledReading } from '../src/brain/answer/fit-answerability';
import { readUnits } from '../src/brain/answer/reading';
import { BGE_SMALL_EN_V15_Q, loadEmbeddedEmbedder, MINILM_L6_V2_Q } from '../src/brain/embeddings';

const ROOT = join(__dirname, '..');
const WEIGHTS = join(ROOT, 'src/brain/answer/answerability-weights.json');
const TRAIN = ['knowledge/eval/customer-questions-dev.jsonl', 'knowledge/eval/demo-queries.jsonl'];
const PRECISION_FLOOR = 0.95;
const ABSTAIN_FLOOR = 0.88;

function questions(path: string): Array<{ query: string; relevant: string[] }> {
  return readFileSync(join(ROOT, path), 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}

async function main(): Promise<void> {
  const wanted = process.argv.includes('--model') ? process.argv[process.argv.indexOf('--model') + 1] : BGE_SMALL_EN_V15_Q.id;
  const spec = [BGE_SMALL_EN_V15_Q, MINILM_L6_V2_Q].find((s) => s.id === wanted);
  if (!spec) throw new Error(`unknown model ${wanted}`);
  const embedder = await loadEmbeddedEmbedder({ spec, prepare: false });
  if (!embedder) throw new Error('the encoder is not prepared (scripts/prepare-models.sh)');
  const retriever = await HybridRetriever.create(await loadMarkdownFolder(join(ROOT, 'knowledge/demo')), { embedder });
  const provisional: AnswerabilityModel = {
    embedder: embedder.id, bias: 0, weights: Object.fromEntries(FEATURES.map((f) => [f, 0])) as AnswerabilityModel['weights'],
    threshold: 1, clarifyFloor: 1, clarifyMargin: 0, fittedOn: '',
  };
  const data: LabelledReading[] = [];
  for (const path of TRAIN) {
    for (const q of questions(path)) data.push({ relevant: q.relevant, units: await readUnits(q.query, retriever, provisional) });
  }
  const { rows, labels } = trainingRows(data);
  const fit = fitLogistic(rows, labels);
  const base: AnswerabilityModel = {
    ...provisional,
    bias: round(fit.bias),
    weights: Object.fromEntries(FEATURES.map((f, j) => [f, round(fit.weights[j]!)])) as AnswerabilityModel['weights'],
  };
  // The operating point: the lowest threshold whose dev answers are still precise; clarifying sits just below it.
  const dev = data.slice(0, questions(TRAIN[0]!).length);
  let chosen = { ...base, threshold: 0.99 };
  for (let t = 0.99; t >= 0.3; t -= 0.01) {
    const candidate = { ...base, threshold: round(t) };
    const s = scoreDecisions(dev, candidate);
    if (process.argv.includes('--sweep')) console.error(`${candidate.threshold}: coverage ${s.coverage} precision ${s.answeredPrecision} abstain ${s.abstainRecall}`);
    if ((s.answeredPrecision ?? 1) >= PRECISION_FLOOR && (s.abstainRecall ?? 1) >= ABSTAIN_FLOOR) chosen = candidate;
  }
  // Clarifying: the band just below the threshold, and the widest sibling margin whose questions still offer the
  // right section at least three times in four on dev (a wrong pair of buttons costs a tap, not a wrong answer).
  chosen.clarifyFloor = round(Math.max(0.3, chosen.threshold - 0.2));
  chosen.clarifyMargin = 0;
  for (const margin of [0.02, 0.03, 0.04, 0.05, 0.06, 0.08]) {
    const s = scoreDecisions(dev, { ...chosen, clarifyMargin: margin });
    if (s.clarified === 0 || s.clarifiedRight / s.clarified >= 0.75) chosen.clarifyMargin = margin;
  }
  const scores = scoreDecisions(dev, chosen);
  chosen.fittedOn = `${TRAIN.join(' + ')} over knowledge/demo (${rows.length} units); dev coverage ${scores.coverage}, precision ${scores.answeredPrecision}, abstain recall ${scores.abstainRecall}`;
  const all = JSON.parse(readFileSync(WEIGHTS, 'utf8')) as Record<string, AnswerabilityModel>;
  all[embedder.id] = chosen;
  writeFileSync(WEIGHTS, `${JSON.stringify(all, null, 2)}\n`);
  console.log(JSON.stringify({ model: chosen, dev: scores }, null, 2));
  // The retriever's own `confidence` (σ(bias + top·score + lead·lead) of the whole message, knowledge/hybrid.ts
  // DEFAULT_CALIBRATION): what applies where no answerability model is fitted. Refitted here for the same encoder.
  const whole = data.flatMap((q) => q.units.filter((u) => u.unit.sentence < 0 && u.evidence && u.hits[0]).map((u) => ({ u, ok: q.relevant.includes(u.hits[0]!.chunk.id) ? 1 : 0 })));
  const calibration = fitLogistic(whole.map(({ u }) => [u.evidence!.top, u.evidence!.lead]), whole.map(({ ok }) => ok), 0.1);
  console.log(`hybrid calibration for ${embedder.id}: { bias: ${round(calibration.bias)}, top: ${round(calibration.weights[0]!)}, lead: ${round(calibration.weights[1]!)} }`);
  await (embedder as { close?: () => Promise<void> }).close?.();
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
