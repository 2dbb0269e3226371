/**
 * Writes the airline tweets (CC BY-NC-SA 4.0: evaluation only, never training shipped weights) as `text,label`
 * CSVs for `switchboard eval sentiment`:
 *   airline-tune.csv — the part we looked at while writing rules and picking the label thresholds;
 *   airline-dev.csv  — the part we only ever scored: the honest number.
 * The split is by a hash of the whitespace-normalised, lower-cased text, so duplicate tweets never straddle it and
 * every run (and every machine) gets the same rows. About one third goes to dev.
 * Usage: npx tsx scripts/airline-dev.ts [outDir=.cache] [dataDir=../shared/data]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';

const outDir = process.argv[2] ?? '.cache';
const dataDir = process.argv[3] ?? join(__dirname, '..', '..', 'shared', 'data');
mkdirSync(outDir, { recursive: true });

const rows = parse(readFileSync(join(dataDir, 'airline_sentiment', 'train.csv')), { columns: true, bom: true }) as Array<{
  text: string;
  airline_sentiment: string;
}>;

const isDev = (text: string): boolean => {
  const key = text.toLowerCase().replace(/\s+/g, ' ').trim();
  return createHash('sha256').update(`switchboard-sentiment-dev-v1:${key}`).digest().readUInt32BE(0) % 3 === 0;
};

const csv = (part: typeof rows) =>
  ['text,label', ...part.filter((r) => r.text.trim()).map((r) => `"${r.text.replace(/"/g, '""')}",${r.airline_sentiment}`)].join('\n') + '\n';

const dev = rows.filter((r) => isDev(r.text));
const tune = rows.filter((r) => !isDev(r.text));
writeFileSync(join(outDir, 'airline-dev.csv'), csv(dev));
writeFileSync(join(outDir, 'airline-tune.csv'), csv(tune));
console.log(`airline sentiment in ${outDir}: tune ${tune.length} rows (airline-tune.csv), dev ${dev.length} rows (airline-dev.csv)`);
