import { useEffect, useState } from 'preact/hooks';
import type { Me } from '../../../src/http/console/api-types';
import { api } from '../api';
import { Notice, Page, useAction, useLoad } from '../ui';

export function RoutingPage({ me }: { me: Me }) {
  const routing = useLoad(() => api<{ yaml: string; revision: number; origin: string; updatedBy: string | null; teams: string[] }>('GET', '/console/api/routing'));
  const canWrite = me.permissions.includes('routing:write');
  const [draft, setDraft] = useState('');
  const save = useAction();
  useEffect(() => {
    if (routing.data) setDraft(routing.data.yaml);
  }, [routing.data]);
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<{ decision: string; team: string | null; priority: string | null; reason: string | null; intent: string | null }>();
  const action = useAction();
  return (
    <Page title="Routing">
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
            {preview.intent ? ` Intent: ${preview.intent}.` : ''}
          </p>
        )}
      </section>
      <Notice message={routing.error} failed />
      {routing.data && (
        <section>
          <h2>Teams</h2>
          <p>{routing.data.teams.join(', ')}</p>
          <h2>
            Rules <small>{routing.data.origin === 'console' ? `revision ${routing.data.revision}, saved by ${routing.data.updatedBy ?? 'an admin'}` : 'from the routing file'}</small>
          </h2>
          {canWrite ? (
            <form
              onSubmit={(e) => {
                e.preventDefault();
                void save.run(async () => {
                  const res = await api<{ revision: number }>('PUT', '/console/api/routing', { yaml: draft });
                  routing.reload();
                  return `Saved as revision ${res.revision}: every gateway applies it within seconds.`;
                });
              }}
            >
              <textarea class="yaml-edit" aria-label="Routing rules (YAML)" rows={24} spellcheck={false} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
              <div class="row">
                <button type="submit" disabled={save.busy}>
                  Save rules
                </button>
              </div>
              <Notice message={save.message} failed={save.failed} />
            </form>
          ) : (
            <pre class="yaml">{routing.data.yaml}</pre>
          )}
        </section>
      )}
    </Page>
  );
}
