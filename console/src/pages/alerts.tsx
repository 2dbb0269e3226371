import type { AlertsResponse, Me } from '../../../src/http/console/api-types';
import { AdminFileEditor } from '../admin-file-editor';
import { api } from '../api';
import { time } from '../format';
import { Badge, Notice, Page, useAction, useLoad } from '../ui';

const KIND_LABEL: Record<string, string> = {
  frustration_spike: 'Frustration spike',
  repeated_failures: 'Repeated failures',
  channel_down: 'Channel down',
  queue_sla: 'Queue over SLA',
  store_unreachable: 'Store unreachable',
};

/** What is firing now, what was sent where, and the rules and targets (alerts.yaml). */
export function AlertsPage({ me }: { me: Me }) {
  const data = useLoad(() => api<AlertsResponse>('GET', '/console/api/alerts'));
  const canWrite = me.permissions.includes('alerts:write');
  const test = useAction();
  const d = data.data;
  const active = d?.alerts.filter((a) => a.state !== 'resolved') ?? [];
  const resolved = d?.alerts.filter((a) => a.state === 'resolved') ?? [];
  return (
    <Page title="Alerts" actions={<button onClick={data.reload}>Refresh</button>}>
      <Notice message={data.error} failed />
      {d && (
        <>
          <section>
            <h2>Now</h2>
            {active.length === 0 ? (
              <p class="empty">Nothing is pending or firing.</p>
            ) : (
              <ul class="alerts">
                {active.map((a) => (
                  <li key={a.id} class={`alert alert-${a.state}`}>
                    <Badge kind={a.state === 'firing' ? (a.severity === 'critical' ? 'urgent' : 'high') : 'normal'}>{a.state === 'firing' ? `Firing · ${a.severity}` : 'Pending'}</Badge>{' '}
                    <strong>{KIND_LABEL[a.kind] ?? a.kind}</strong> <small>({a.rule}{a.subject === 'all' ? '' : `, ${a.subject}`})</small>
                    <p>{a.summary}</p>
                    <small>
                      Since {time(a.firingSince ?? a.since)}
                      {a.path.startsWith('/console/') && (
                        <>
                          {' · '}
                          <a href={a.path}>Open</a>
                        </>
                      )}
                    </small>
                  </li>
                ))}
              </ul>
            )}
            {resolved.length > 0 && (
              <details>
                <summary>Resolved in the last 7 days ({resolved.length})</summary>
                <ul class="alerts">
                  {resolved.map((a) => (
                    <li key={a.id}>
                      <strong>{KIND_LABEL[a.kind] ?? a.kind}</strong> <small>({a.rule}{a.subject === 'all' ? '' : `, ${a.subject}`})</small> — {a.summary}{' '}
                      <small>
                        {time(a.firingSince ?? a.since)} → {a.resolvedAt ? time(a.resolvedAt) : ''}
                      </small>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </section>
          <section>
            <h2>Notices sent</h2>
            {d.notices.length === 0 ? (
              <p class="empty">No notices yet.</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th>When</th>
                    <th>Notice</th>
                    <th>Target</th>
                    <th>Delivery</th>
                  </tr>
                </thead>
                <tbody>
                  {d.notices.map((n) => (
                    <tr key={`${n.id}|${n.target}`}>
                      <td>{time(n.createdAt)}</td>
                      <td>
                        {n.type.replace('alert.', '')}: {n.summary}
                      </td>
                      <td>{n.target}</td>
                      <td>
                        {n.status === 'sent' ? 'sent' : n.status === 'dead' ? 'given up' : `retrying (attempt ${n.attempts})`}
                        {n.lastError && n.status !== 'sent' && <small class="error-text"> {n.lastError}</small>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
          <section>
            <h2>Targets</h2>
            {d.targets.length === 0 ? (
              <p class="hint">No targets: alerts show here only. Add a desk channel, an email address or a webhook under notify below.</p>
            ) : (
              <table>
                <tbody>
                  {d.targets.map((t) => (
                    <tr key={t.name}>
                      <td>{t.name}</td>
                      <td>{t.type}</td>
                      <td>{t.detail}</td>
                      <td>
                        {canWrite && (
                          <button disabled={test.busy} onClick={() => void test.run(async () => (await api('POST', '/console/api/alerts/test', { target: t.name }), `Test notice sent to ${t.name}.`))}>
                            Send test
                          </button>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <Notice message={test.message} failed={test.failed} />
          </section>
          <section>
            <h2>Rules</h2>
            <table>
              <thead>
                <tr>
                  <th>Rule</th>
                  <th>Kind</th>
                  <th>Severity</th>
                  <th>Pending / resend / resolve after</th>
                  <th>Notifies</th>
                </tr>
              </thead>
              <tbody>
                {d.rules.map((r) => (
                  <tr key={r.name} class={r.enabled ? '' : 'muted'}>
                    <td>{r.name}</td>
                    <td>{KIND_LABEL[r.kind] ?? r.kind}</td>
                    <td>{r.severity}</td>
                    <td>
                      {r.pendingMinutes} / {r.resendMinutes || 'never'} / {r.resolveAfterMinutes} min
                    </td>
                    <td>{r.notify.join(', ') || 'nobody (console only)'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <AdminFileEditor
              title="Alert rules and targets"
              label="Alert rules (YAML)"
              file={d}
              origin="ALERTS_FILE or the built-in rules"
              canWrite={canWrite}
              save={async (yaml) => {
                const res = await api<{ revision: number }>('PUT', '/console/api/alerts', { yaml });
                data.reload();
                return `Saved as revision ${res.revision}: the evaluating gateway applies it on its next run.`;
              }}
            />
          </section>
        </>
      )}
    </Page>
  );
}
