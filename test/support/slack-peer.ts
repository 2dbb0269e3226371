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

/** A message as conversations.history returns it. */
interface StoredMessage {
  type: 'message';
  ts: string;
  text: string;
  user: string;
  bot_id: string;
  thread_ts?: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

/** How the answer to a call that was carried out reaches the caller: at once, never (connection reset), or when released. */
type Delivery = { kind: 'lose' } | { kind: 'hold'; released: Promise<void>; arrived: () => void };

/**
 * A fake Slack Web API on loopback: `POST /api/<method>` for `auth.test`, `chat.postMessage`, `chat.update`,
 * `conversations.history` (channel messages, newest first, with `oldest`/`latest`/`inclusive`/`limit`, and message
 * metadata only with `include_all_metadata`, as Slack does). Every call is recorded (and emitted as 'request').
 * Scripted answers per method (a 429 with Retry-After, an `{ok:false,error}`) are consumed in order before the
 * canned ones; a call can also be carried out with its answer lost or held back (`loseAnswer`, `holdAnswer`).
 */
export class SlackPeer extends EventEmitter {
  readonly calls: SlackCall[] = [];
  readonly botUserId = 'UBOT';
  readonly botId = 'BBOT';
  private readonly scripts: Array<{ method: string; channel?: string; answer: Scripted }> = [];
  private readonly deliveries: Array<{ method: string; delivery: Delivery }> = [];
  /** Top-level messages and thread replies per channel, in posting order. */
  private readonly history = new Map<string, StoredMessage[]>();
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
  /** With `clock`, message ts follow it (as Slack's follow Slack's clock): time-bounded history reads then work. */
  constructor(private readonly options: { clock?: () => Date } = {}) {
    super();
  }

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
        const scriptedDelivery = this.deliveries.findIndex((d) => d.method === method);
        const delivery = scriptedDelivery >= 0 ? this.deliveries.splice(scriptedDelivery, 1)[0]!.delivery : undefined;
        const answerNow = () => {
          res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...(answer.headers ?? {}) });
          res.end(JSON.stringify(answer.body));
        };
        if (delivery?.kind === 'lose') req.socket.destroy();
        else if (delivery?.kind === 'hold') {
          delivery.arrived();
          void delivery.released.then(answerNow);
        } else answerNow();
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

  /** The next call of `method` is carried out (a message is posted), but the connection drops before its answer. */
  loseAnswer(method: string): void {
    this.deliveries.push({ method, delivery: { kind: 'lose' } });
  }

  /**
   * The next call of `method` is carried out, its answer held back until `release`: the window in which the caller
   * does not know yet what it did. `arrived` resolves once the call was carried out.
   */
  holdAnswer(method: string): { arrived: Promise<void>; release: () => void } {
    let release = () => {};
    let arrived = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    this.deliveries.push({ method, delivery: { kind: 'hold', released, arrived } });
    return { arrived: arrival, release };
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
    const seq = ++this.seq;
    const ts = this.options.clock ? `${Math.floor(this.options.clock().getTime() / 1000)}.${String(seq).padStart(6, '0')}` : `${1_700_000_000 + seq}.000100`;
    switch (method) {
      case 'auth.test':
        return { status: 200, body: { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'switchboard', team_id: 'T1', user_id: this.botUserId, bot_id: this.botId } };
      case 'chat.postMessage': {
        // WebClient form-encodes objects as JSON strings, as Slack accepts them.
        const metadata = form.metadata ? (JSON.parse(form.metadata) as StoredMessage['metadata']) : undefined;
        const message: StoredMessage = { type: 'message', text: form.text ?? '', ts, bot_id: this.botId, user: this.botUserId, ...(form.thread_ts ? { thread_ts: form.thread_ts } : {}), ...(metadata ? { metadata } : {}) };
        const list = this.history.get(form.channel ?? '') ?? [];
        list.push(message);
        this.history.set(form.channel ?? '', list);
        return { status: 200, body: { ok: true, channel: form.channel, ts, message } };
      }
      case 'conversations.history': {
        const list = this.history.get(form.channel ?? '');
        if (!list) return { status: 200, body: { ok: false, error: 'channel_not_found' } };
        const inclusive = form.inclusive === 'true' || form.inclusive === '1';
        const after = (m: StoredMessage) => !form.oldest || (inclusive ? Number(m.ts) >= Number(form.oldest) : Number(m.ts) > Number(form.oldest));
        const before = (m: StoredMessage) => !form.latest || (inclusive ? Number(m.ts) <= Number(form.latest) : Number(m.ts) < Number(form.latest));
        const withMetadata = form.include_all_metadata === 'true' || form.include_all_metadata === '1';
        // Channel history lists top-level messages only (thread replies are conversations.replies), newest first.
        const matching = list.filter((m) => !m.thread_ts && after(m) && before(m)).reverse();
        const limit = Math.min(Number(form.limit ?? 100) || 100, 999);
        const messages = matching.slice(0, limit).map(({ metadata, ...m }) => (withMetadata && metadata ? { ...m, metadata } : m));
        return { status: 200, body: { ok: true, messages, has_more: matching.length > limit, pin_count: 0, response_metadata: { next_cursor: '' } } };
      }
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
