import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

export interface TeamsCall {
  method: string;
  /** The request path as sent (the SDK puts conversation ids into it unencoded). */
  path: string;
  kind: 'create' | 'send' | 'update' | 'token' | 'jwks' | 'other';
  /** Decoded conversation id of `/v3/conversations/{id}/…`. */
  conversationId?: string;
  /** `{replyToId}` of a POST, the activity id of a PUT. */
  activityId?: string;
  authorization?: string;
  body?: any;
  status: number;
  /** What the peer answered (`{id, activityId}` for a new thread). */
  answer?: any;
  at: number;
}

interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
}

/** The tenant path under which the peer serves Entra-style signing keys: `/{tenant}/discovery/v2.0/keys`. */
export const TEAMS_TENANT = '9f4c2e31-5d7a-4b8e-a1c3-2f6d8e0b7a54';
export const TEAMS_ISSUER = 'https://login.teams-peer.test/issuer';

/**
 * A local Bot Framework connector on loopback, plus what the Agents SDK fetches around it:
 * - `POST /v3/conversations` (new channel thread) → `{id: "<channel>;messageid=<activityId>", activityId}`,
 *   `POST /v3/conversations/{id}/activities[/{replyToId}]` → `{id}`, `PUT …/activities/{id}` → `{id}`;
 * - `GET /{tenant}/discovery/v2.0/keys`: the JWKS with the key that `mint` signs with;
 * - `GET /AuthorizationHeaderUnauthenticated/{service}`: the Entra auth sidecar handing out outbound tokens.
 * Every call is recorded (and emitted as 'request'); scripted answers (429 with Retry-After, 500, 403…) are used,
 * in order, by the next connector call that matches.
 */
export class TeamsPeer extends EventEmitter {
  readonly calls: TeamsCall[] = [];
  readonly kid = 'peer-key-1';
  readonly outboundToken = `peer-outbound-${randomUUID()}`;
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  private readonly scripts: Array<{ match: (call: TeamsCall) => boolean; answer: Scripted }> = [];
  private server: Server | undefined;
  private seq = 0;
  url = '';

  get privateKey(): KeyObject {
    return this.keys.privateKey;
  }

  /** What activities carry as serviceUrl (Teams' end with a slash). */
  get serviceUrl(): string {
    return `${this.url}/`;
  }

  /** The authority whose `/discovery/v2.0/keys` is ours: the channel's `authorityEndpoint` setting. */
  get authorityEndpoint(): string {
    return `${this.url}/${TEAMS_TENANT}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => this.handle(req, res, Buffer.concat(chunks).toString('utf8')));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The next connector call matching `match` (default: any) gets this answer; several queue in order. */
  respondWith(answer: Scripted, match: (call: TeamsCall) => boolean = () => true): void {
    this.scripts.push({ match, answer });
  }

  rateLimit(retryAfterSeconds: number, match?: (call: TeamsCall) => boolean): void {
    this.respondWith({ status: 429, headers: { 'retry-after': String(retryAfterSeconds) }, body: { error: { code: 'Throttled', message: 'Too many requests' } } }, match);
  }

  fail(status: number, code: string, match?: (call: TeamsCall) => boolean): void {
    this.respondWith({ status, body: { error: { code, message: `scripted ${status} ${code}` } } }, match);
  }

  /** Activities the connector accepted into a conversation (exact id, e.g. `19:…;messageid=…` for a thread). */
  sent(conversationId?: string): TeamsCall[] {
    return this.calls.filter((c) => c.kind === 'send' && c.status < 300 && (!conversationId || c.conversationId === conversationId));
  }

  /** Signs a Bot Framework-style RS256 token with the peer's key (or `key`), valid for five minutes by default. */
  mint(claims: Record<string, unknown>, options: { key?: KeyObject; expiresInSeconds?: number; kid?: string } = {}): string {
    return mintTeamsToken(options.key ?? this.privateKey, claims, { kid: options.kid ?? this.kid, expiresInSeconds: options.expiresInSeconds ?? 300 });
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, text: string): void {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    let body: any;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const call: TeamsCall = { method, path: url.pathname, kind: 'other', status: 404, at: Date.now(), ...(body !== undefined ? { body } : {}) };
    if (req.headers.authorization) call.authorization = req.headers.authorization;

    let answer: Scripted;
    const conv = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url.pathname);
    if (method === 'GET' && url.pathname.endsWith('/discovery/v2.0/keys')) {
      call.kind = 'jwks';
      answer = { status: 200, body: { keys: [{ ...this.keys.publicKey.export({ format: 'jwk' }), kid: this.kid, use: 'sig', alg: 'RS256' }] } };
    } else if (method === 'GET' && url.pathname.startsWith('/AuthorizationHeaderUnauthenticated/')) {
      call.kind = 'token';
      answer = { status: 200, body: { authorizationHeader: `Bearer ${this.outboundToken}` } };
    } else if (method === 'POST' && url.pathname === '/v3/conversations') {
      call.kind = 'create';
      answer = this.scripted(call) ?? this.created(body);
    } else if (conv && (method === 'POST' || (method === 'PUT' && conv[2]))) {
      call.kind = method === 'POST' ? 'send' : 'update';
      call.conversationId = decodeURIComponent(conv[1]!);
      if (conv[2]) call.activityId = decodeURIComponent(conv[2]);
      answer = this.scripted(call) ?? (method === 'POST' ? { status: 201, body: { id: this.nextId() } } : { status: 200, body: { id: call.activityId } });
    } else {
      answer = { status: 404, body: { error: { code: 'NotFound', message: `${method} ${url.pathname}` } } };
    }
    call.status = answer.status;
    if (answer.body !== undefined) call.answer = answer.body;
    this.calls.push(call);
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', ...(answer.headers ?? {}) });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    this.emit('request', call);
  }

  private scripted(call: TeamsCall): Scripted | undefined {
    const at = this.scripts.findIndex((s) => s.match(call));
    return at >= 0 ? this.scripts.splice(at, 1)[0]!.answer : undefined;
  }

  private created(body: any): Scripted {
    const channel = body?.channelData?.channel?.id;
    if (typeof channel !== 'string' || !body?.activity) return { status: 400, body: { error: { code: 'BadArgument', message: 'channelData.channel.id and activity are required' } } };
    const activityId = this.nextId();
    return { status: 201, body: { id: `${channel};messageid=${activityId}`, activityId } };
  }

  /** Teams activity ids look like millisecond timestamps. */
  private nextId(): string {
    return String(1_700_000_000_000 + ++this.seq);
  }
}

/** RS256 with node:crypto keys, the claims Bot Framework puts in (`iss`, `aud`, `serviceurl`, `exp`...) given by the caller. */
export function mintTeamsToken(key: KeyObject, claims: Record<string, unknown>, options: { kid: string; expiresInSeconds: number }): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign({ nbf: now - 5, iat: now, exp: now + options.expiresInSeconds, ...claims }, key, { algorithm: 'RS256', keyid: options.kid });
}

/** POSTs an activity to the gateway's webhook, with `Authorization: Bearer <token>` when a token is given. */
export async function postTeamsActivity(url: string, activity: unknown, options: { token?: string; rawBody?: string } = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}) },
    body: options.rawBody ?? JSON.stringify(activity),
  });
}
