import { loadConfig } from '../config';
import { checkReports } from '../reporting/check';
import { dayOf } from '../reporting/figures';
import { openReporting, reportSettingsOf } from '../reporting';
import { createLogger } from '../logger';
import { openCliStore } from './store';

/**
 * `switchboard reports check [--from D] [--to D] [--catch-up]`: recomputes outcomes and daily rollups from the raw
 * reporting events and says whether the stored ones agree (exit status 1 when not). `--catch-up` first does what
 * the gateways' reporting loop would (outcomes whose time came, dirty days), so a quiet system checks clean.
 */
export async function reportsCheckCommand(opts: { from?: string; to?: string; catchUp?: boolean; json?: boolean }): Promise<void> {
  const config = loadConfig(process.env);
  const store = await openCliStore(config, process.stderr);
  try {
    const now = new Date();
    const to = opts.to ?? dayOf(now.getTime());
    const from = opts.from ?? dayOf(Date.parse(to) - 29 * 86_400_000);
    const settings = reportSettingsOf(config);
    if (opts.catchUp) {
      const reporting = openReporting(store.connection, settings, () => now, createLogger('warn'));
      while (await reporting.tick());
    }
    const report = await checkReports(store.connection, settings, now, from, to);
    if (opts.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      process.stdout.write(`${report.from} … ${report.to}: ${report.episodes} episodes from ${report.events} events\n`);
      for (const m of report.outcomeMismatches.slice(0, 20)) process.stdout.write(`  outcome ${m.id}: ${m.fields.join(', ')}\n`);
      for (const m of report.rollupMismatches.slice(0, 20)) process.stdout.write(`  rollup ${m.id}: ${m.fields.join(', ')}\n`);
      process.stdout.write(report.ok ? 'Rollups and outcomes agree with the raw events.\n' : `${report.outcomeMismatches.length} outcome and ${report.rollupMismatches.length} rollup mismatches.\n`);
    }
    if (!report.ok) process.exitCode = 1;
  } finally {
    await store.close();
  }
}
