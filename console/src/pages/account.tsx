import { useState } from 'preact/hooks';
import type { Me } from '../../../src/http/console/api-types';
import { api } from '../api';
import { time } from '../format';
import { Notice, Page, useAction, useLoad } from '../ui';

interface TokenRow {
  id: string;
  name: string;
  role: string;
  hint: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function AccountPage({ me }: { me: Me }) {
  const tokens = useLoad(() => api<{ tokens: TokenRow[] }>('GET', '/console/api/tokens'));
  const action = useAction();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string>();
  return (
    <Page title="Account">
      <p>
        Signed in as <b>{me.name}</b> ({me.user?.email ?? 'ADMIN_TOKEN'}), role <b>{me.role}</b>.
      </p>
      <button class="secondary" onClick={() => action.run(async () => (await api('POST', '/console/api/sign-out-everywhere', {}), location.assign('/console/sign-in')))}>
        Sign out everywhere
      </button>
      <section class="panel">
        <h2>Personal API tokens</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void action.run(async () => {
              const res = await api<{ token: string }>('POST', '/console/api/tokens', { name });
              setCreated(res.token);
              setName('');
              tokens.reload();
            });
          }}
        >
          <input aria-label="Token name" placeholder="What is it for?" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
          <button type="submit">Create token</button>
        </form>
        {created && (
          <p class="notice">
            Shown once — copy it now: <code>{created}</code>
          </p>
        )}
        <Notice message={action.message} failed={action.failed} />
        <table>
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Token</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(tokens.data?.tokens ?? []).map((t) => (
              <tr>
                <td>{t.name}</td>
                <td>{t.role}</td>
                <td>
                  <code>{t.hint}</code>
                </td>
                <td>{time(t.createdAt)}</td>
                <td>{t.lastUsedAt ? time(t.lastUsedAt) : 'never'}</td>
                <td>{t.revokedAt ? 'revoked' : <button class="danger" onClick={() => action.run(async () => (await api('DELETE', `/console/api/tokens/${t.id}`), tokens.reload(), 'Token revoked.'))}>Revoke</button>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </Page>
  );
}
