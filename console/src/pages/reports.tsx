import { useMemo, useState } from 'preact/hooks';
import type { Figures, GapGroup, Overview, QueueReport, ReportConversation } from '../../../src/http/console/api-types';
import { api } from '../api';
import { age, CHANNEL_LABELS, pct } from '../format';
import { Notice, Page, useLoad } from '../ui';
import { DailyChart, type ChartSeries } from './chart';

type Dim = 'channelKind' | 'team' | 'intent' | 'language';
const DIMS: Array<[Dim, string]> = [
  ['channelKind', 'Channel'],
  ['team', 'Team'],
  ['intent', 'Intent'],
  ['language', 'Language'],
];

interface Drill {
  outcome: string;
  title: string;
  day?: string;
  reason?: string;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const seconds = (s: number | null) => (s === null ? '–' : age(s * 1000));

/** The reports: overview figures with the previous period, charts by day, breakdowns, the live queue, drill-downs, export. */
export function ReportsPage() {
  const [span, setSpan] = useState(30);
  const [filter, setFilter] = useState<Partial<Record<Dim, string>>>({});
  const [drill, setDrill] = useState<Drill>();
  const to = dayOf(Date.now());
  const from = dayOf(Date.now() - (span - 1) * 86_400_000);
  const params = new URLSearchParams({ from, to, ...filter }).toString();
  const overview = useLoad(() => api<Overview>('GET', `/console/api/reports/overview?${params}`), [params]);
  const queue = useLoad(() => api<QueueReport>('GET', '/console/api/reports/queue'), []);
  const open = (d: Drill) => setDrill(d);
  return (
    <Page
      title="Reports"
      actions={
        <div class="row">
          <label>
            Period
            <select value={span} onChange={(e) => setSpan(Number(e.currentTarget.value))}>
              <option value={7}>Last 7 days</option>
              <option value={30}>Last 30 days</option>
              <option value={90}>Last 90 days</option>
            </select>
          </label>
          <a class="button-link" href={`/console/api/reports/export?${params}&format=csv`} download>
            Export CSV
          </a>
          <a class="button-link" href={`/console/api/reports/export?${params}&format=json`} download>
            Export JSON
          </a>
        </div>
      }
    >
      <Filters filter={filter} setFilter={setFilter} overview={overview.data} />
      <Notice message={overview.error} failed />
      {overview.data && <OverviewView data={overview.data} open={open} setFilter={(d, v) => setFilter({ ...filter, [d]: v })} />}
      {drill && <DrillDown drill={drill} params={drill.day ? new URLSearchParams({ ...filter, from: drill.day, to: drill.day }).toString() : params} close={() => setDrill(undefined)} />}
      <Gaps params={new URLSearchParams({ from, to }).toString()} />
      <section class="panel">
        <h2>Live queue</h2>
        {queue.data && queue.data.teams.length === 0 && <p class="empty">Nobody is waiting for a person.</p>}
        {queue.data && queue.data.teams.length > 0 && (
          <table>
            <thead>
              <tr>
                <th>Team</th>
                <th>Waiting</th>
                <th>Unassigned</th>
                <th>SLA at risk</th>
                <th>Longest wait</th>
              </tr>
            </thead>
            <tbody>
              {queue.data.teams.map((t) => (
                <tr key={t.team}>
                  <td>{t.team}</td>
                  <td>{t.waiting}</td>
                  <td>{t.unassigned}</td>
                  <td class={t.slaAtRisk ? 'overdue' : ''}>{t.slaAtRisk}</td>
                  <td>{age(t.oldestWaitingS * 1000)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </Page>
  );
}

function Filters({ filter, setFilter, overview }: { filter: Partial<Record<Dim, string>>; setFilter: (f: Partial<Record<Dim, string>>) => void; overview: Overview | undefined }) {
  return (
    <div class="filters">
      {DIMS.map(([d, label]) => {
        const keys = new Set([...(overview?.breakdowns[d] ?? []).map((b) => b.key), ...(filter[d] ? [filter[d]!] : [])]);
        return (
          <label key={d}>
            {label}
            <select
              value={filter[d] ?? ''}
              onChange={(e) => {
                const next = { ...filter };
                if (e.currentTarget.value) next[d] = e.currentTarget.value;
                else delete next[d];
                setFilter(next);
              }}
            >
              <option value="">All</option>
              {[...keys].map((k) => (
                <option value={k}>{d === 'channelKind' ? (CHANNEL_LABELS[k] ?? k) : k}</option>
              ))}
            </select>
          </label>
        );
      })}
    </div>
  );
}

function delta(now: number | null, before: number | null, rate: boolean): string {
  if (now === null || before === null) return '';
  const d = now - before;
  if (Math.abs(d) < 1e-9) return 'same as before';
  return rate ? `${d > 0 ? '+' : '−'}${Math.abs(Math.round(d * 100))} pt vs before` : `${d > 0 ? '+' : '−'}${Math.abs(Math.round(d))} vs before`;
}

function OverviewView({ data, open, setFilter }: { data: Overview; open: (d: Drill) => void; setFilter: (d: Dim, v: string) => void }) {
  const t = data.totals;
  const p = data.previousTotals;
  const tiles: Array<{ label: string; value: string; hint: string; drill: Drill }> = [
    { label: 'Conversations', value: String(t.conversations), hint: delta(t.conversations, p.conversations, false), drill: { outcome: 'all', title: 'All conversations' } },
    { label: 'Automation rate', value: pct(t.automationRate), hint: delta(t.automationRate, p.automationRate, true), drill: { outcome: 'aiResolved', title: 'Resolved by the AI' } },
    { label: 'Involvement', value: pct(t.involvementRate), hint: delta(t.involvementRate, p.involvementRate, true), drill: { outcome: 'involved', title: 'The bot tried' } },
    { label: 'Hand-off rate', value: pct(t.handoffRate), hint: delta(t.handoffRate, p.handoffRate, true), drill: { outcome: 'handedOff', title: 'Handed to people' } },
    { label: 'First reply (bot)', value: `${seconds(t.firstBotResponse.median)} · p90 ${seconds(t.firstBotResponse.p90)}`, hint: `median, n = ${t.firstBotResponse.n}`, drill: { outcome: 'involved', title: 'The bot tried' } },
    { label: 'First reply (person)', value: `${seconds(t.firstHumanResponse.median)} · p90 ${seconds(t.firstHumanResponse.p90)}`, hint: `median, n = ${t.firstHumanResponse.n}`, drill: { outcome: 'handedOff', title: 'Handed to people' } },
    { label: 'Time to resolution', value: `${seconds(t.resolutionTime.median)} · p90 ${seconds(t.resolutionTime.p90)}`, hint: `median, n = ${t.resolutionTime.n}`, drill: { outcome: 'resolved', title: 'Resolved' } },
    { label: 'CSAT', value: t.csat === null ? '–' : `${t.csat.toFixed(2)} / 5`, hint: `${t.csatResponses} answers, ${pct(t.csatResponseRate)} response rate`, drill: { outcome: 'surveyed', title: 'Surveys answered' } },
    { label: 'Helpful answers', value: pct(t.helpfulAnswerRate), hint: delta(t.helpfulAnswerRate, p.helpfulAnswerRate, true), drill: { outcome: 'unhelpful', title: 'Answers rated unhelpful' } },
  ];
  const days = data.series.map((s) => s.day);
  const volume: ChartSeries[] = useMemo(
    () => [
      { label: 'Conversations', values: data.series.map((s) => s.conversations), color: '#2457d6' },
      { label: 'Handed off', values: data.series.map((s) => s.handedOff), color: '#b3261e' },
      { label: 'Automation rate', values: data.series.map((s) => s.automationRate), rate: true, color: '#1e7b34' },
    ],
    [data],
  );
  return (
    <>
      <ul class="tiles" aria-label="Figures for the period">
        {tiles.map((tile) => (
          <li key={tile.label}>
            <button type="button" class="tile" onClick={() => open(tile.drill)} title="Open the conversations behind this figure">
              <span class="tile-label">{tile.label}</span>
              <span class="tile-value">{tile.value}</span>
              <span class="tile-hint">{tile.hint}</span>
            </button>
          </li>
        ))}
      </ul>
      <section class="panel">
        <h2>By day</h2>
        <DailyChart days={days} series={volume} label="Conversations, hand-offs and automation rate by day" onPick={(day) => open({ outcome: 'all', title: `Conversations on ${day}`, day })} />
        <p class="hint">Click a day to open its conversations. Definitions: docs/metrics.md.</p>
      </section>
      <section class="panel">
        <h2>Hand-offs by reason</h2>
        {t.handoffReasons.length === 0 ? (
          <p class="empty">No hand-offs in this period.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Reason</th>
                <th>Conversations</th>
                <th>Share of all</th>
              </tr>
            </thead>
            <tbody>
              {t.handoffReasons.map((r) => (
                <tr key={r.reason} class="clickable" onClick={() => open({ outcome: 'handedOff', title: `Handed off: ${r.reason}`, reason: r.reason })}>
                  <td>{r.reason}</td>
                  <td>{r.count}</td>
                  <td>{pct(r.rate)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <div class="cards">
        {DIMS.map(([d, label]) => (
          <Breakdown key={d} label={label} rows={data.breakdowns[d]} pick={(v) => setFilter(d, v)} dim={d} />
        ))}
      </div>
    </>
  );
}

function Breakdown({ label, rows, pick, dim }: { label: string; rows: Array<{ key: string } & Figures>; pick: (v: string) => void; dim: Dim }) {
  return (
    <section class="card">
      <h2>By {label.toLowerCase()}</h2>
      <table>
        <thead>
          <tr>
            <th>{label}</th>
            <th>Conv.</th>
            <th>Automation</th>
            <th>Hand-off</th>
            <th>CSAT</th>
          </tr>
        </thead>
        <tbody>
          {rows.slice(0, 12).map((r) => (
            <tr key={r.key} class="clickable" onClick={() => pick(r.key)} title={`Show only ${r.key}`}>
              <td>{dim === 'channelKind' ? (CHANNEL_LABELS[r.key] ?? r.key) : r.key}</td>
              <td>{r.conversations}</td>
              <td>{pct(r.automationRate)}</td>
              <td>{pct(r.handoffRate)}</td>
              <td>{r.csat === null ? '–' : r.csat.toFixed(1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function DrillDown({ drill, params, close }: { drill: Drill; params: string; close: () => void }) {
  const q = `${params}&outcome=${drill.outcome}${drill.reason ? `&reason=${encodeURIComponent(drill.reason)}` : ''}`;
  const list = useLoad(() => api<{ total: number; truncated: boolean; conversations: ReportConversation[] }>('GET', `/console/api/reports/conversations?${q}`), [q]);
  return (
    <section class="panel drill" aria-label="Conversations behind the figure">
      <div class="row">
        <h2>
          {drill.title} {list.data && <small>({list.data.total})</small>}
        </h2>
        <button type="button" class="secondary" onClick={close}>
          Close
        </button>
      </div>
      <Notice message={list.error} failed />
      {list.data && (
        <table>
          <thead>
            <tr>
              <th>Started</th>
              <th>Channel</th>
              <th>Team</th>
              <th>Intent</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {list.data.conversations.map((c) => (
              <tr key={c.id}>
                <td>
                  <a href={`/console/conversations/${c.conversationId}`}>{new Date(c.startedAt).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}</a>
                </td>
                <td>{CHANNEL_LABELS[c.channelKind] ?? c.channelKind}</td>
                <td>{c.team}</td>
                <td>{c.intent}</td>
                <td>{c.aiResolved ? `AI (${c.aiResolution})` : c.handedOff ? `handed off: ${c.handoffReason}` : c.resolved ? "resolved" : "open"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.data?.truncated && <p class="hint">The first 200 are shown; the export has them all.</p>}
    </section>
  );
}

/** Questions the bot handed over for want of an answer, grouped by meaning: what the knowledge base should say next. */
function Gaps({ params }: { params: string }) {
  const gaps = useLoad(() => api<{ groups: GapGroup[] }>('GET', `/console/api/reports/gaps?${params}`), [params]);
  return (
    <section class="panel gaps">
      <h2>Knowledge gaps</h2>
      <Notice message={gaps.error} failed />
      {gaps.data && gaps.data.groups.length === 0 && <p class="empty">The bot found an answer for every question it was asked in this period.</p>}
      {gaps.data && gaps.data.groups.length > 0 && (
        <ol class="gap-list">
          {gaps.data.groups.map((g) => (
            <li key={g.label}>
              <div class="row">
                <b>{g.label}</b> <span class="badge">{g.count}×</span>
                <a href={`/console/knowledge?gap=${encodeURIComponent(g.label)}`}>Add an answer</a>
              </div>
              <ul>
                {g.examples.map((e) => (
                  <li key={e.conversationId + e.at}>
                    <a href={`/console/conversations/${e.conversationId}`}>{e.text}</a>
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
