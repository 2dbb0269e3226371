import type { Live, Me } from '../../src/http/console/api-types';

/** The console API from the browser: JSON in and out, the CSRF token on every write, sign-in when signed out. */

let csrf: string | undefined;

export function setCsrf(token: string | undefined): void {
  csrf = token;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(method: string, path: string, body?: unknown, init: { signal?: AbortSignal; raw?: { file: File }; quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = {};
  if (csrf && method !== 'GET') headers['x-csrf-token'] = csrf;
  let payload: BodyInit | undefined;
  if (init.raw) {
    headers['x-filename'] = encodeURIComponent(init.raw.file.name);
    headers['content-type'] = 'application/octet-stream';
    payload = init.raw.file;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(payload !== undefined ? { body: payload } : {}), ...(init.signal ? { signal: init.signal } : {}) });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (res.status === 401 && !init.quiet401 && !location.pathname.startsWith('/console/sign-in') && !location.pathname.startsWith('/console/setup')) {
    location.assign(`/console/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`);
  }
  if (!res.ok) {
    const error = (json as { error?: { code: string; message: string }; message?: string } | undefined) ?? {};
    // Acts the desk refused (409 "Already with Ana.") carry a message of their own.
    throw new ApiError(res.status, error.error?.code ?? 'error', error.error?.message ?? error.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

export async function loadMe(): Promise<Me | undefined> {
  try {
    const me = await api<Me>('GET', '/console/api/me', undefined, { quiet401: true });
    setCsrf(me.csrf);
    return me;
  } catch {
    return undefined;
  }
}

/**
 * Follows a live endpoint: asks with the version it has, the server answers when something changed (or after a
 * while, unchanged). Stops when `signal` aborts; waits a little after errors so a restart does not spin.
 */
export function follow<T>(path: string, onData: (data: T) => void, signal: AbortSignal, onError?: (err: Error) => void): void {
  let version = '';
  const loop = async () => {
    while (!signal.aborted) {
      try {
        const sep = path.includes('?') ? '&' : '?';
        const live = await api<Live<T>>('GET', `${path}${version ? `${sep}since=${version}` : ''}`, undefined, { signal });
        if (live.version !== version) {
          version = live.version;
          onData(live.data);
        }
      } catch (err) {
        if (signal.aborted) return;
        onError?.(err as Error);
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  };
  void loop();
}

/** One key per click: a retried request after a lost answer acts once. */
export function actKey(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
