import { useEffect, useRef, useState } from 'preact/hooks';
import type { ConversationView, Me, MessageView } from '../../../src/http/console/api-types';
import { actKey, api, follow } from '../api';
import { CHANNEL_LABELS, pct, time } from '../format';
import { Badge, Notice, Page, useAction, useLoad } from '../ui';

type Act = { act: string; text?: string; team?: string; userId?: string; citations?: Array<{ title: string; url?: string }> };

export function ConversationPage({ id, me }: { id: string; me: Me }) {
  const [view, setView] = useState<ConversationView>();
  const [error, setError] = useState<string>();
  const [draft, setDraft] = useState('');
  const [citations, setCitations] = useState<Array<{ title: string; url?: string }>>([]);
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const action = useAction();
  const canWrite = me.permissions.includes('inbox:write');
  const lastTyping = useRef(0);
  const agents = useLoad(() => (canWrite ? api<{ agents: Array<{ id: string; name: string }> }>('GET', '/console/api/agents') : Promise.resolve({ agents: [] })));

  useEffect(() => {
    const stop = new AbortController();
    follow<ConversationView>(`/console/api/conversations/${id}`, (d) => (setView(d), setError(undefined)), stop.signal, (e) => setError(e.message));
    // Colleagues see who has the conversation open.
    const here = () => void api('POST', `/console/api/conversations/${id}/presence`, {}).catch(() => undefined);
    here();
    const timer = setInterval(here, 10_000);
    return () => (stop.abort(), clearInterval(timer));
  }, [id]);

  const act = (body: Act) =>
    action.run(async () => {
      const res = await api<{ message: string }>('POST', `/console/api/conversations/${id}/act`, { ...body, key: actKey() });
      return res.message;
    });

  const typed = (text: string) => {
    setDraft(text);
    if (mode === 'reply' && Date.now() - lastTyping.current > 3_000) {
      lastTyping.current = Date.now();
      void api('POST', `/console/api/conversations/${id}/presence`, { typing: true }).catch(() => undefined);
    }
  };

  if (!view) return <Page title="Conversation">{error ? <Notice failed message={error} /> : <p class="loading">Loading…</p>}</Page>;
  const open = view.status === 'pending' || view.status === 'assigned';
  const suggestion = view.assist?.suggestion;
  return (
    <Page
      title={view.customer.name}
      actions={
        <div class="meta">
          <Badge kind={view.status}>{view.status === 'pending' ? 'waiting' : view.status}</Badge> <Badge kind={view.priority}>{view.priority}</Badge> {CHANNEL_LABELS[view.channelKind] ?? view.channelKind}
          {view.team ? ` · ${view.team}` : ''}
          {view.assigneeName ? ` · with ${view.mine ? 'you' : view.assigneeName}` : ''}
        </div>
      }
    >
      <div class="conversation">
        <section class="transcript" aria-label="Transcript">
          {view.reason && <p class="escalation">Escalated: {view.reason}</p>}
          <ol class="messages">
            {view.messages.map((m) => (
              <Message m={m} />
            ))}
          </ol>
          {view.colleagues.length > 0 && (
            <p class="presence" aria-live="polite">
              {view.colleagues.map((c) => `${c.name}${c.typing ? ' is typing…' : ' is viewing'}`).join(' · ')}
            </p>
          )}
          {canWrite && (
            <form
              class="composer"
              onSubmit={(e) => {
                e.preventDefault();
                const text = draft.trim();
                if (!text) return;
                void act(mode === 'reply' ? { act: 'reply', text, citations } : { act: 'note', text }).then(() => {
                  setDraft('');
                  setCitations([]);
                });
              }}
            >
              <div class="tabs" role="tablist" aria-label="Write">
                <button type="button" role="tab" aria-selected={mode === 'reply'} onClick={() => setMode('reply')}>
                  Reply to customer
                </button>
                <button type="button" role="tab" aria-selected={mode === 'note'} onClick={() => setMode('note')}>
                  Internal note
                </button>
              </div>
              <textarea
                aria-label={mode === 'reply' ? 'Reply' : 'Note'}
                name="reply"
                rows={4}
                value={draft}
                placeholder={mode === 'reply' ? `Reply on ${CHANNEL_LABELS[view.channelKind] ?? view.channelKind}…` : 'Only colleagues see notes'}
                onInput={(e) => typed(e.currentTarget.value)}
                onKeyDown={(e) => {
                  if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) (e.currentTarget.form as HTMLFormElement).requestSubmit();
                }}
              />
              <div class="row">
                <button type="submit" disabled={action.busy || !draft.trim() || view.status === 'resolved'}>
                  {mode === 'reply' ? 'Send' : 'Save note'}
                </button>
                <span class="hint">Ctrl+Enter sends</span>
              </div>
            </form>
          )}
          <Notice message={action.message} failed={action.failed} />
        </section>
        <aside class="side" aria-label="Details">
          {canWrite && (
            <section class="acts">
              {view.status !== 'resolved' && !view.mine && (
                <button onClick={() => act({ act: 'claim' })} disabled={action.busy}>
                  Claim
                </button>
              )}
              {open && (
                <button onClick={() => act({ act: 'resolve' })} disabled={action.busy}>
                  Resolve
                </button>
              )}
              {open && (
                <button class="secondary" onClick={() => act({ act: 'return_to_bot' })} disabled={action.busy}>
                  Hand back to bot
                </button>
              )}
              {open && (
                <label>
                  Reassign
                  <select
                    onChange={(e) => {
                      const [kind, value] = e.currentTarget.value.split(':') as [string, string];
                      e.currentTarget.value = '';
                      if (kind === 'team') void act({ act: 'reassign', team: value });
                      if (kind === 'user') void act({ act: 'reassign', userId: value });
                    }}
                  >
                    <option value="">Choose…</option>
                    <optgroup label="Team">
                      {me.teams.map((t) => (
                        <option value={`team:${t}`}>{t}</option>
                      ))}
                    </optgroup>
                    <optgroup label="Person">
                      {(agents.data?.agents ?? []).map((a) => (
                        <option value={`user:${a.id}`}>{a.name}</option>
                      ))}
                    </optgroup>
                  </select>
                </label>
              )}
            </section>
          )}
          {view.assist && (
            <section class="assist">
              <h2>Summary</h2>
              <p>{view.assist.summary}</p>
              {suggestion && (
                <>
                  <h2>Suggested reply</h2>
                  <p class="suggestion">{suggestion.text}</p>
                  {suggestion.citations.length > 0 && (
                    <p class="sources">
                      Sources:{' '}
                      {suggestion.citations.map((c) => (c.url ? <a href={c.url} target="_blank" rel="noopener">{c.title}</a> : c.title))}
                    </p>
                  )}
                  {canWrite && view.status !== 'resolved' && (
                    <button
                      class="secondary"
                      onClick={() => {
                        setMode('reply');
                        setDraft(suggestion.text);
                        setCitations(suggestion.citations);
                      }}
                    >
                      Use suggestion
                    </button>
                  )}
                </>
              )}
              {canWrite && (
                <button class="link" onClick={() => act({ act: 'refresh_suggestion' })}>
                  Refresh suggestion
                </button>
              )}
            </section>
          )}
          <section>
            <h2>Customer</h2>
            <dl>
              <dt>Name</dt>
              <dd>
                {view.customer.name}
                {view.customer.vip ? ' (VIP)' : ''}
              </dd>
              {view.customer.email && (
                <>
                  <dt>Email</dt>
                  <dd>{view.customer.email}</dd>
                </>
              )}
              {view.customer.phone && (
                <>
                  <dt>Phone</dt>
                  <dd>{view.customer.phone}</dd>
                </>
              )}
              <dt>Channels</dt>
              <dd>{view.customer.channels.join(', ')}</dd>
              {view.csat !== null && (
                <>
                  <dt>Satisfaction</dt>
                  <dd>{view.csat}/5</dd>
                </>
              )}
            </dl>
          </section>
        </aside>
      </div>
    </Page>
  );
}

function Message({ m }: { m: MessageView }) {
  const who = m.direction === 'inbound' ? 'customer' : m.internal ? 'note' : m.author.kind;
  const r = m.reading;
  return (
    <li class={`msg msg-${who}`} data-author={who}>
      <div class="msg-head">
        <b>{m.internal ? `Note · ${m.author.name ?? 'agent'}` : m.direction === 'inbound' ? 'Customer' : m.author.kind === 'bot' ? 'Bot' : (m.author.name ?? m.author.kind)}</b>
        <time dateTime={m.at}>{time(m.at)}</time>
        {m.delivery && <span class={`delivery delivery-${m.delivery.status}`}>{m.delivery.status}</span>}
      </div>
      <p class="msg-text">{m.text}</p>
      {m.files.length > 0 && (
        <p class="files">
          {m.files.map((f) => (
            <a href={f.url} target="_blank" rel="noopener">
              📎 {f.name}
            </a>
          ))}
        </p>
      )}
      {m.citations.length > 0 && <p class="sources">Sources: {m.citations.map((c) => (c.url ? <a href={c.url}>{c.title}</a> : c.title))}</p>}
      {m.delivery?.error && <p class="error">Delivery: {m.delivery.error}</p>}
      {r && (
        <details class="reading">
          <summary>
            What the bot read: {r.intent ?? (r.outOfScope ? 'out of scope' : 'no intent')} · {r.sentiment ?? '–'} · {r.decision ?? '–'}
          </summary>
          <dl>
            <dt>Language</dt>
            <dd>{r.language ?? '–'}</dd>
            <dt>Intent</dt>
            <dd>
              {r.intent ?? '–'} ({pct(r.intentConfidence)}){r.outOfScope ? ', out of scope' : ''}
            </dd>
            <dt>Sentiment</dt>
            <dd>
              {r.sentiment ?? '–'}, frustration {pct(r.frustration)}
            </dd>
            <dt>Decision</dt>
            <dd>
              {r.decision ?? '–'}
              {r.reason ? ` — ${r.reason}` : ''}
            </dd>
            <dt>Answer confidence</dt>
            <dd>
              {pct(r.answerScore)}
              {r.answerSource ? ` from ${r.answerSource}` : ''}
            </dd>
            <dt>Routing</dt>
            <dd>
              {r.team ?? '–'}, {r.priority ?? '–'} ({r.provider ?? 'embedded'})
            </dd>
          </dl>
        </details>
      )}
    </li>
  );
}
