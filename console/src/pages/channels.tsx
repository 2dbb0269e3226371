import { useState } from 'preact/hooks';
import type { ChannelView, Me } from '../../../src/http/console/api-types';
import { api } from '../api';
import { CHANNEL_LABELS } from '../format';
import { Badge, Notice, Page, useAction, useLoad } from '../ui';

/** What each kind asks for in the form; the server checks the same list (src/channel-setup.ts). */
const NEEDS: Record<string, { secrets: string[]; settings: string[] }> = {
  webchat: { secrets: [], settings: [] },
  api: { secrets: [], settings: ['callbackUrl'] },
  slack: { secrets: ['botToken', 'signingSecret'], settings: [] },
  teams: { secrets: ['appId', 'appPassword', 'tenantId'], settings: [] },
  discord: { secrets: ['botToken'], settings: [] },
  email: { secrets: ['password'], settings: ['address', 'imapHost', 'smtpHost'] },
  whatsapp: { secrets: ['appSecret', 'verifyToken', 'accessToken'], settings: ['phoneNumberId'] },
  messenger: { secrets: ['appSecret', 'verifyToken', 'accessToken'], settings: ['pageId'] },
  instagram: { secrets: ['appSecret', 'verifyToken', 'accessToken'], settings: ['igId'] },
  telegram: { secrets: ['botToken'], settings: [] },
};

export function ChannelsPage({ me }: { me: Me }) {
  const list = useLoad(() => api<{ channels: ChannelView[] }>('GET', '/console/api/channels'));
  const canWrite = me.permissions.includes('channels:write');
  const action = useAction();
  const [adding, setAdding] = useState(false);
  return (
    <Page title="Channels" actions={canWrite && <button onClick={() => setAdding(!adding)}>{adding ? 'Close' : 'Add channel'}</button>}>
      {adding && <AddChannel onAdded={() => (setAdding(false), list.reload())} />}
      <Notice message={list.error} failed />
      <Notice message={action.message} failed={action.failed} />
      <div class="cards">
        {(list.data?.channels ?? []).map((c) => (
          <article class="card" data-channel={c.id}>
            <h2>
              {c.name} <small>{CHANNEL_LABELS[c.kind] ?? c.kind}</small> {c.enabled ? <Badge kind="ok">enabled</Badge> : <Badge kind="off">disabled</Badge>}
            </h2>
            <dl>
              <dt>Id</dt>
              <dd>
                <code>{c.id}</code>
              </dd>
              <dt>Secrets set</dt>
              <dd>{c.secrets.length ? c.secrets.join(', ') : 'none'}</dd>
              {(c.missing.secrets.length > 0 || c.missing.settings.length > 0) && (
                <>
                  <dt>Still needs</dt>
                  <dd class="error">{[...c.missing.secrets.map((s) => `secret ${s}`), ...c.missing.settings.map((s) => `setting ${s}`)].join(', ')}</dd>
                </>
              )}
              {c.webhookUrl && (
                <>
                  <dt>Webhook URL</dt>
                  <dd>
                    <code>{c.webhookUrl}</code>
                  </dd>
                </>
              )}
              {c.next && (
                <>
                  <dt>Next step</dt>
                  <dd>{c.next}</dd>
                </>
              )}
              {c.connection && (
                <>
                  <dt>Connection</dt>
                  <dd>
                    {c.connection.state}
                    {c.connection.holder ? ` (held by ${c.connection.holder})` : ''}
                    {c.connection.detail ? ` — ${c.connection.detail}` : ''}
                    {c.kind === 'whatsapp' && c.settings.driver === 'web' && (
                      <>
                        {' '}
                        · <a href={`/admin/channels/${c.id}/whatsapp-web`}>QR code</a>
                      </>
                    )}
                  </dd>
                </>
              )}
            </dl>
            {canWrite && (
              <div class="row">
                <button
                  class="secondary"
                  onClick={() => action.run(async () => (await api('PATCH', `/console/api/channels/${c.id}`, { enabled: !c.enabled }), list.reload(), `${c.id} ${c.enabled ? 'disabled' : 'enabled'}.`))}
                >
                  {c.enabled ? 'Disable' : 'Enable'}
                </button>
                <EditSecrets channel={c} onSaved={list.reload} />
                <button
                  class="danger"
                  onClick={() => confirm(`Remove channel ${c.id}? Its conversations are kept.`) && action.run(async () => (await api('DELETE', `/console/api/channels/${c.id}`), list.reload(), `${c.id} removed.`))}
                >
                  Remove
                </button>
              </div>
            )}
          </article>
        ))}
      </div>
    </Page>
  );
}

function EditSecrets({ channel, onSaved }: { channel: ChannelView; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const action = useAction();
  if (!open)
    return (
      <button class="secondary" onClick={() => setOpen(true)}>
        Set a secret or setting
      </button>
    );
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        const isSecret = NEEDS[channel.kind]?.secrets.includes(name) || /secret|token|password|key/i.test(name);
        void action.run(async () => {
          await api('PATCH', `/console/api/channels/${channel.id}`, isSecret ? { secrets: { [name]: value } } : { settings: { [name]: value } });
          setOpen(false);
          onSaved();
          return `${name} saved.`;
        });
      }}
    >
      <input aria-label="Name" placeholder="name (e.g. botToken)" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
      <input aria-label="Value" type="password" placeholder="value" value={value} onInput={(e) => setValue(e.currentTarget.value)} required />
      <button type="submit">Save</button>
      <Notice message={action.message} failed={action.failed} />
    </form>
  );
}

function AddChannel({ onAdded }: { onAdded: () => void }) {
  const [kind, setKind] = useState('webchat');
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [generated, setGenerated] = useState<Record<string, string>>();
  const action = useAction();
  const needs = NEEDS[kind] ?? { secrets: [], settings: [] };
  return (
    <form
      class="panel"
      aria-label="Add channel"
      onSubmit={(e) => {
        e.preventDefault();
        void action.run(async () => {
          const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => values[k]).map((k) => [k, values[k]!]));
          const res = await api<{ generated?: Record<string, string> }>('POST', '/console/api/channels', { id, kind, name, secrets: pick(needs.secrets), settings: pick(needs.settings) });
          setGenerated(res.generated);
          onAdded();
          return `Channel ${id} added.`;
        });
      }}
    >
      <label>
        Kind
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {Object.entries(CHANNEL_LABELS).map(([k, v]) => (
            <option value={k}>{v}</option>
          ))}
        </select>
      </label>
      <label>
        Id (part of the webhook URL)
        <input name="id" required pattern="[A-Za-z0-9][A-Za-z0-9_\-]{0,63}" value={id} onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      <label>
        Name
        <input name="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      {[...needs.settings.map((k) => [k, 'setting'] as const), ...needs.secrets.map((k) => [k, 'secret'] as const)].map(([k, type]) => (
        <label>
          {k} <small>({type}{type === 'secret' ? ', write-only' : ''})</small>
          <input name={k} type={type === 'secret' ? 'password' : 'text'} value={values[k] ?? ''} onInput={(e) => setValues({ ...values, [k]: e.currentTarget.value })} />
        </label>
      ))}
      <button type="submit" disabled={action.busy}>
        Add
      </button>
      <Notice message={action.message} failed={action.failed} />
      {generated && (
        <p class="notice">
          Generated once, store them now: {Object.entries(generated).map(([k, v]) => (
            <code>
              {k}={v}{' '}
            </code>
          ))}
        </p>
      )}
    </form>
  );
}
