import { useEffect, useState } from 'preact/hooks';
import type { InboxRow, Me } from '../../../src/http/console/api-types';
import { follow } from '../api';
import { age, CHANNEL_LABELS } from '../format';
import { navigate } from '../router';
import { Badge, Notice, Page } from '../ui';

const VIEWS = [
  ['all', 'All'],
  ['unassigned', 'Unassigned'],
  ['mine', 'Mine'],
  ['team', 'My teams'],
] as const;

/** Re-renders every few seconds so waiting times and SLA countdowns move without new data. */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [everyMs]);
  return now;
}

export function InboxPage({ me }: { me: Me }) {
  const params = new URLSearchParams(location.search);
  const [view, setView] = useState(params.get('view') ?? 'all');
  const [status, setStatus] = useState(params.get('status') ?? 'open');
  const [channel, setChannel] = useState(params.get('channel') ?? '');
  const [q, setQ] = useState(params.get('q') ?? '');
  const [query, setQuery] = useState(q);
  const [rows, setRows] = useState<InboxRow[]>();
  const [error, setError] = useState<string>();
  const now = useNow(5_000);

  useEffect(() => {
    const search = new URLSearchParams({ view, status, ...(channel ? { channel } : {}), ...(query ? { q: query } : {}) });
    history.replaceState(null, '', `/console/inbox?${search}`);
    const stop = new AbortController();
    setRows(undefined);
    follow<{ rows: InboxRow[] }>(`/console/api/inbox?${search}`, (d) => (setRows(d.rows), setError(undefined)), stop.signal, (e) => setError(e.message));
    return () => stop.abort();
  }, [view, status, channel, query]);

  return (
    <Page title="Inbox">
      <div class="filters" role="search">
        <div class="tabs" role="tablist" aria-label="Which conversations">
          {VIEWS.map(([id, label]) => (
            <button role="tab" aria-selected={view === id} onClick={() => setView(id)}>
              {label}
            </button>
          ))}
        </div>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
            <option value="open">Open</option>
            <option value="pending">Waiting</option>
            <option value="assigned">Claimed</option>
            <option value="resolved">Resolved</option>
            <option value="any">Any</option>
          </select>
        </label>
        <label>
          Channel
          <select value={channel} onChange={(e) => setChannel(e.currentTarget.value)}>
            <option value="">All</option>
            {Object.entries(CHANNEL_LABELS).map(([k, v]) => (
              <option value={k}>{v}</option>
            ))}
          </select>
        </label>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            setQuery(q.trim());
          }}
        >
          <input type="search" aria-label="Search messages" placeholder="Search messages" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
        </form>
      </div>
      <Notice message={error} failed />
      {!rows ? (
        <p class="loading">Loading…</p>
      ) : rows.length === 0 ? (
        <p class="empty">Nothing here. New escalations appear as they happen.</p>
      ) : (
        <table class="inbox">
          <thead>
            <tr>
              <th>Customer</th>
              <th>Reason</th>
              <th>Priority</th>
              <th>Team</th>
              <th>Channel</th>
              <th>Waiting</th>
              <th>With</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => {
              const overdue = r.slaDueAt && Date.parse(r.slaDueAt) < now;
              return (
                <tr class={`row-${r.status}`} tabIndex={0} data-conversation={r.id} onClick={() => navigate(`/console/conversations/${r.id}`)} onKeyDown={(e) => e.key === 'Enter' && navigate(`/console/conversations/${r.id}`)}>
                  <td>
                    <a href={`/console/conversations/${r.id}`}>{r.customer}</a>
                  </td>
                  <td>{r.reason ?? '–'}</td>
                  <td>
                    <Badge kind={r.priority}>{r.priority}</Badge>
                  </td>
                  <td>{r.team ?? '–'}</td>
                  <td>{CHANNEL_LABELS[r.channelKind] ?? r.channelKind}</td>
                  <td class={overdue ? 'overdue' : ''} title={r.slaDueAt ? `Due ${new Date(r.slaDueAt).toLocaleTimeString()}` : ''}>
                    {r.status === 'resolved' ? 'resolved' : age(now - Date.parse(r.escalatedAt))}
                    {overdue ? ' · SLA missed' : ''}
                  </td>
                  <td>{r.status === 'pending' ? <Badge kind="waiting">waiting</Badge> : r.mine ? 'you' : (r.assigneeName ?? '–')}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <p class="hint">{me.permissions.includes('inbox:write') ? 'Open a conversation to claim and answer it.' : 'Read-only: your role cannot answer conversations.'}</p>
    </Page>
  );
}
