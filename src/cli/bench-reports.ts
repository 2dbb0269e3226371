import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { drillDown } from '../reporting/drill';
import { ReportFigures, dayOf } from '../reporting/figures';
import { seedReports } from '../reporting/seed';
import { startEmbeddedMongo } from '../store/embedded-mongo';
import { positive } from './options';
import { percentile } from './percentile';

/**
 * `switchboard bench-reports`: seeds a history (default 100,000 conversations, 1,000,000 customer messages over
 * 30 days) into the embedded store as `npm start` runs it (H2 file, in a temporary directory), or MONGODB_URI, then
 * times the 30-day overview and a drill-down, each `--runs` times. The last stdout line is the JSON result.
 */
export async function benchReportsCommand(opts: { conversations: string; messages: string; runs: string }): Promise<void> {
  const conversations = positive(opts.conversations, '--conversations');
  const messages = positive(opts.messages, '--messages');
  const runs = positive(opts.runs, '--runs');
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const dir = process.env.MONGODB_URI ? undefined : await mkdtemp(join(tmpdir(), 'sb-bench-reports-'));
  const embedded = dir ? await startEmbeddedMongo({ h2File: join(dir, 'switchboard.mv') }) : undefined;
  const connection = await mongoose.createConnection(process.env.MONGODB_URI ?? embedded!.uri, { dbName: `sb_bench_reports_${Date.now().toString(36)}` }).asPromise();
  try {
    const now = new Date();
    const settings = { assumeResolvedAfterMs: 30 * 60_000, durableAfterMs: 7 * 86_400_000, confirmIntents: ['thanks'] };
    const seedStart = performance.now();
    const truth = await seedReports(connection, { conversations, messages, days: 30, seed: 42, now }, settings, (n) => {
      if (n % 10_000 === 0) progress(`seeded ${n} conversations`);
    });
    const seedS = Math.round((performance.now() - seedStart) / 100) / 10;
    progress(`seeded ${truth.conversations} episodes, ${truth.messages} messages in ${seedS} s`);
    const figures = new ReportFigures(connection);
    const from = dayOf(now.getTime() - 29 * 86_400_000);
    const to = dayOf(now.getTime());
    const time = async (fn: () => Promise<unknown>) => {
      const out: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        await fn();
        out.push(performance.now() - t0);
      }
      const sorted = out.sort((a, b) => a - b);
      return { n: runs, p50: Math.round(percentile(sorted, 0.5)), p95: Math.round(percentile(sorted, 0.95)), max: Math.round(sorted[sorted.length - 1]!) };
    };
    const overviewMs = await time(() => figures.overview({ from, to, filter: {} }));
    // The overview's largest part: reading the period's rollups with their duration lists (where the time goes).
    const rollupReadMs = await time(() => figures.rollups(from, to, {}, true));
    const filteredMs = await time(() => figures.overview({ from, to, filter: { channelKind: 'email' } }));
    const drillMs = await time(() => drillDown(connection, { from, to, filter: {}, outcome: 'handedOff', reason: 'customer_request', limit: 200 }));
    const check = await figures.overview({ from, to, filter: {} });
    process.stdout.write(
      `${JSON.stringify({ store: embedded ? 'embedded (H2 file)' : 'MONGODB_URI', episodes: truth.conversations, messages: truth.messages, seedS, overview30dMs: overviewMs, rollupReadMs, overviewFilteredMs: filteredMs, drillDownMs: drillMs, conversationsCounted: check.totals.conversations })}\n`,
    );
  } finally {
    await connection.dropDatabase().catch(() => undefined);
    await connection.close();
    await embedded?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
