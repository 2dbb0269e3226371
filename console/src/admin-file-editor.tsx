import { useEffect, useState } from 'preact/hooks';
import type { AdminFileResponse } from '../../src/http/console/api-types';
import { Notice, useAction } from './ui';

/** An admin file (routing, intents, alerts) edited as the YAML its file holds; read-only without the permission. */
export function AdminFileEditor(props: { title: string; label: string; file: AdminFileResponse; origin: string; canWrite: boolean; save: (yaml: string) => Promise<string> }) {
  const [draft, setDraft] = useState('');
  const save = useAction();
  useEffect(() => setDraft(props.file.yaml), [props.file]);
  return (
    <>
      <h2>
        {props.title} <small>{props.file.origin === 'console' ? `revision ${props.file.revision}, saved by ${props.file.updatedBy ?? 'an admin'}` : `from ${props.origin}`}</small>
      </h2>
      {props.canWrite ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save.run(() => props.save(draft));
          }}
        >
          <textarea class="yaml-edit" aria-label={props.label} rows={24} spellcheck={false} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
          <div class="row">
            <button type="submit" disabled={save.busy}>
              Save {props.title.toLowerCase()}
            </button>
          </div>
          <Notice message={save.message} failed={save.failed} />
        </form>
      ) : (
        <pre class="yaml">{props.file.yaml}</pre>
      )}
    </>
  );
}
