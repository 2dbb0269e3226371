import { useState } from 'preact/hooks';
import type { AuditView } from '../../../src/http/console/api-types';
import { api } from '../api';
import { time } from '../format';
import { Notice, Page, useLoad } from '../ui';

export function AuditPage() {
  const [action, setAction] = useState('');
  const [actor, setActor] = useState('');
  const q = new URLSearchParams({ ...(action ? { action } : {}), ...(actor ? { actor } : {}) });
  const events = useLoad(() => api<{ events: AuditView[] }>('GET', `/console/api/audit?${q}`), [action, actor]);
  return (
    <Page title="Audit log">
      <div class="filters">
        <label>
          Action
          <select value={action} onChange={(e) => setAction(e.currentTarget.value)}>
            <option value="">All</option>
            {['sign_in', 'sign_out', 'setup', 'user.create', 'user.update', 'user.remove', 'token.create', 'token.revoke', 'channel.create', 'channel.update', 'channel.remove', 'knowledge.upload', 'knowledge.remove', 'knowledge.reingest'].map((a) => (
              <option value={a}>{a}</option>
            ))}
          </select>
        </label>
        <label>
          Actor (email)
          <input value={actor} onChange={(e) => setActor(e.currentTarget.value)} />
        </label>
      </div>
      <Notice message={events.error} failed />
      <table class="audit">
        <thead>
          <tr>
            <th>When</th>
            <th>Who</th>
            <th>Action</th>
            <th>Target</th>
            <th>From</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {(events.data?.events ?? []).map((e) => (
            <tr class={e.outcome === 'refused' ? 'refused' : ''}>
              <td>{time(e.at)}</td>
              <td>{e.actor}</td>
              <td>
                {e.action}
                {e.outcome === 'refused' ? ' (refused)' : ''}
              </td>
              <td>{e.target ?? '–'}</td>
              <td>{e.ip ?? '–'}</td>
              <td>
                <code>{e.diff ? JSON.stringify(e.diff) : ''}</code> {e.detail ?? ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="hint">The audit log is kept in MongoDB and cannot be edited from the console or the API.</p>
    </Page>
  );
}
