import type { RouteSpec } from '../../src/http/console';
import { consoleUser, type ConsoleClient } from '../support/console';
import { startTestGateway, type TestGateway } from '../support/gateway';

const MAX_JSON_BYTES = 65_536;

/** Nested a few thousand levels deep: JSON.parse copes, code that walks it recursively may not. */
const DEEP = `{"yaml":${'['.repeat(5000)}${']'.repeat(5000)},"text":${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}}`;

/** Every field a console write reads, each given a type it must refuse (objects are the NoSQL-operator probe). */
const WRONG_TYPES = JSON.stringify({
  email: { $ne: '' },
  password: { $gt: '' },
  token: { $ne: null },
  yaml: ['routing'],
  text: { $regex: '.*' },
  act: { $in: ['claim'] },
  key: [],
  name: {},
  kind: ['api'],
  role: { $ne: 'agent' },
  teams: 'support',
  settings: 'x',
  secrets: 'x',
  enabled: 'yes',
  agent: { id: 1 },
  team: 7,
  typing: 'yes',
});

/** Bodies a well-behaved client never sends; each must be answered 4xx with an error naming the problem. */
const HOSTILE_BODIES: Array<[string, string]> = [
  ['malformed JSON', '{"email": "a@b.c", '],
  ['a JSON array', '[]'],
  ['a JSON string', '"hello"'],
  ['JSON null', 'null'],
  ['fields of the wrong type', WRONG_TYPES],
  ['deeply nested JSON', DEEP],
  ['a prototype-pollution payload', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'],
  ['invalid UTF-8', '{"text":"\xff\xfe\xfd"}'],
];

/**
 * The console API under hostile input, with a signed-in owner's cookie and CSRF token (so every request gets past
 * the guard and reaches the body parser and handler): every write route in the route table, every malformed body.
 * Each is refused with a 4xx naming the problem, none stores anything, and the gateway keeps serving.
 */
describe('console API under hostile input', () => {
  let t: TestGateway;
  let owner: ConsoleClient;
  let writes: RouteSpec[];

  beforeAll(async () => {
    t = await startTestGateway('console_hostile', { startWorkers: false, env: { MAX_BODY_BYTES: String(MAX_JSON_BYTES) } });
    owner = await consoleUser(t, 'owner');
    // Routes that do their whole job with an empty body are asked only with unreadable ones below.
    const acceptsEmpty = new Set(['/console/api/sign-out', '/console/api/sign-out-everywhere', '/console/api/knowledge/reingest']);
    writes = t.gateway.deps.console.table.filter((s) => s.method !== 'get' && s.surface === 'api' && s.body !== 'raw' && !acceptsEmpty.has(s.path));
  });
  afterAll(async () => {
    await t.stop();
  });

  const counts = async () => {
    const db = t.connection.db!;
    const names = ['users', 'channels', 'api_tokens', 'admin_files', 'knowledge_documents', 'messages', 'outbox'];
    return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await db.collection(n).countDocuments()] as const)));
  };
  const send = (spec: RouteSpec, body: string | Uint8Array, id = '0123456789abcdef01234567') =>
    fetch(`${t.url}${spec.path.replace(/:id\b/g, encodeURIComponent(id))}`, {
      method: spec.method.toUpperCase(),
      headers: { cookie: `sb_session=${owner.cookie}`, 'x-csrf-token': owner.csrf, 'content-type': 'application/json' },
      body: body as BodyInit,
    });
  const expectRefusal = async (label: string, res: Response) => {
    const text = await res.text();
    let code: unknown;
    try {
      code = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error?.code;
    } catch {
      code = `not JSON: ${text.slice(0, 80)}`;
    }
    // 4xx with a named error code; never a 5xx, a stack trace or a success.
    expect([label, res.status >= 400 && res.status < 500, typeof code]).toEqual([label, true, 'string']);
    expect(text).not.toMatch(/\bat [\w.]+ \(|node_modules/);
  };

  it('walks more than a dozen write routes', () => {
    expect(writes.length).toBeGreaterThan(12);
  });

  it('refuses every malformed body on every write route, storing nothing', async () => {
    const before = await counts();
    for (const spec of writes) {
      for (const [what, body] of HOSTILE_BODIES) await expectRefusal(`${spec.method} ${spec.path}: ${what}`, await send(spec, new Uint8Array(Buffer.from(body, 'latin1'))));
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(await counts()).toEqual(before);
  });

  it('refuses a body over the limit with 413 before reading it, on every write route', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(MAX_JSON_BYTES + 1) });
    for (const spec of [...writes, ...t.gateway.deps.console.table.filter((s) => s.path === '/console/api/sign-out')]) {
      const res = await send(spec, big);
      expect([`${spec.method} ${spec.path}`, res.status]).toEqual([`${spec.method} ${spec.path}`, 413]);
    }
  });

  it('refuses path ids that are not ids', async () => {
    const withId = t.gateway.deps.console.table.filter((s) => s.surface === 'api' && s.path.includes(':id'));
    expect(withId.length).toBeGreaterThan(5);
    for (const spec of withId) {
      for (const id of ['not-an-id', '../../../etc/passwd', '{"$ne":null}', 'x'.repeat(5000), '%']) {
        const res =
          spec.method === 'get'
            ? await fetch(`${t.url}${spec.path.replace(':id', encodeURIComponent(id))}`, { headers: { cookie: `sb_session=${owner.cookie}` } })
            : await send(spec, '{}', id);
        await expectRefusal(`${spec.method} ${spec.path} with id ${id.slice(0, 20)}`, res);
      }
    }
  });

  it('refuses query parameters given more than once, and never reads one as an operator', async () => {
    const get = (path: string) => fetch(`${t.url}${path}`, { headers: { cookie: `sb_session=${owner.cookie}` } });
    for (const path of ['/console/api/inbox?status=$where', '/console/api/inbox?view=all&view=mine', '/console/api/audit?action=a&action=b', '/console/api/inbox?q=a&q=b']) {
      await expectRefusal(path, await get(path));
    }
    // Express 5's query parser keeps "view[$ne]" as a literal name (an unknown parameter), and search text is
    // matched literally: regex syntax finds nothing rather than failing or matching everything.
    for (const path of ['/console/api/inbox?view[$ne]=x', '/console/api/inbox?q[$regex]=.*', '/console/api/inbox?q=(.*', `/console/api/inbox?q=${'a'.repeat(10_000)}`, '/console/api/audit?before=not-a-date']) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 200]);
    }
    const literal = (await (await get('/console/api/inbox?status=any&q=.*')).json()) as { data: { rows: unknown[] } };
    expect(literal.data.rows).toEqual([]);
  });

  it('refuses channel settings that would become operators or paths once stored, and keeps the channel as it was', async () => {
    const created = await owner.call('POST', '/console/api/channels', { id: 'probe-api', kind: 'api', name: 'Probe' });
    expect(created.status).toBe(201);
    const stored = async () => (await t.connection.db!.collection('channels').findOne({ _id: 'probe-api' as never }))!;
    const before = await stored();
    const patch = t.gateway.deps.console.table.find((s) => s.method === 'patch' && s.path === '/console/api/channels/:id')!;
    const bodies = [
      { settings: { $where: 'sleep(1000)' } },
      { settings: { 'desk.agents': ['U1'] } },
      { settings: { desk: { $set: { agents: [] } } } },
      { settings: { a: { b: { c: { d: { e: 1 } } } } } },
      { settings: { from: 'x'.repeat(5000) } },
      { secrets: { apiKey: { $ne: '' } } },
      { secrets: { 'a.b': 'x' } },
      { enabled: 'no' },
      { name: ['Probe'] },
    ];
    for (const body of bodies) await expectRefusal(`patch channel ${JSON.stringify(body).slice(0, 60)}`, await send(patch, JSON.stringify(body), 'probe-api'));
    expect(await stored()).toEqual(before);
    expect((await owner.call('DELETE', '/console/api/channels/probe-api')).status).toBe(200);
  });

  it('refuses hostile uploads: no file name, a malformed name, a wrong type, too large', async () => {
    const upload = (headers: Record<string, string>, body: Uint8Array) =>
      fetch(`${t.url}/console/api/knowledge`, { method: 'POST', headers: { cookie: `sb_session=${owner.cookie}`, 'x-csrf-token': owner.csrf, 'content-type': 'application/octet-stream', ...headers }, body: body as BodyInit });
    const before = await counts();
    await expectRefusal('no X-Filename', await upload({}, new Uint8Array(Buffer.from('# Hi'))));
    await expectRefusal('malformed percent-encoding', await upload({ 'x-filename': '%E0%A4%A.md' }, new Uint8Array(Buffer.from('# Hi'))));
    await expectRefusal('an executable', await upload({ 'x-filename': 'evil.exe' }, new Uint8Array(Buffer.from('MZ'))));
    await expectRefusal('a dot file', await upload({ 'x-filename': '..md' }, new Uint8Array(Buffer.from('# Hi'))));
    await expectRefusal('a PDF that is not one', await upload({ 'x-filename': 'fake.pdf' }, new Uint8Array(Buffer.from('not a pdf at all'))));
    const tooBig = await upload({ 'x-filename': 'big.md' }, new Uint8Array(10 * 1024 * 1024 + 1).fill(0x61));
    expect(tooBig.status).toBe(413);
    expect(await counts()).toEqual(before);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });
});
