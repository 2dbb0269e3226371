import { useState } from 'preact/hooks';
import type { Me } from '../../../src/http/console/api-types';
import { api } from '../api';
import { Notice, Page, useAction, useLoad } from '../ui';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: string;
  teams: string[];
}

const ROLES = ['owner', 'admin', 'agent', 'analyst'];

export function UsersPage({ me }: { me: Me }) {
  const users = useLoad(() => api<{ users: UserRow[] }>('GET', '/console/api/users'));
  const action = useAction();
  const [form, setForm] = useState({ email: '', name: '', role: 'agent', password: '', teams: [] as string[] });
  return (
    <Page title="Users">
      <form
        class="panel"
        aria-label="Add user"
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await api('POST', '/console/api/users', form);
            setForm({ email: '', name: '', role: 'agent', password: '', teams: [] });
            users.reload();
            return `${form.email} added.`;
          });
        }}
      >
        <h2>Add a user</h2>
        <label>
          Email
          <input name="email" type="email" required value={form.email} onInput={(e) => setForm({ ...form, email: e.currentTarget.value })} />
        </label>
        <label>
          Name
          <input name="name" value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        </label>
        <label>
          Role
          <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.currentTarget.value })}>
            {ROLES.map((r) => (
              <option value={r}>{r}</option>
            ))}
          </select>
        </label>
        <label>
          Initial password (10+ characters)
          <input name="password" type="password" autoComplete="new-password" minLength={10} required value={form.password} onInput={(e) => setForm({ ...form, password: e.currentTarget.value })} />
        </label>
        <fieldset>
          <legend>Teams</legend>
          {me.teams.map((t) => (
            <label class="check">
              <input type="checkbox" checked={form.teams.includes(t)} onChange={(e) => setForm({ ...form, teams: e.currentTarget.checked ? [...form.teams, t] : form.teams.filter((x) => x !== t) })} /> {t}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={action.busy}>
          Add user
        </button>
      </form>
      <Notice message={action.message} failed={action.failed} />
      <Notice message={users.error} failed />
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Email</th>
            <th>Role</th>
            <th>Teams</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(users.data?.users ?? []).map((u) => (
            <tr data-user={u.email}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>
                <select aria-label={`Role of ${u.email}`} value={u.role} onChange={(e) => action.run(async () => (await api('PATCH', `/console/api/users/${u.id}`, { role: e.currentTarget.value }), users.reload(), `${u.email} is now ${e.currentTarget.value}.`))}>
                  {ROLES.map((r) => (
                    <option value={r}>{r}</option>
                  ))}
                </select>
              </td>
              <td>{u.teams.join(', ') || '–'}</td>
              <td>
                {u.id !== me.user?.id && (
                  <button class="danger" onClick={() => confirm(`Remove ${u.email}?`) && action.run(async () => (await api('DELETE', `/console/api/users/${u.id}`), users.reload(), `${u.email} removed.`))}>
                    Remove
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Page>
  );
}
