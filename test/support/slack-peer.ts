import { createHmac } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  /** The form fields as sent (WebClient form-encodes; `blocks` arrives as a JSON string). */
  form: Record<string, string>;
  authorization?: string;
  contentType?: string;
  status: number;
  /** Whether the fake answered `ok: true`. */
  ok: boolean;
  /** What the fake answered (the `ts` of a posted message…). */
  answer: Record<string, unknown>;
  at: number;
}

interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

/**
 * A fake Slack Web API on loopback: `POST /api/<method>` for `auth.test`, `chat.postMessage`, `chat.update`.
 * Every call is recorded (and emitted as 'request'). Scripted answers per method (a 429 with Retry-After, an
 * `{ok:false,error}`) are consumed in order before the canned ones.
 */
export class SlackPeer extends EventEmitter {
  readonly calls: SlackCall[] = [];
  readonly botUserId = 'UBOT';
  readonly botId = 'BBOT';
  private readonly scripts: Array<{ method: string; channel?: string; answer: Scripted }> = [];
  private server: Server | undefined;
  private seq = 0;
  /** Workspace members `users.info` knows: id → display name. */
  readonly users = new Map<string, string>();
  apiUrl = '';
  /** Socket Mode: the WebSocket URL `apps.connections.open` hands out (set by SlackSocketPeer); unset, it refuses. */
  socketModeUrl: string | undefined;

  /** Files shared in the workspace (`files.info`, and their private download links): id → what Slack stores. */
  readonly files = new Map<string, { name: string; mimetype: string; bytes: Buffer }>();
  /** Downloads of private file links, with the Authorization header they came with. */
  readonly downloads: Array<{ path: string; authorization?: string }> = [];

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.startsWith('/files-pri/')) return this.download(req.url, req.headers.authorization, res);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
        const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
        const scripted = this.scripts.findIndex((s) => s.method === method && (!s.channel || s.channel === form.channel));
        const answer = scripted >= 0 ? this.scripts.splice(scripted, 1)[0]!.answer : this.canned(method, form);
        const call: SlackCall = {
          method,
          form,
          status: answer.status,
          ok: answer.status === 200 && answer.body.ok === true,
          answer: answer.body,
          at: Date.now(),
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
          ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
        };
        this.calls.push(call);
        res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...(answer.headers ?? {}) });
        res.end(JSON.stringify(answer.body));
        this.emit('request', call);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.apiUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  /** The next call of `method` (for `channel`, if given) gets this answer; several queue in order. */
  respondWith(method: string, answer: Scripted, channel?: string): void {
    this.scripts.push({ method, answer, ...(channel ? { channel } : {}) });
  }

  rateLimit(method: string, retryAfterSeconds: number, channel?: string): void {
    this.respondWith(method, { status: 429, headers: { 'retry-after': String(retryAfterSeconds) }, body: { ok: false, error: 'ratelimited' } }, channel);
  }

  fail(method: string, error: string, channel?: string): void {
    this.respondWith(method, { status: 200, body: { ok: false, error } }, channel);
  }

  /** Accepted calls of one method, optionally for one channel. */
  accepted(method: string, channel?: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method && c.ok && (!channel || c.form.channel === channel));
  }

  /** Messages that Slack accepted, optionally only those for one conversation (channel id). */
  posted(channel?: string): SlackCall[] {
    return this.calls.filter((c) => c.method === 'chat.postMessage' && c.ok && (!channel || c.form.channel === channel));
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  /** A private file link: the bytes with a bearer token; without one Slack answers its HTML sign-in page with 200. */
  private download(path: string, authorization: string | undefined, res: ServerResponse): void {
    this.downloads.push({ path, ...(authorization ? { authorization } : {}) });
    const id = /^\/files-pri\/T1-([^/]+)\//.exec(path)?.[1] ?? '';
    const file = this.files.get(id);
    if (!authorization?.startsWith('Bearer ')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html><body>Sign in to Slack</body></html>');
    } else if (!file) {
      res.writeHead(404).end();
    } else {
      res.writeHead(200, { 'content-type': file.mimetype });
      res.end(file.bytes);
    }
  }

  private canned(method: string, form: Record<string, string>): Scripted {
    const ts = `${1_700_000_000 + ++this.seq}.000100`;
    switch (method) {
      case 'auth.test':
        return { status: 200, body: { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'switchboard', team_id: 'T1', user_id: this.botUserId, bot_id: this.botId } };
      case 'chat.postMessage':
        return { status: 200, body: { ok: true, channel: form.channel, ts, message: { type: 'message', text: form.text, ts, bot_id: this.botId, user: this.botUserId, ...(form.thread_ts ? { thread_ts: form.thread_ts } : {}) } } };
      case 'chat.update':
        return { status: 200, body: { ok: true, channel: form.channel, ts: form.ts, text: form.text } };
      case 'users.info': {
        const user = this.users.get(form.user ?? '');
        return user
          ? { status: 200, body: { ok: true, user: { id: form.user, name: user.toLowerCase(), real_name: user, profile: { display_name: user, real_name: user } } } }
          : { status: 200, body: { ok: false, error: 'user_not_found' } };
      }
      case 'files.info': {
        const file = this.files.get(form.file ?? '');
        if (!file) return { status: 200, body: { ok: false, error: 'file_not_found' } };
        const base = this.apiUrl.replace(/\/api\/$/, '');
        const url = `${base}/files-pri/T1-${form.file}/${file.name}`;
        return {
          status: 200,
          body: { ok: true, file: { id: form.file, name: file.name, mimetype: file.mimetype, size: file.bytes.length, mode: 'hosted', url_private: url, url_private_download: url.replace(/\/([^/]+)$/, '/download/$1') } },
        };
      }
      case 'apps.connections.open':
        return this.socketModeUrl ? { status: 200, body: { ok: true, url: this.socketModeUrl } } : { status: 200, body: { ok: false, error: 'not_allowed_token_type' } };
      default:
        return { status: 200, body: { ok: false, error: 'unknown_method' } };
    }
  }
}

/** Signs like Slack: `v0=` + hex HMAC-SHA256 over `v0:<ts>:<body>`, computed here independently of the adapter. */
export function slackHeaders(secret: string, body: string, timestampSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac('sha256', secret).update(`v0:${timestampSeconds}:${body}`).digest('hex');
  return { 'x-slack-request-timestamp': String(timestampSeconds), 'x-slack-signature': `v0=${signature}` };
}

/** POSTs a signed Events API (JSON) or interactivity (form) request to the gateway's webhook route. */
export async function postToSlackWebhook(
  url: string,
  secret: string,
  payload: unknown,
  options: { form?: boolean; timestampSeconds?: number; headers?: Record<string, string> } = {},
): Promise<Response> {
  const body = options.form ? new URLSearchParams({ payload: JSON.stringify(payload) }).toString() : JSON.stringify(payload);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': options.form ? 'application/x-www-form-urlencoded' : 'application/json',
      ...slackHeaders(secret, body, options.timestampSeconds),
      ...(options.headers ?? {}),
    },
    body,
  });
}
