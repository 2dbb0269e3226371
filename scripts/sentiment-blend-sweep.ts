/**
 * Picks how the sentiment head is blended with the rules (DEFAULT_HEAD_BLEND) on the airline TUNE part only (the dev
 * part is only scored, by `switchboard eval sentiment`). Needs the head's weights (scripts/train-sentiment.ts).
 * Usage: nice -n 10 npx tsx scripts/sentiment-blend-sweep.ts [.cache/airline-tune.csv]
 */
import { loadEmbeddedEmbedder } from '../src/brain/embeddings';
import { evaluateSentiment, readSentimentCsv } from '../src/cli/eval-sentiment';

async function main(): Promise<void> {
  const rows = readSentimentCsv(process.argv[2] ?? '.cache/airline-tune.csv');
  const embedder = (await loadEmbeddedEmbedder({ prepare: false }))!;
  const results: Array<[number, string]> = [];
  for (const rulesShare of [0, 0.25, 0.5]) {
    for (const negative of [-0.2, -0.1, 0]) {
      for (const positive of [0.2, 0.3, 0.4]) {
        const r = await evaluateSentiment(rows, { embedder, headBlend: { rulesShare, negative, positive } });
        results.push([r.macroF1, JSON.stringify({ rulesShare, negative, positive, macroF1: r.macroF1, accuracy: r.accuracy })]);
      }
    }
  }
  for (const [, line] of results.sort((a, b) => b[0] - a[0]).slice(0, 8)) console.log(line);
}
void main();
