import { useState } from 'preact/hooks';
import type { AdminFileResponse, IntentSummary, Me } from '../../../src/http/console/api-types';
import { api } from '../api';
import { AdminFileEditor } from '../admin-file-editor';
import { Notice, Page, useAction, useLoad } from '../ui';

interface Preview {
  decision: string;
  team: string | null;
  priority: string | null;
  reason: string | null;
  intent: string | null;
  intentConfidence: number | null;
}

/** Routing rules, teams, business hours and the intent catalog, each edited as the YAML its file holds. */
export function RoutingPage({ me }: { me: Me }) {
  const routing = useLoad(() => api<AdminFileResponse & { teams: string[] }>('GET', '/console/api/routing'));
  const intents = useLoad(() => api<AdminFileResponse & { intents: IntentSummary[] }>('GET', '/console/api/intents'));
  const canWrite = me.permissions.includes('routing:write');
  return (
    <Page title="Routing and intents">
      <PreviewPanel />
      <Notice message={routing.error ?? intents.error} failed />
      {routing.data && (
        <section>
          <h2>Teams</h2>
          <p>{routing.data.teams.join(', ')}</p>
          <AdminFileEditor
            title="Rules, teams and business hours"
            label="Routing rules (YAML)"
            file={routing.data}
            origin="the routing file"
            canWrite={canWrite}
            save={async (yaml) => {
              const res = await api<{ revision: number }>('PUT', '/console/api/routing', { yaml });
              routing.reload();
              return `Saved as revision ${res.revision}: every gateway applies it within seconds.`;
            }}
          />
        </section>
      )}
      {intents.data && (
        <section>
          <h2>Intents</h2>
          <table>
            <thead>
              <tr>
                <th>Intent</th>
                <th>Team</th>
                <th>Priority</th>
                <th>Handling</th>
                <th>Examples</th>
              </tr>
            </thead>
            <tbody>
              {intents.data.intents.map((i) => (
                <tr key={i.name}>
                  <td>{i.name}</td>
                  <td>{i.team ?? 'by the rules'}</td>
                  <td>{i.priority}</td>
                  <td>{i.escalate ? 'always to people' : i.canned ? 'canned answer' : 'knowledge base'}</td>
                  <td>{i.examples}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p class="hint">One document per intent, separated by a line with three dashes, each shaped like a file in knowledge/intents. A saved catalog is trained before it is used (a few seconds).</p>
          <AdminFileEditor
            title="Intent catalog"
            label="Intent catalog (YAML)"
            file={intents.data}
            origin="the intent files"
            canWrite={canWrite}
            save={async (yaml) => {
              const res = await api<{ revision: number; intents: IntentSummary[] }>('PUT', '/console/api/intents', { yaml });
              intents.reload();
              return `Saved as revision ${res.revision} with ${res.intents.length} intents: trained and in force here; other gateways follow within seconds.`;
            }}
          />
        </section>
      )}
    </Page>
  );
}

function PreviewPanel() {
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<Preview>();
  const action = useAction();
  return (
    <section class="panel">
      <h2>Preview</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => setPreview(await api('POST', '/console/api/routing/preview', { text })));
        }}
      >
        <input aria-label="Customer message" placeholder="A customer message…" value={text} onInput={(e) => setText(e.currentTarget.value)} required />
        <button type="submit">Preview</button>
      </form>
      <Notice message={action.message} failed={action.failed} />
      {preview && (
        <p class="result">
          {preview.decision === 'escalate'
            ? `This message would go to ${preview.team}, ${preview.priority} priority (${preview.reason}).`
            : `The bot would ${preview.decision === 'answer' ? 'answer' : 'ask back'} itself; if handed over it would go to ${preview.team ?? 'the default team'}, ${preview.priority ?? 'normal'} priority.`}
          {preview.intent ? ` Intent: ${preview.intent}${preview.intentConfidence !== null ? ` (confidence ${preview.intentConfidence.toFixed(2)})` : ''}.` : ''}
        </p>
      )}
    </section>
  );
}
