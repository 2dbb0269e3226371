import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TelegramCall {
  method: string;
  token: string;
  /** The parameters as sent (JSON body, or query string / form fields). */
  params: Record<string, unknown>;
  status: number;
  ok: boolean;
  answer: Record<string, unknown>;
  /** 'webhook-response': a method the gateway returned in the body of its 200 to a webhook delivery. */
  via: 'request' | 'webhook-response';
  at: number;
}

interface Scripted {
  status: number;
  body: Record<string, unknown>;
}

/**
 * A fake Bot API on loopback: `/bot<token>/<method>` for getMe, setWebhook, sendMessage, answerCallbackQuery,
 * getFile, and `/file/bot<token>/<path>` for the bytes. Every call is recorded and emitted as 'request'.
 * Scripted answers (a 429 with `parameters.retry_after`, a 403) are consumed in order, optionally per chat.
 * `deliver` plays Telegram's side of the webhook: the secret header, and running a method the 200 carries.
 */
export class TelegramPeer extends EventEmitter {
  readonly calls: TelegramCall[] = [];
  readonly bot = { id: 777000111, username: 'switchboard_test_bot', first_name: 'Switchboard' };
  /** file_id → bytes served by getFile and the file route. */
  readonly files = new Map<string, Buffer>();
  webhook: { url: string; secretToken?: string; allowedUpdates?: unknown } | undefined;
  url = '';
  private readonly scripts: Array<{ method: string; chatId?: string; answer: Scripted }> = [];
  private server: Server | undefined;
  private seq = 0;

  constructor(readonly token: string) {
    super();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://peer');
        const file = /^\/file\/bot([^/]+)\/(.+)$/.exec(url.pathname);
        if (file) {
          const bytes = file[1] === this.token ? this.files.get(decodeURIComponent(file[2]!).replace(/^files\//, '')) : undefined;
          res.writeHead(bytes ? 200 : 404, { 'content-type': 'application/octet-stream' });
          res.end(bytes ?? 'Not Found');
          return;
        }
        const api = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
        const text = Buffer.concat(chunks).toString('utf8');
        let params: Record<string, unknown> = Object.fromEntries(url.searchParams);
        if ((req.headers['content-type'] ?? '').startsWith('application/json') && text) params = { ...params, ...(JSON.parse(text) as Record<string, unknown>) };
        else if (text) params = { ...params, ...Object.fromEntries(new URLSearchParams(text)) };
        const answer = api ? this.handle(api[1]!, api[2]!, params) : { status: 404, body: { ok: false, error_code: 404, description: 'Not Found' } };
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next call of `method` (for `chatId`, if given) gets this answer; several queue in order. */
  respondWith(method: string, answer: Scripted, chatId?: string | number): void {
    this.scripts.push({ method, answer, ...(chatId !== undefined ? { chatId: String(chatId) } : {}) });
  }

  rateLimit(method: string, retryAfterSeconds: number, chatId?: string | number): void {
    this.respondWith(method, { status: 429, body: { ok: false, error_code: 429, description: `Too Many Requests: retry after ${retryAfterSeconds}`, parameters: { retry_after: retryAfterSeconds } } }, chatId);
  }

  blocked(chatId: string | number): void {
    this.respondWith('sendMessage', { status: 403, body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' } }, chatId);
  }

  /** Accepted sendMessage calls, optionally for one chat. */
  sent(chatId?: string | number): TelegramCall[] {
    return this.calls.filter((c) => c.method === 'sendMessage' && c.ok && (chatId === undefined || String(c.params.chat_id) === String(chatId)));
  }

  callsOf(method: string): TelegramCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /**
   * POSTs an update to the gateway as Telegram does (JSON, the secret header unless `secret` is undefined) and,
   * like Telegram, runs a Bot API method returned in the body of a 200.
   */
  async deliver(webhookUrl: string, secret: string | undefined, update: unknown): Promise<Response> {
    const res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(secret !== undefined ? { 'x-telegram-bot-api-secret-token': secret } : {}) },
      body: typeof update === 'string' ? update : JSON.stringify(update),
    });
    const text = await res.text();
    if (res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('application/json')) {
      const body = JSON.parse(text) as Record<string, unknown>;
      if (typeof body.method === 'string') {
        const { method, ...params } = body;
        this.handle(this.token, method, params, 'webhook-response');
      }
    }
    return new Response(text, { status: res.status, headers: res.headers });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(token: string, method: string, params: Record<string, unknown>, via: TelegramCall['via'] = 'request'): Scripted {
    let answer: Scripted;
    if (token !== this.token) {
      answer = { status: 401, body: { ok: false, error_code: 401, description: 'Unauthorized' } };
    } else {
      const chatId = params.chat_id !== undefined ? String(params.chat_id) : undefined;
      const scripted = this.scripts.findIndex((s) => s.method === method && (!s.chatId || s.chatId === chatId));
      answer = scripted >= 0 ? this.scripts.splice(scripted, 1)[0]!.answer : this.canned(method, params);
    }
    const call: TelegramCall = { method, token, params, status: answer.status, ok: answer.status === 200 && answer.body.ok === true, answer: answer.body, via, at: Date.now() };
    this.calls.push(call);
    this.emit('request', call);
    return answer;
  }

  /** The Message object Telegram returns for a send: a new id, our bot as sender, the chat, and what was sent. */
  private sentMessage(params: Record<string, unknown>, content: Record<string, unknown>): Record<string, unknown> {
    const chatId = Number(params.chat_id);
    return {
      message_id: ++this.seq,
      from: { ...this.bot, is_bot: true },
      chat: { id: Number.isFinite(chatId) ? chatId : params.chat_id, type: chatId < 0 ? 'supergroup' : 'private' },
      date: Math.floor(Date.now() / 1000),
      ...content,
    };
  }

  private canned(method: string, params: Record<string, unknown>): Scripted {
    const ok = (result: unknown): Scripted => ({ status: 200, body: { ok: true, result } });
    const bad = (description: string): Scripted => ({ status: 400, body: { ok: false, error_code: 400, description } });
    switch (method) {
      case 'getMe':
        return ok({ ...this.bot, is_bot: true, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false });
      case 'setWebhook': {
        if (typeof params.url !== 'string' || !params.url) return bad('Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
        this.webhook = { url: params.url, ...(typeof params.secret_token === 'string' ? { secretToken: params.secret_token } : {}), allowedUpdates: params.allowed_updates };
        return ok(true);
      }
      case 'sendMessage': {
        if (params.chat_id === undefined || params.chat_id === '') return bad('Bad Request: chat_id is empty');
        if (typeof params.text !== 'string' || !params.text.trim()) return bad('Bad Request: message text is empty');
        if (params.text.length > 4096) return bad('Bad Request: message is too long');
        if (params.parse_mode === 'HTML' && /<br\s*\/?>/i.test(params.text)) return bad('Bad Request: can\'t parse entities: Unsupported start tag "br"');
        return ok(
          this.sentMessage(params, {
            text: params.text,
            ...(params.message_thread_id !== undefined ? { message_thread_id: params.message_thread_id, is_topic_message: true } : {}),
            ...(params.reply_markup ? { reply_markup: params.reply_markup } : {}),
          }),
        );
      }
      case 'sendPhoto':
      case 'sendVideo':
      case 'sendAudio':
      case 'sendDocument': {
        // A file goes by URL (Telegram fetches it) or by a file_id it already has.
        const field = { sendPhoto: 'photo', sendVideo: 'video', sendAudio: 'audio', sendDocument: 'document' }[method]!;
        const file = params[field];
        if (params.chat_id === undefined || params.chat_id === '') return bad('Bad Request: chat_id is empty');
        if (typeof file !== 'string' || !file) return bad(`Bad Request: there is no ${field} in the request`);
        const stored = { file_id: `f-${this.seq + 1}`, file_unique_id: `u-${this.seq + 1}` };
        return ok(
          this.sentMessage(params, {
            [field]: field === 'photo' ? [{ ...stored, width: 800, height: 600 }] : stored,
            ...(typeof params.caption === 'string' ? { caption: params.caption } : {}),
          }),
        );
      }
      case 'answerCallbackQuery':
        return typeof params.callback_query_id === 'string' && params.callback_query_id ? ok(true) : bad('Bad Request: query is too old and response timeout expired or query ID is invalid');
      case 'getFile': {
        const id = String(params.file_id ?? '');
        const bytes = this.files.get(id);
        return bytes ? ok({ file_id: id, file_unique_id: `u-${id}`, file_size: bytes.length, file_path: `files/${id}` }) : bad('Bad Request: invalid file_id');
      }
      default:
        return { status: 404, body: { ok: false, error_code: 404, description: 'Not Found: method not found' } };
    }
  }
}
