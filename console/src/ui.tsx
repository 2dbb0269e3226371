import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';

/** Loads once (and again on `reload()`); errors are shown, not thrown. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): { data: T | undefined; error: string | undefined; reload: () => void } {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    load().then(
      (d) => live && (setData(d), setError(undefined)),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) };
}

/** Runs a write, keeps its pending state and the message the server answered with. */
export function useAction(): { busy: boolean; message: string | undefined; failed: boolean; run: (fn: () => Promise<string | void>) => Promise<void> } {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string>();
  const [failed, setFailed] = useState(false);
  const run = async (fn: () => Promise<string | void>) => {
    setBusy(true);
    setMessage(undefined);
    try {
      const msg = await fn();
      setFailed(false);
      setMessage(msg || undefined);
    } catch (err) {
      setFailed(true);
      setMessage(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return { busy, message, failed, run };
}

export function Notice({ message, failed }: { message: string | undefined; failed?: boolean }) {
  if (!message) return null;
  return (
    <p class={failed ? 'notice error' : 'notice'} role={failed ? 'alert' : 'status'}>
      {message}
    </p>
  );
}

export function Page({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }) {
  useEffect(() => {
    document.title = `${title} · Switchboard`;
  }, [title]);
  return (
    <main id="main" tabIndex={-1}>
      <header class="page-head">
        <h1>{title}</h1>
        {actions}
      </header>
      {children}
    </main>
  );
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind}`}>{children}</span>;
}
