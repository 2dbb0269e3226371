import { useState } from 'preact/hooks';
import { api } from '../api';
import { Notice, Page, useAction, useLoad } from '../ui';

export function RoutingPage() {
  const routing = useLoad(() => api<{ file: string; yaml: string; teams: string[] }>('GET', '/console/api/routing'));
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
            Rules <small>{routing.data.file} (edit the file; every gateway reads it at start)</small>
          </h2>
          <pre class="yaml">{routing.data.yaml}</pre>
        </section>
      )}
    </Page>
  );
}
