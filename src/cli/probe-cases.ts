/**
 * The security probe's catalogue (used by test/security/probe.test.ts and by `switchboard probe`): bounded batches of hostile requests against a running gateway, each category as
 * the issue lists them (unsigned, wrongly signed, stale, replayed, malformed, wrong content type, oversized, deeply
 * nested, invalid UTF-8, path traversal, method confusion, slow bodies, unknown channels). Signatures are computed
 * here the way each platform signs (Slack v0 HMAC, Meta X-Hub-Signature-256, Telegram's secret token header, Discord
 * Ed25519, the API channel's bearer key, Teams' RS256 token from the local Teams peer). Requests go out through
 * node:http with the path exactly as written: fetch would resolve `..` segments before sending them.
 */
import { createHmac, sign, type KeyObject } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ProbeTarget {
  url: string;
  api: { key: string };
  webchat: { channelId: string };
  slack: { channelId: string; signingSecret: string };
  telegram: { channelId: string; secretToken: string };
  whatsapp: { channelId: string; appSecret: string; phoneNumberId: string };
  messenger: { channelId: string; appSecret: string; pageId: string };
  discord: { channelId: string; privateKey: KeyObject };
  teams?: { channelId: string; serviceUrl: string; token: (claims?: Record<string, unknown>) => string };
  /** The gateway's MAX_BODY_BYTES. */
  maxBodyBytes: number;
}

export interface ProbeRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface ProbeResult {
  category: string;
  name: string;
  /** HTTP status, or 0 when the server closed the connection without an answer. */
  status: number;
  body: string;
}

type Channel = 'api' | 'slack' | 'telegram' | 'whatsapp' | 'messenger' | 'discord' | 'teams';

/** One correctly shaped inbound message per channel, with room for an extra field (`extra`) an attacker controls. */
function messageBody(target: ProbeTarget, channel: Channel, id: string, text: string, extra: string = 'null'): string {
  const now = Math.floor(Date.now() / 1000);
  switch (channel) {
    case 'api':
      return `{"id":"${id}","contact":{"id":"probe-${id}"},"text":${JSON.stringify(text)},"metadata":{"x":${extra}}}`;
    case 'slack':
      return `{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev-${id}","event_time":${now},"x":${extra},"authorizations":[{"team_id":"T1","user_id":"UBOT","is_bot":true}],"event":{"type":"message","channel":"D-${id}","channel_type":"im","user":"U${id}","text":${JSON.stringify(text)},"ts":"${now}.${id.length}","event_ts":"${now}.${id.length}"}}`;
    case 'telegram': {
      const n = 700_000 + [...id].reduce((a, c) => a * 31 + c.charCodeAt(0), 7) % 100_000;
      return `{"update_id":${n},"x":${extra},"message":{"message_id":${n},"from":{"id":${n},"is_bot":false,"first_name":"Ada"},"chat":{"id":${n},"type":"private","first_name":"Ada"},"date":${now},"text":${JSON.stringify(text)}}}`;
    }
    case 'whatsapp':
      return `{"object":"whatsapp_business_account","x":${extra},"entry":[{"id":"WABA-1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550001111","phone_number_id":"${target.whatsapp.phoneNumberId}"},"contacts":[{"profile":{"name":"C"},"wa_id":"1555${id.length}"}],"messages":[{"from":"1555${id.length}","id":"wamid.${id}","timestamp":"${now}","type":"text","text":{"body":${JSON.stringify(text)}}}]}}]}]}`;
    case 'messenger':
      return `{"object":"page","x":${extra},"entry":[{"id":"${target.messenger.pageId}","time":${now * 1000},"messaging":[{"sender":{"id":"psid-${id}"},"recipient":{"id":"${target.messenger.pageId}"},"timestamp":${now * 1000},"message":{"mid":"mid.${id}","text":${JSON.stringify(text)}}}]}]}`;
    case 'discord':
      // An interaction PING carries no message; the probe only needs Discord's signature check in front of it.
      return `{"type":1,"id":"${id}","application_id":"A1","token":"t","version":1,"x":${extra}}`;
    case 'teams': {
      const serviceUrl = target.teams?.serviceUrl ?? 'http://127.0.0.1/';
      return `{"type":"message","id":"${id}","channelId":"msteams","serviceUrl":${JSON.stringify(serviceUrl)},"x":${extra},"from":{"id":"29:${id}","name":"C","aadObjectId":"aad-${id}"},"recipient":{"id":"28:bot","name":"Switchboard"},"conversation":{"id":"a:${id}","conversationType":"personal"},"text":${JSON.stringify(text)}}`;
    }
  }
}

interface SignOptions {
  /** Sign with a secret the gateway does not know. */
  wrong?: boolean;
  /** Slack: a timestamp this many seconds in the past; Teams: an expired token. */
  staleSeconds?: number;
}

function pathOf(target: ProbeTarget, channel: Channel): string {
  if (channel === 'api') return '/api/v1/messages';
  const id = target[channel]?.channelId;
  return `/webhooks/${id}`;
}

/** The platform's authentication headers for these exact bytes. */
function signedHeaders(target: ProbeTarget, channel: Channel, body: Buffer, options: SignOptions = {}): Record<string, string> {
  const wrong = (secret: string) => (options.wrong ? `${secret}-not-it` : secret);
  switch (channel) {
    case 'api':
      return { authorization: `Bearer ${wrong(target.api.key)}` };
    case 'slack': {
      const ts = String(Math.floor(Date.now() / 1000) - (options.staleSeconds ?? 0));
      const mac = createHmac('sha256', wrong(target.slack.signingSecret)).update(`v0:${ts}:`).update(body).digest('hex');
      return { 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${mac}` };
    }
    case 'telegram':
      return { 'x-telegram-bot-api-secret-token': wrong(target.telegram.secretToken) };
    case 'whatsapp':
    case 'messenger': {
      const mac = createHmac('sha256', wrong(target[channel].appSecret)).update(body).digest('hex');
      return { 'x-hub-signature-256': `sha256=${mac}` };
    }
    case 'discord': {
      const ts = String(Math.floor(Date.now() / 1000));
      const signature = sign(null, Buffer.concat([Buffer.from(ts), body]), target.discord.privateKey).toString('hex');
      // A wrong signature: one flipped nibble, still 128 hex characters.
      const sent = options.wrong ? `${signature[0] === '0' ? '1' : '0'}${signature.slice(1)}` : signature;
      return { 'x-signature-ed25519': sent, 'x-signature-timestamp': ts };
    }
    case 'teams': {
      const teams = target.teams!;
      if (options.wrong) return { authorization: `Bearer ${teams.token({ aud: 'someone-else' })}` };
      const claims = options.staleSeconds ? { exp: Math.floor(Date.now() / 1000) - options.staleSeconds, nbf: Math.floor(Date.now() / 1000) - options.staleSeconds - 60 } : {};
      return { authorization: `Bearer ${teams.token(claims)}` };
    }
  }
}

function channelsOf(target: ProbeTarget): Channel[] {
  return ['api', 'slack', 'telegram', 'whatsapp', 'messenger', 'discord', ...(target.teams ? (['teams'] as const) : [])];
}

const JSON_TYPE = { 'content-type': 'application/json' };

function signed(target: ProbeTarget, channel: Channel, body: string | Buffer, options: SignOptions & { headers?: Record<string, string> } = {}): ProbeRequest {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return { method: 'POST', path: pathOf(target, channel), headers: { ...JSON_TYPE, ...signedHeaders(target, channel, bytes, options), ...(options.headers ?? {}) }, body: bytes };
}

export interface ProbeCase {
  category: string;
  name: string;
  request: ProbeRequest;
}

/** Nested arrays `depth` levels deep: `[[[...]]]`. */
export function nestedJson(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

let seq = 0;
const uniqueId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(++seq).toString(36)}`;

/**
 * The categories that need no secret of the gateway's: every request in them is refused before anything is parsed
 * (no valid signature, no such route or method, too large), so `switchboard probe` can point them at a production
 * gateway without storing anything there.
 */
export const SECRET_FREE_CATEGORIES = new Set(['unsigned', 'wrongly-signed', 'stale', 'oversized', 'path-traversal', 'method-confusion', 'unknown-channel']);

/** Every category but `replayed` and `slow`: none of these may store anything. */
export function rejectedCases(target: ProbeTarget): ProbeCase[] {
  const cases: ProbeCase[] = [];
  const add = (category: string, name: string, request: ProbeRequest) => cases.push({ category, name, request });
  const channels = channelsOf(target);

  for (const channel of channels) {
    const body = messageBody(target, channel, uniqueId('u'), 'unsigned hello');
    add('unsigned', channel, { method: 'POST', path: pathOf(target, channel), headers: { ...JSON_TYPE }, body: Buffer.from(body) });
    add('wrongly-signed', channel, signed(target, channel, messageBody(target, channel, uniqueId('w'), 'forged hello'), { wrong: true }));
    // Where the signature covers the bytes, one byte added after signing (a space, still the same JSON) breaks it.
    // Telegram's secret token and Teams' bearer token authenticate the sender, not the body; the API key likewise.
    if (channel === 'slack' || channel === 'whatsapp' || channel === 'messenger' || channel === 'discord') {
      const tampered = signed(target, channel, messageBody(target, channel, uniqueId('t'), 'original'));
      tampered.body = Buffer.concat([tampered.body!, Buffer.from(' ')]);
      add('wrongly-signed', `${channel} body changed after signing`, tampered);
    }
  }
  add('stale', 'slack 10 min old', signed(target, 'slack', messageBody(target, 'slack', uniqueId('s'), 'old'), { staleSeconds: 600 }));
  add('stale', 'slack 10 min ahead', signed(target, 'slack', messageBody(target, 'slack', uniqueId('s'), 'future'), { staleSeconds: -600 }));
  if (target.teams) add('stale', 'teams expired token', signed(target, 'teams', messageBody(target, 'teams', uniqueId('s'), 'old'), { staleSeconds: 3_600 }));

  for (const channel of channels) {
    for (const [name, body] of [
      ['truncated', '{"id":"m1","text":'],
      ['not json', 'hello=world&x=1'],
      ['empty', ''],
      ['json string', '"just a string"'],
      ['wrong types', '{"id":{"$gt":""},"contact":[1,2],"text":{"$where":"1"},"object":7,"entry":"x","event":null,"message":5}'],
    ] as const) {
      add('malformed', `${channel} ${name}`, signed(target, channel, body));
    }
  }

  add('wrong-content-type', 'api text/plain', signed(target, 'api', messageBody(target, 'api', uniqueId('c'), 'plain'), { headers: { 'content-type': 'text/plain' } }));
  add('wrong-content-type', 'api latin-1 charset', signed(target, 'api', messageBody(target, 'api', uniqueId('c'), 'latin'), { headers: { 'content-type': 'application/json; charset=iso-8859-1' } }));
  add('wrong-content-type', 'api no content type', { ...signed(target, 'api', messageBody(target, 'api', uniqueId('c'), 'none')), headers: signedHeaders(target, 'api', Buffer.alloc(0)) });
  for (const channel of ['whatsapp', 'messenger', 'telegram'] as const) {
    add('wrong-content-type', `${channel} xml`, signed(target, channel, '<?xml version="1.0"?><update/>', { headers: { 'content-type': 'application/xml' } }));
  }

  // Oversized: one byte over the limit, and several times it, for every channel (the signature is right).
  for (const channel of channels) {
    const pad = 'x'.repeat(target.maxBodyBytes + 1);
    add('oversized', `${channel} over the limit`, signed(target, channel, messageBody(target, channel, uniqueId('o'), pad, JSON.stringify(pad))));
  }
  add('oversized', 'api 4x limit', signed(target, 'api', messageBody(target, 'api', uniqueId('o'), 'x'.repeat(target.maxBodyBytes * 4))));
  add('oversized', 'webchat session 64 kB', { method: 'POST', path: `/webchat/${target.webchat.channelId}/sessions`, headers: JSON_TYPE, body: Buffer.from(`{"x":"${'y'.repeat(65_536)}"}`) });

  // Deeply nested: a well-formed, correctly signed message carrying 10,000 levels in a field the attacker controls.
  for (const channel of channels) {
    add('deeply-nested', `${channel} 10000 levels`, signed(target, channel, messageBody(target, channel, uniqueId('n'), 'nested', nestedJson(10_000))));
  }
  // The session endpoint reads at most 4 kB: as deep as fits, which it must shrug off (it stores nothing anyway).
  add('deeply-nested', 'webchat session 2000 levels', { method: 'POST', path: `/webchat/${target.webchat.channelId}/sessions`, headers: JSON_TYPE, body: Buffer.from(`{"x":${nestedJson(2_000)}}`) });

  // Invalid UTF-8 (a lone continuation byte, an overlong slash, a truncated sequence) inside the text, signed.
  for (const channel of channels) {
    for (const [name, bytes] of [
      ['lone continuation', [0x80]],
      ['overlong slash', [0xc0, 0xaf]],
      ['truncated', [0xe2, 0x82]],
    ] as const) {
      // Discord's PING has no text: there the bytes go into the extra field.
      const id = uniqueId('b');
      let text = messageBody(target, channel, id, 'SPLIT');
      if (!text.includes('SPLIT')) text = messageBody(target, channel, id, 'x', '"SPLIT"');
      const at = text.indexOf('SPLIT');
      const body = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at + 5))]);
      add('invalid-utf8', `${channel} ${name}`, signed(target, channel, body));
    }
  }

  for (const path of [
    '/webhooks/..%2f..%2fetc%2fpasswd',
    '/webhooks/..%2F..%2Fpackage.json',
    '/webhooks/%2e%2e%2f%2e%2e%2fpackage.json',
    '/widget.js/../../package.json',
    '/widget.js/..%2f..%2fpackage.json',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/media/../../etc/passwd',
    '/media/..%2f..%2fpackage.json',
    '/media/%00',
    '/webchat/..%2f..%2fpackage.json/sessions',
    '/static/..%5c..%5cpackage.json',
    '/admin/../api/v1/conversations/x/messages',
    '//etc/passwd',
  ]) {
    for (const method of ['GET', 'POST']) add('path-traversal', `${method} ${path}`, { method, path, headers: JSON_TYPE, body: method === 'POST' ? Buffer.from('{}') : undefined });
  }

  const postRoutes = ['/api/v1/messages', `/webchat/${target.webchat.channelId}/sessions`, ...channels.filter((c) => c !== 'api').map((c) => pathOf(target, c))];
  for (const path of postRoutes) {
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']) {
      add('method-confusion', `${method} ${path}`, { method, path, headers: { ...JSON_TYPE, authorization: `Bearer ${target.api.key}` }, body: ['PUT', 'PATCH', 'DELETE'].includes(method) ? Buffer.from(messageBody(target, 'api', uniqueId('m'), 'wrong verb')) : undefined });
    }
  }
  // A method Node's parser knows but nobody routes.
  add('method-confusion', 'PROPFIND /api/v1/messages', { method: 'PROPFIND', path: '/api/v1/messages', headers: {} });

  add('unknown-channel', 'webhook of no channel', signed(target, 'slack', messageBody(target, 'slack', uniqueId('x'), 'hi'), {}));
  cases[cases.length - 1]!.request.path = '/webhooks/no-such-channel';
  add('unknown-channel', 'webhook path of the API channel', { method: 'POST', path: '/webhooks/api-probe', headers: JSON_TYPE, body: Buffer.from('{}') });
  add('unknown-channel', 'webhook path of the web chat channel', { method: 'POST', path: `/webhooks/${target.webchat.channelId}`, headers: JSON_TYPE, body: Buffer.from('{}') });
  add('unknown-channel', 'webchat session of no channel', { method: 'POST', path: '/webchat/no-such-channel/sessions', headers: JSON_TYPE, body: Buffer.from('{}') });
  add('unknown-channel', 'api with an unknown key', { ...signed(target, 'api', messageBody(target, 'api', uniqueId('x'), 'hi')), headers: { ...JSON_TYPE, authorization: 'Bearer sk_nobody' } });
  add('unknown-channel', 'very long channel id', { method: 'POST', path: `/webhooks/${'a'.repeat(4_000)}`, headers: JSON_TYPE, body: Buffer.from('{}') });
  return cases;
}

/** Pairs of identical, correctly signed deliveries: each pair must store exactly one message. */
export function replayCases(target: ProbeTarget): ProbeCase[] {
  const cases: ProbeCase[] = [];
  for (const channel of channelsOf(target).filter((c) => c !== 'discord' && c !== 'teams')) {
    const request = signed(target, channel, messageBody(target, channel, uniqueId('r'), `replayed hello on ${channel}`));
    cases.push({ category: 'replayed', name: `${channel} first`, request }, { category: 'replayed', name: `${channel} again`, request });
  }
  return cases;
}

const agent = new Agent({ keepAlive: false });

/** One request, the path sent byte for byte. A connection closed without an answer is status 0. */
export function send(base: string, req: ProbeRequest, timeoutMs = 10_000): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const r = httpRequest(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers: { ...req.headers, ...(req.body ? { 'content-length': String(req.body.length) } : {}) }, agent, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8').slice(0, 2_000) }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body: '' }));
      },
    );
    r.on('timeout', () => r.destroy(new Error('timeout')));
    r.on('error', (err) => resolve({ status: 0, body: `connection closed: ${err.message}` }));
    r.end(req.body);
  });
}

export async function runCases(base: string, cases: ProbeCase[], concurrency = 4): Promise<ProbeResult[]> {
  const results: ProbeResult[] = new Array(cases.length);
  let next = 0;
  const worker = async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      results[i] = { category: c.category, name: c.name, ...(await send(base, c.request)) };
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** Replays go one after the other: the second copy must meet the first one already stored. */
export async function runSequential(base: string, cases: ProbeCase[]): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const c of cases) results.push({ category: c.category, name: c.name, ...(await send(base, c.request)) });
  return results;
}

/**
 * Slow clients: `connections` sockets that send headers (or half of them) and then drip a byte every `dripMs` for
 * `durationMs`, then hang up. Resolves with what each socket got back: nothing, or a status line.
 */
export async function slowBodies(base: string, target: ProbeTarget, options: { connections: number; dripMs: number; durationMs: number }): Promise<ProbeResult[]> {
  const url = new URL(base);
  const body = Buffer.from(messageBody(target, 'api', uniqueId('slow'), 'slowly'));
  const heads = [
    (i: number) => `POST /api/v1/messages HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${target.api.key}\r\nContent-Type: application/json\r\nContent-Length: ${body.length + 100 + i}\r\n\r\n`,
    () => `POST ${pathOf(target, 'slack')} HTTP/1.1\r\nHost: ${url.host}\r\nX-Slack-Sig`,
    () => `GET /health HTTP/1.1\r\nHost: ${url.host}\r\nX-Dri`,
  ];
  const one = (i: number) =>
    new Promise<ProbeResult>((resolve) => {
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      let answer = '';
      let offset = 0;
      const payload = i % heads.length === 0 ? body : Buffer.from('p'.repeat(10_000));
      const timer = setInterval(() => {
        if (offset < payload.length && !socket.destroyed) socket.write(payload.subarray(offset, ++offset));
      }, options.dripMs);
      const done = () => {
        clearInterval(timer);
        const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
        resolve({ category: 'slow-body', name: `socket ${i}`, status, body: answer.slice(0, 200) });
      };
      socket.on('connect', () => socket.write(heads[i % heads.length]!(i)));
      socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
      socket.on('error', () => undefined);
      socket.on('close', done);
      setTimeout(() => socket.destroy(), options.durationMs);
    });
  return Promise.all(Array.from({ length: options.connections }, (_, i) => one(i)));
}

/** Hits `/health` every `everyMs` on a connection of its own and records each answer's status and latency. */
export function healthPinger(base: string, everyMs = 20): { stop(): Promise<{ latencies: number[]; failures: string[] }> } {
  const latencies: number[] = [];
  const failures: string[] = [];
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 });
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const res = await new Promise<{ status: number }>((resolve) => {
        const r = httpRequest(`${base}/health`, { agent: keepAlive, timeout: 5_000 }, (response) => {
          response.resume();
          response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
        });
        r.on('timeout', () => r.destroy(new Error('timeout')));
        r.on('error', () => resolve({ status: 0 }));
        r.end();
      });
      latencies.push(performance.now() - started);
      if (res.status !== 200) failures.push(`/health answered ${res.status || 'nothing'}`);
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      keepAlive.destroy();
      return { latencies, failures };
    },
  };
}

export const describeResult = (r: ProbeResult) => `${r.category} / ${r.name}: ${r.status || 'closed'} ${r.body.slice(0, 160)}`;

/**
 * What the answers alone show is wrong: a 5xx; no answer (acceptable only where the body never finished); a 2xx
 * to a request that must be refused (who cannot prove who they are, or asks for what is not there; OPTIONS may
 * answer); an answer saying something was stored; a file from outside the widget folder. Signed but unusable
 * bodies (malformed, odd content types, deep, invalid UTF-8) may be acknowledged as unsupported events, so the
 * platform does not retry them for a day: only the store can tell whether those stored nothing.
 */
export function answerProblems(results: ProbeResult[]): string[] {
  const problems: string[] = [];
  const flag = (what: string, found: ProbeResult[]) => found.forEach((r) => problems.push(`${what}: ${describeResult(r)}`));
  const rejected = results.filter((r) => r.category !== 'replayed');
  flag('5xx', results.filter((r) => r.status >= 500));
  flag('no answer', rejected.filter((r) => r.status === 0 && r.category !== 'oversized' && r.category !== 'slow-body'));
  flag('accepted', rejected.filter((r) => SECRET_FREE_CATEGORIES.has(r.category) && r.status >= 200 && r.status < 300 && !/^OPTIONS /.test(r.name)));
  flag('stored', rejected.filter((r) => /"stored":[1-9]|"duplicate":false/.test(r.body)));
  flag('leaked a file', rejected.filter((r) => r.category === 'path-traversal' && /root:x:0:0|"name": "switchboard"/.test(r.body)));
  return problems;
}

/** `category: N sent, statuses {401: 5, 400: 2}` per category, in the order first seen. */
export function summarize(results: ProbeResult[]): string[] {
  const byCategory = new Map<string, Map<number, number>>();
  for (const r of results) {
    const statuses = byCategory.get(r.category) ?? new Map<number, number>();
    statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
    byCategory.set(r.category, statuses);
  }
  return [...byCategory].map(([category, statuses]) => {
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const detail = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s || 'closed'}×${n}`).join(' ');
    return `${category}: ${total} (${detail})`;
  });
}
