import { createHmac } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetaCall {
  /** Phone number id (WhatsApp) or page id (Messenger / Instagram) from the path. */
  id: string;
  version: string;
  kind: 'whatsapp' | 'page';
  /** The recipient: `to` (WhatsApp) or `recipient.id` (Messenger). */
  to: string;
  body: Record<string, unknown>;
  authorization?: string;
  accessToken?: string;
  status: number;
  answer: Record<string, unknown>;
  at: number;
}

interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

const HOUR = 3_600_000;

/**
 * ONE fake Graph API for WhatsApp, Messenger and Instagram on loopback:
 * - `POST /:version/:id/messages`: recorded (and emitted as 'request', accepted ones also as 'reply'); enforces
 *   the windows from the inbound times the test reported (`inbound`): WhatsApp free-form older than 24 h → 400
 *   code 131047; Messenger outside 24 h → 400 code 10 / subcode 2018278 unless HUMAN_AGENT within 7 days.
 * - `GET /:version/:mediaId` (Bearer) → `{url,…}` pointing at `GET /media-bytes/:id` (Bearer) → the bytes.
 * Scripted answers (`respondNext`) are consumed in order before the canned ones.
 */
export class MetaPeer extends EventEmitter {
  readonly calls: MetaCall[] = [];
  private readonly lastInbound = new Map<string, number>();
  private readonly scripts: Array<{ to?: string; when?: (body: Record<string, unknown>) => boolean; answer: Scripted }> = [];
  private readonly media = new Map<string, { bytes: Buffer; mimeType: string }>();
  private server: Server | undefined;
  private seq = 0;
  base = '';

  constructor(
    private readonly options: { token?: string; clock?: () => Date } = {},
  ) {
    super();
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks)));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The customer (wa_id / PSID / IGSID) wrote at `at`: opens the windows for them. */
  inbound(userId: string, at: Date): void {
    this.lastInbound.set(userId, Math.max(at.getTime(), this.lastInbound.get(userId) ?? 0));
  }

  /** The next send (to `to`, and matching `when`, if given) gets this answer. */
  respondNext(answer: Scripted, to?: string, when?: (body: Record<string, unknown>) => boolean): void {
    this.scripts.push({ answer, ...(to ? { to } : {}), ...(when ? { when } : {}) });
  }

  rateLimit(retryAfterSeconds: number, to?: string): void {
    this.respondNext({ status: 429, headers: { 'retry-after': String(retryAfterSeconds) }, body: { error: { message: 'Rate limit hit', type: 'OAuthException', code: 130429 } } }, to);
  }

  addMedia(id: string, bytes: Buffer, mimeType: string): void {
    this.media.set(id, { bytes, mimeType });
  }

  /** Accepted sends, optionally for one recipient. */
  sent(to?: string): MetaCall[] {
    return this.calls.filter((c) => c.status === 200 && (!to || c.to === to));
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private now(): number {
    return (this.options.clock ?? (() => new Date()))().getTime();
  }

  private reply(res: ServerResponse, answer: Scripted): void {
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...(answer.headers ?? {}) });
    res.end(JSON.stringify(answer.body));
  }

  private authorized(req: IncomingMessage): boolean {
    return !this.options.token || req.headers.authorization === `Bearer ${this.options.token}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: Buffer): void {
    const url = new URL(req.url ?? '/', this.base);
    const bytes = /^\/media-bytes\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && bytes) {
      const media = this.media.get(decodeURIComponent(bytes[1]!));
      if (!this.authorized(req)) return this.reply(res, { status: 401, body: { error: { code: 190, message: 'Invalid OAuth access token' } } });
      if (!media) return this.reply(res, { status: 404, body: { error: { code: 100, message: 'Unknown media' } } });
      res.writeHead(200, { 'content-type': media.mimeType });
      res.end(media.bytes);
      return;
    }
    const lookup = /^\/(v\d+\.\d+)\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && lookup) {
      const id = decodeURIComponent(lookup[2]!);
      const media = this.media.get(id);
      if (!this.authorized(req)) return this.reply(res, { status: 401, body: { error: { code: 190, message: 'Invalid OAuth access token' } } });
      if (!media) return this.reply(res, { status: 404, body: { error: { code: 100, message: 'Unsupported get request' } } });
      return this.reply(res, { status: 200, body: { messaging_product: 'whatsapp', url: `${this.base}/media-bytes/${encodeURIComponent(id)}`, mime_type: media.mimeType, sha256: 'x', file_size: media.bytes.length, id } });
    }
    const send = /^\/(v\d+\.\d+)\/([^/]+)\/messages$/.exec(url.pathname);
    if (req.method !== 'POST' || !send) return this.reply(res, { status: 404, body: { error: { code: 100, message: `no route ${req.method} ${url.pathname}` } } });

    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      /* recorded as an empty body; answered below */
    }
    const kind = body.messaging_product === 'whatsapp' ? 'whatsapp' : 'page';
    const to = kind === 'whatsapp' ? String(body.to ?? '') : String((body.recipient as { id?: unknown } | undefined)?.id ?? '');
    const tokenOk = !this.options.token || (kind === 'whatsapp' ? req.headers.authorization === `Bearer ${this.options.token}` : url.searchParams.get('access_token') === this.options.token);
    const scripted = tokenOk ? this.scripts.findIndex((s) => (!s.to || s.to === to) && (!s.when || s.when(body))) : -1;
    const unauthorized: Scripted = { status: 401, body: { error: { message: 'Invalid OAuth access token.', type: 'OAuthException', code: 190 } } };
    const answer = !tokenOk ? unauthorized : scripted >= 0 ? this.scripts.splice(scripted, 1)[0]!.answer : this.canned(kind, to, body);
    const call: MetaCall = {
      id: decodeURIComponent(send[2]!),
      version: send[1]!,
      kind,
      to,
      body,
      status: answer.status,
      answer: answer.body,
      at: Date.now(),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(url.searchParams.get('access_token') ? { accessToken: url.searchParams.get('access_token')! } : {}),
    };
    this.calls.push(call);
    this.reply(res, answer);
    this.emit('request', call);
    if (call.status === 200) this.emit('reply', call);
  }

  private canned(kind: 'whatsapp' | 'page', to: string, body: Record<string, unknown>): Scripted {
    const last = this.lastInbound.get(to);
    const age = last === undefined ? Infinity : this.now() - last;
    const id = ++this.seq;
    if (kind === 'whatsapp') {
      if (body.type !== 'template' && age > 24 * HOUR) {
        return { status: 400, body: { error: { message: 'Re-engagement message', type: 'OAuthException', code: 131047, error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' } } } };
      }
      const mediaType = ['image', 'video', 'audio', 'document', 'sticker'].includes(String(body.type)) ? String(body.type) : undefined;
      if (mediaType) {
        // Media go by `link` (Meta fetches it) or by an uploaded media `id`; audio takes no caption.
        const media = body[mediaType] as { link?: unknown; id?: unknown; caption?: unknown } | undefined;
        if (!media || (typeof media.id !== 'string' && !(typeof media.link === 'string' && /^https?:\/\//.test(media.link)))) {
          return { status: 400, body: { error: { message: `(#100) Param ${mediaType}['link'] is not a valid URI.`, type: 'OAuthException', code: 100 } } };
        }
        if (mediaType === 'audio' && media.caption !== undefined) return { status: 400, body: { error: { message: '(#100) Param audio[\'caption\'] is not a valid parameter', type: 'OAuthException', code: 100 } } };
      }
      return { status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.OUT${id}` }] } };
    }
    const attachment = (body.message as { attachment?: { type?: unknown; payload?: { url?: unknown } } } | undefined)?.attachment;
    if (attachment && (!['image', 'video', 'audio', 'file'].includes(String(attachment.type)) || typeof attachment.payload?.url !== 'string')) {
      return { status: 400, body: { error: { message: '(#100) Invalid attachment', type: 'OAuthException', code: 100 } } };
    }
    const tagged = body.messaging_type === 'MESSAGE_TAG' && body.tag === 'HUMAN_AGENT';
    if (age > (tagged ? 7 * 24 : 24) * HOUR) {
      return { status: 400, body: { error: { message: '(#10) This message is sent outside of allowed window.', type: 'OAuthException', code: 10, error_subcode: 2018278 } } };
    }
    return { status: 200, body: { recipient_id: to, message_id: `m_OUT${id}` } };
  }

}

/** `sha256=` + hex HMAC-SHA256(app secret, body), computed here independently of the adapter. */
export function metaSignature(appSecret: string, body: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

/** POSTs a signed webhook (JSON) to the gateway's webhook route. */
export async function postToMetaWebhook(url: string, appSecret: string, payload: unknown): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(appSecret, body) }, body });
}

/** A WhatsApp webhook carrying messages and/or statuses for one phone number. */
export function waWebhook(phoneNumberId: string, value: { messages?: unknown[]; statuses?: unknown[]; contacts?: unknown[] }): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA-1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: phoneNumberId }, ...value } }] }],
  };
}

export function waText(from: string, id: string, text: string, at: Date, name = 'Customer'): Record<string, unknown> {
  return { contacts: [{ profile: { name }, wa_id: from }], messages: [{ from, id, timestamp: String(Math.floor(at.getTime() / 1000)), type: 'text', text: { body: text } }] };
}

/** A Messenger (`page`) or Instagram webhook with one messaging event. */
export function messagingWebhook(object: 'page' | 'instagram', pageId: string, event: Record<string, unknown>): Record<string, unknown> {
  return { object, entry: [{ id: pageId, time: Date.now(), messaging: [event] }] };
}

export function messengerText(pageId: string, psid: string, mid: string, text: string, at: Date, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { sender: { id: psid }, recipient: { id: pageId }, timestamp: at.getTime(), message: { mid, text, ...extra } };
}
