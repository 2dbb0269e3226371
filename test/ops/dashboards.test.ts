import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { CallbackPeer } from '../support/callback-peer';
import { DiscordPeer } from '../support/discord-peer';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';
import { promRefs } from './promql';
import { parseSamples, total } from './scrape';

const TOKEN = `metrics_${randomBytes(12).toString('hex')}`;
const DOCS = join(__dirname, '../../docs');
/** Labels Prometheus adds to every scraped series (the scrape job and target). */
const TARGET_LABELS = ['job', 'instance'];

interface Panel {
  type: string;
  id: number;
  title: string;
  datasource?: { type: string; uid: string };
  gridPos?: { h: number; w: number; x: number; y: number };
  targets?: Array<{ refId: string; expr: string; datasource?: { type: string; uid: string } }>;
  panels?: Panel[];
}
interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: string };
  annotations: { summary: string; description?: string };
}

const dashboard = JSON.parse(readFileSync(join(DOCS, 'grafana-dashboard.json'), 'utf8')) as {
  schemaVersion: number;
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown; definition?: string }> };
};
const alerts = parse(readFileSync(join(DOCS, 'prometheus-alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const rules = alerts.groups.flatMap((g) => g.rules);

/** Every PromQL expression of both files, named for the failure message. */
const expressions: Array<[where: string, expr: string]> = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t): [string, string] => [`panel "${p.title}" ${t.refId}`, t.expr])),
  ...rules.map((r): [string, string] => [`alert ${r.alert}`, r.expr]),
];

/**
 * docs/grafana-dashboard.json and docs/prometheus-alerts.yml against a real gateway's /metrics: a renamed metric or
 * label breaks this test instead of an operator's dashboard at 3 a.m.
 */
describe('the Grafana dashboard and Prometheus alert rules', () => {
  let callbacks: CallbackPeer;
  let discord: DiscordPeer;
  let t: TestGateway;
  /** Metric families on /metrics (from `# TYPE`) and the label names their samples carry. */
  const types = new Map<string, string>();
  const labelsOf = new Map<string, Set<string>>();

  beforeAll(async () => {
    callbacks = await new CallbackPeer().start();
    discord = await new DiscordPeer().start();
    t = await startTestGateway('ops_dashboards', { callbackUrl: callbacks.url, env: { METRICS_TOKEN: TOKEN }, startWorkers: false });
    // A stateful connection this process holds, so switchboard_connection_held has a series to show its labels.
    await t.gateway.store.channels.ensure({ id: 'discord-dash', kind: 'discord', name: 'Discord', settings: { apiUrl: discord.apiUrl }, secrets: { botToken: discord.token } });
    const started = once(t.gateway.connections, 'started');
    t.gateway.startWorkers();
    await started;

    // Traffic that gives every labelled series a sample: an answer delivered, an escalation, a webhook request.
    expect((await postMessage(t, { id: 'd-1', contact: { id: 'dash-1' }, text: 'How do I start a return?' })).status).toBe(202);
    expect((await postMessage(t, { id: 'd-2', contact: { id: 'dash-2' }, text: 'I want to talk to a person' })).status).toBe(202);
    expect((await fetch(`${t.url}/webhooks/not-a-channel`, { method: 'POST', body: '{}' })).status).toBe(404);
    const text = await until(t, async () => {
      const res = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const body = await res.text();
      const s = parseSamples(body);
      const ready =
        total(s, 'switchboard_deliveries_total', { outcome: 'sent' }) >= 1 &&
        total(s, 'switchboard_escalations_total') >= 1 &&
        total(s, 'switchboard_delivery_duration_seconds_count') >= 1 &&
        total(s, 'switchboard_connection_held', { channel_id: 'discord-dash' }) === 1;
      return ready && body;
    });
    for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) types.set(m[1]!, m[2]!);
    for (const s of parseSamples(text)) {
      const set = labelsOf.get(s.name) ?? new Set<string>();
      for (const k of Object.keys(s.labels)) set.add(k);
      labelsOf.set(s.name, set);
    }
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
    await discord?.stop();
    await callbacks?.stop();
  });

  /** The family a sample name belongs to: itself, or the histogram/summary its _bucket/_sum/_count suffix names. */
  const familyOf = (name: string): string | undefined => {
    if (types.has(name)) return name;
    const base = name.replace(/_(bucket|sum|count)$/, '');
    return base !== name && (types.get(base) === 'histogram' || types.get(base) === 'summary') ? base : undefined;
  };

  it('references only metrics that exist on /metrics (besides Prometheus’s own up)', () => {
    const missing: string[] = [];
    for (const [where, expr] of expressions) {
      for (const { metric } of promRefs(expr).selectors) {
        if (metric === '' || metric === 'up') continue;
        if (!familyOf(metric)) missing.push(`${where}: ${metric}`);
      }
    }
    for (const v of dashboard.templating.list.filter((x) => x.type === 'query')) {
      const m = /label_values\((\w+),\s*(\w+)\)/.exec(v.definition ?? '');
      expect(m).not.toBeNull();
      if (!familyOf(m![1]!)) missing.push(`variable ${v.name}: ${m![1]}`);
      if (!labelsOf.get(m![1]!)?.has(m![2]!)) missing.push(`variable ${v.name}: label ${m![2]}`);
    }
    expect(missing).toEqual([]);
    expect(expressions.length).toBeGreaterThan(20);
  });

  it('matches and groups only by labels those metrics carry', () => {
    const wrong: string[] = [];
    for (const [where, expr] of expressions) {
      const refs = promRefs(expr);
      const carried = refs.selectors.map(({ metric }) => new Set([...TARGET_LABELS, ...(metric === 'up' ? [] : (labelsOf.get(metric) ?? []))]));
      refs.selectors.forEach(({ metric, labels }, n) => {
        for (const label of labels) if (!carried[n]!.has(label)) wrong.push(`${where}: ${metric}{${label}}`);
      });
      // A grouping label must be on every series it aggregates (else it groups into one empty-label series).
      for (const label of refs.grouping) if (!carried.every((set) => set.has(label))) wrong.push(`${where}: by (${label})`);
    }
    expect(wrong).toEqual([]);
  });

  it('shows every switchboard metric on the dashboard, latency quantiles from the histograms’ buckets', () => {
    const used = new Set(panels.flatMap((p) => (p.targets ?? []).flatMap((x) => promRefs(x.expr).selectors.map((s) => familyOf(s.metric)))));
    const ours = [...types.keys()].filter((n) => n.startsWith('switchboard_'));
    expect(ours.filter((n) => !used.has(n))).toEqual([]);
    for (const h of ours.filter((n) => types.get(n) === 'histogram')) {
      const exprs = panels.flatMap((p) => (p.targets ?? []).map((x) => x.expr)).filter((e) => e.includes(`${h}_bucket`));
      expect(exprs.map((e) => /^histogram_quantile\((0\.5|0\.95), sum by \(le(, \w+)*\) \(rate\(\w+_bucket(\{[^}]*\})?\[5m\]\)\)\)$/.test(e))).toEqual(exprs.map(() => true));
      expect(exprs.some((e) => e.startsWith('histogram_quantile(0.5,')) && exprs.some((e) => e.startsWith('histogram_quantile(0.95,'))).toBe(true);
    }
  });

  it('is an importable dashboard: schema, a Prometheus datasource variable every panel uses, unique ids, a grid', () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[a-zA-Z0-9_-]{1,40}$/);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    const ids = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) {
      expect({ title: p.title, ds: p.datasource }).toEqual({ title: p.title, ds: { type: 'prometheus', uid: '${datasource}' } });
      expect(p.gridPos && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24).toBe(true);
      expect(p.targets!.length).toBeGreaterThan(0);
      for (const x of p.targets!) expect(x.datasource).toEqual(p.datasource);
    }
  });

  it('has well-formed alert rules for each failure the gateway can show', () => {
    expect(alerts.groups.length).toBeGreaterThan(0);
    for (const g of alerts.groups) expect(g.name).toMatch(/^[\w-]+$/);
    for (const r of rules) {
      expect({ alert: r.alert, ok: typeof r.expr === 'string' && r.expr.trim().length > 0 }).toEqual({ alert: r.alert, ok: true });
      expect(r.alert).toMatch(/^[A-Z][A-Za-z0-9]+$/);
      expect(r.for).toMatch(/^\d+[smhdwy]$/);
      expect(['critical', 'warning', 'info']).toContain(r.labels.severity);
      expect(r.annotations.summary.length).toBeGreaterThan(0);
    }
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    const metricsOf = (alert: string) => promRefs(rules.find((r) => r.alert === alert)!.expr).selectors.map((s) => s.metric);
    expect(metricsOf('SwitchboardGatewayDown')).toEqual(['up']);
    expect(metricsOf('SwitchboardStoreUnreachable')).toEqual(['switchboard_store_reachable']);
    expect(metricsOf('SwitchboardConnectionDown')).toEqual(['switchboard_connection_held']);
    expect(metricsOf('SwitchboardDeadLettersIncreasing')).toEqual(['switchboard_deliveries_total']);
    expect(metricsOf('SwitchboardDeliveryFailureRatioHigh')).toEqual(['switchboard_deliveries_total', 'switchboard_deliveries_total']);
    expect(metricsOf('SwitchboardQueueDepthHigh')).toEqual(['switchboard_queue_depth']);
    expect(metricsOf('SwitchboardProcessingLatencyHigh')).toEqual(['switchboard_processing_duration_seconds_bucket']);
  });
});
