import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { consoleBundle } from '../http/console/bundle';
import { startBenchGateway } from './bench-support';
import { positive } from './options';
import { percentile } from './percentile';

export interface BenchConsoleOptions {
  escalations: string;
  loads: string;
  oplog?: boolean;
}

/**
 * `switchboard bench-console`: the console as an agent meets it, in Debian's Chromium (playwright-core):
 *   bundle     the browser code and stylesheet, raw and gzip;
 *   pageLoad   navigation start → the inbox drawn (its table or its empty line), signed in, cold cache each time;
 *   live       a customer's hand-over request answered 202 on the HTTP API → its row visible in an open inbox
 *              (processing, escalation, the long poll's re-read, the browser's redraw).
 * The last stdout line is the JSON result.
 */
export async function benchConsoleCommand(options: BenchConsoleOptions): Promise<void> {
  const escalations = positive(options.escalations, '--escalations');
  const loads = positive(options.loads, '--loads');
  const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH)`);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const bundle = await consoleBundle();

  const bench = await startBenchGateway({ dbPrefix: 'sb_bench_console', env: { DESK_SLA_MINUTES: '0' }, ...(options.oplog ? { oplog: true } : {}) });
  const { gateway } = bench;
  const apiKey = `sk_bench_${randomBytes(12).toString('hex')}`;
  await gateway.store.channels.ensure({ id: 'bench-api', kind: 'api', name: 'Bench API', secrets: { apiKey, signingSecret: 'x' }, apiKey });
  const password = 'bench console password';
  await gateway.access.users.create({ email: 'agent@bench.test', name: 'Bench Agent', role: 'agent', password }, new Date());
  const url = await gateway.listen();
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
  try {
    const signIn = await fetch(`${url}/console/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'agent@bench.test', password }) });
    const cookie = /sb_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')![1]!;
    const host = new URL(url).hostname;

    const pageLoad: number[] = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext();
      await context.addCookies([{ name: 'sb_session', value: cookie, domain: host, path: '/' }]);
      const page = await context.newPage();
      await page.goto(`${url}/console/inbox`);
      await page.locator('table.inbox, .empty').first().waitFor();
      pageLoad.push(await page.evaluate(() => performance.now()));
      await context.close();
    }
    progress(`page load: ${loads} cold loads`);

    const context = await browser.newContext();
    await context.addCookies([{ name: 'sb_session', value: cookie, domain: host, path: '/' }]);
    const page = await context.newPage();
    await page.goto(`${url}/console/inbox`);
    await page.locator('table.inbox, .empty').first().waitFor();
    const live: number[] = [];
    for (let i = 0; i < escalations; i++) {
      const started = performance.now();
      const res = await fetch(`${url}/api/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id: `live-${i}`, contact: { id: `live-customer-${i}`, name: `Customer ${i}` }, text: 'I want to talk to a human, please.' }),
      });
      const { conversationId } = (await res.json()) as { conversationId: string };
      await page.locator(`tr[data-conversation="${conversationId}"]`).waitFor({ timeout: 30_000 });
      live.push(performance.now() - started);
    }
    progress(`live: ${escalations} escalations`);
    await context.close();

    const stats = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b);
      return { n: xs.length, p50: Math.round(percentile(sorted, 0.5)), p95: Math.round(percentile(sorted, 0.95)), max: Math.round(sorted[sorted.length - 1]!) };
    };
    const result = {
      store: bench.storeLabel,
      bundleBytes: { js: bundle.js.length, css: bundle.css.length, jsGzip: bundle.gzipBytes.js, cssGzip: bundle.gzipBytes.css },
      pageLoadMs: stats(pageLoad),
      escalationVisibleMs: stats(live),
      liveUpdates: gateway.storeChanges.streaming ? 'change streams' : 'poll',
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await browser.close();
    await bench.stop();
  }
}
