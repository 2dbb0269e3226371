import { useEffect, useState } from 'preact/hooks';
import type { IngestJobView, KnowledgeDocumentView, Me, PlaygroundResult } from '../../../src/http/console/api-types';
import { api } from '../api';
import { pct, time } from '../format';
import { Notice, Page, useAction, useLoad } from '../ui';

export function KnowledgePage({ me }: { me: Me }) {
  const docs = useLoad(() => api<{ documents: KnowledgeDocumentView[] }>('GET', '/console/api/knowledge'));
  const canWrite = me.permissions.includes('knowledge:write');
  const action = useAction();
  const [open, setOpen] = useState<string>();
  return (
    <Page title="Knowledge">
      <Playground />
      {canWrite && (
        <section class="panel">
          <h2>Add or update a document</h2>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              const input = e.currentTarget.elements.namedItem('file') as HTMLInputElement;
              const file = input.files?.[0];
              if (!file) return;
              void action.run(async () => {
                const res = await api<{ report: { added: number; updated: number; unchanged: number; chunks: { added: number; updated: number } } }>('POST', '/console/api/knowledge', undefined, { raw: { file } });
                input.value = '';
                docs.reload();
                const r = res.report;
                return `${file.name}: ${r.added ? 'added' : r.updated ? 'updated' : 'unchanged'} (${r.chunks.added + r.chunks.updated} sections indexed).`;
              });
            }}
          >
            <input name="file" type="file" accept=".md,.markdown,.html,.htm,.txt,.pdf" aria-label="Document (md, HTML, txt or PDF, up to 10 MB)" />
            <button type="submit" disabled={action.busy}>
              {action.busy ? 'Ingesting…' : 'Upload'}
            </button>
          </form>
          <Notice message={action.message} failed={action.failed} />
          <Reingest onFinished={docs.reload} />
        </section>
      )}
      <Notice message={docs.error} failed />
      <table>
        <thead>
          <tr>
            <th>Document</th>
            <th>Type</th>
            <th>Sections</th>
            <th>Hash</th>
            <th>Updated</th>
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {(docs.data?.documents ?? []).map((d) => (
            <>
              <tr data-document={d.id}>
                <td>
                  <button class="link" aria-expanded={open === d.id} onClick={() => setOpen(open === d.id ? undefined : d.id)}>
                    {d.title}
                  </button>{' '}
                  <small>{d.id}</small>
                </td>
                <td>{d.sourceType}</td>
                <td>{d.sections}</td>
                <td>
                  <code>{d.contentHash.slice(0, 10)}</code>
                </td>
                <td>{time(d.updatedAt)}</td>
                {canWrite && (
                  <td>
                    <button class="danger" onClick={() => confirm(`Delete ${d.title}?`) && action.run(async () => (await api('DELETE', `/console/api/knowledge/${encodeURIComponent(d.id)}`), docs.reload(), `${d.title} deleted.`))}>
                      Delete
                    </button>
                  </td>
                )}
              </tr>
              {open === d.id && (
                <tr>
                  <td colSpan={6}>
                    <Sections id={d.id} />
                  </td>
                </tr>
              )}
            </>
          ))}
        </tbody>
      </table>
    </Page>
  );
}

function Sections({ id }: { id: string }) {
  const s = useLoad(() => api<{ sections: Array<{ id: string; heading: string | null; text: string; contentHash: string }> }>('GET', `/console/api/knowledge/${encodeURIComponent(id)}/sections`), [id]);
  return (
    <ol class="sections">
      {(s.data?.sections ?? []).map((x) => (
        <li>
          <b>{x.heading || '(introduction)'}</b> <code>{x.contentHash.slice(0, 8)}</code>
          <p>{x.text.slice(0, 300)}</p>
        </li>
      ))}
    </ol>
  );
}

function Playground() {
  const [question, setQuestion] = useState('');
  const [result, setResult] = useState<PlaygroundResult>();
  const action = useAction();
  return (
    <section class="panel playground" aria-label="Try a question">
      <h2>Try a question</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => setResult(await api<PlaygroundResult>('POST', '/console/api/knowledge/try', { question })));
        }}
      >
        <input name="question" aria-label="Question" placeholder="Ask as a customer would…" value={question} onInput={(e) => setQuestion(e.currentTarget.value)} required />
        <button type="submit" disabled={action.busy}>
          Ask
        </button>
      </form>
      <Notice message={action.message} failed={action.failed} />
      {result && (
        <div class="result" data-decision={result.decision}>
          <p>
            <b>The bot would {result.decision === 'answer' ? 'answer' : result.decision === 'clarify' ? 'ask back' : 'hand over to people'}</b> · confidence {pct(result.confidence)}
            {result.reason ? ` · ${result.reason}` : ''} · intent {result.intent ?? '–'} · {result.language ?? '–'}
            {result.decision === 'escalate' ? ` · to ${result.team} (${result.priority})` : ''}
          </p>
          <blockquote class="reply">{result.reply}</blockquote>
          {result.citations.length > 0 && <p class="sources">Sources: {result.citations.map((c) => c.title).join(', ')}</p>}
          <h3>Passages found</h3>
          <ol class="passages">
            {result.passages.map((p) => (
              <li>
                <b>{p.title}</b>
                {p.heading && !p.title.includes(p.heading) ? ` › ${p.heading}` : ''} <span class="score">{p.score.toFixed(3)}</span>
                <p>{p.text}</p>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}

/**
 * Re-ingesting the knowledge folder runs as a job on the server; this follows its progress (from whichever gateway
 * answers: the job is in MongoDB), including one another admin started.
 */
function Reingest({ onFinished }: { onFinished: () => void }) {
  const [job, setJob] = useState<IngestJobView | null>(null);
  const start = useAction();
  const running = job?.status === 'running';
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const follow = async (wasRunning: boolean) => {
      try {
        const next = (await api<{ job: IngestJobView | null }>('GET', '/console/api/knowledge/reingest')).job;
        if (stopped) return;
        setJob(next);
        if (wasRunning && next?.status !== 'running') onFinished();
        if (next?.status === 'running') timer = setTimeout(() => void follow(true), 500);
      } catch {
        if (!stopped) timer = setTimeout(() => void follow(wasRunning), 2_000);
      }
    };
    if (running || job === null) void follow(running);
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [running]);
  return (
    <div class="reingest" data-job={job?.status ?? 'none'}>
      <button
        type="button"
        class="secondary"
        disabled={start.busy || running}
        onClick={() => start.run(async () => setJob((await api<{ job: IngestJobView }>('POST', '/console/api/knowledge/reingest', {})).job))}
      >
        Re-ingest the knowledge folder
      </button>
      <Notice message={start.message} failed={start.failed} />
      {job && <JobState job={job} />}
    </div>
  );
}

function JobState({ job }: { job: IngestJobView }) {
  if (job.status === 'running') {
    return (
      <p role="status">
        <progress max={job.total ?? undefined} value={job.total ? job.done : undefined} aria-label="Ingestion progress" /> {job.total ? `${job.done} of ${job.total} files` : 'Listing files…'}
        {job.currentFile ? ` · ${job.currentFile}` : ''} (started by {job.startedBy})
      </p>
    );
  }
  if (job.status === 'failed') return <p class="notice error">The last re-ingest failed: {job.error}</p>;
  const r = job.report;
  return (
    <p class="hint result" role="status">
      Last re-ingest {job.finishedAt ? time(job.finishedAt) : ''}: {r ? `${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged, ${r.failed} failed` : 'finished'}
      {r && r.failures.length > 0 ? ` (${r.failures.map((f) => `${f.file}: ${f.reason}`).join('; ')})` : ''}.
    </p>
  );
}
