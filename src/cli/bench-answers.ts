import { readFileSync } from 'node:fs';
import { HybridRetriever } from '../../knowledge/hybrid';
import { loadMarkdownFolder } from '../../knowledge/load';
import { answerabilityModelFor } from '../brain/answer/answerability';
import { decide, readUnits } from '../brain/answer/reading';
import { retrieverPassages } from '../brain/answer/passages';
import { loadEmbeddedEmbedder } from '../brain/embeddings';
import { createEmbeddedBrain, createEmbeddedParts, loadBrainFiles } from '../brain/factory';
import { loadConfig } from '../config';
import { percentile } from './percentile';

export interface BenchAnswersOptions {
  knowledge?: string;
  /** JSONL files of {query}; comma-separated. */
  queries?: string;
  threads?: string;
  /** Time the whole embedded brain turn (analysis, routing, the answer decision, the reply) instead. */
  brain?: boolean;
}

/**
 * Latency of the answer decision per customer message, as the brain runs it: the message split into its
 * questions, one encoder pass and one ranking per part, the answerability model and the decision. Every message is
 * new to the embedder's cache (the demo queries warm it up, JIT included), so each part pays its encoder pass.
 */
export async function benchAnswersCommand(opts: BenchAnswersOptions): Promise<void> {
  const threads = Number(opts.threads ?? 1);
  const files = (opts.queries ?? 'knowledge/eval/customer-questions-dev.jsonl,knowledge/eval/customer-questions-heldout.jsonl').split(',');
  const embedder = await loadEmbeddedEmbedder({ threads, prepare: false, log: (line) => process.stderr.write(`${line}\n`) });
  const model = answerabilityModelFor(embedder?.id);
  if (!embedder || !model) {
    process.stderr.write('error: bench-answers needs the embedded encoder and its answerability model (scripts/prepare-models.sh)\n');
    process.exit(2);
  }
  const retriever = await HybridRetriever.create(await loadMarkdownFolder(opts.knowledge ?? 'knowledge/demo'), { embedder });
  const read = (path: string) => readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).map((l) => (JSON.parse(l) as { query: string }).query);
  for (const warm of read('knowledge/eval/demo-queries.jsonl').slice(0, 30)) decide(await readUnits(warm, retriever, model), model);
  const messages = files.flatMap(read);
  const ms: number[] = [];
  let units = 0;
  if (opts.brain) {
    // The brain as `switchboard start` builds it without a key, on the configured intents and routing.
    const config = loadConfig();
    const brainFiles = loadBrainFiles(config);
    const parts = createEmbeddedParts(config, brainFiles.intents, embedder);
    await parts.prepare();
    const brain = createEmbeddedBrain(config, { ...brainFiles, passages: retrieverPassages(retriever), embedder }, parts);
    const turn = (text: string) =>
      brain.decide({ text, channelKind: 'api', contact: { aiOptOut: false, vip: false }, conversation: { status: 'bot', unhelpfulTurns: 0 }, history: [] });
    for (const warm of read('knowledge/eval/demo-queries.jsonl').slice(30, 60)) await turn(warm);
    for (const message of messages) {
      const t0 = performance.now();
      await turn(message);
      ms.push(performance.now() - t0);
    }
  } else {
    for (const message of messages) {
      const t0 = performance.now();
      const readings = await readUnits(message, retriever, model);
      decide(readings, model);
      ms.push(performance.now() - t0);
      units += readings.length;
    }
  }
  await (embedder as { close?: () => Promise<void> }).close?.();
  const sorted = [...ms].sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  process.stdout.write(
    `${JSON.stringify({
      embedder: embedder.id,
      threads,
      sections: retriever.size,
      messages: messages.length,
      ...(opts.brain ? {} : { unitsPerMessage: r(units / messages.length) }),
      [opts.brain ? 'brainTurnMs' : 'decisionMs']: { p50: r(percentile(sorted, 0.5)), p99: r(percentile(sorted, 0.99)), max: r(sorted.at(-1) ?? 0) },
    })}\n`,
  );
}
