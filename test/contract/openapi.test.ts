import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { createApp } from '../../src/app';
import type { RouteSpec } from '../../src/http/console';
import { consolePaths } from '../../src/http/openapi/console-paths';
import { consoleUser, type ConsoleClient } from '../support/console';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';
import { makeConformance, mountedRoutes, type Doc } from './openapi-support';

const ADMIN_TOKEN = 'openapi-admin-token-0123456789';
const METRICS_TOKEN = 'openapi-metrics-token-0123456789';
/** What the document describes; everything else the app routes is listed, with why, in OUT_OF_SCOPE. */
const IN_SCOPE = /^\/(health|ready|metrics|openapi\.json)$|^\/api\/v1\/|^\/console\/api\//;
/** Platform webhooks (each platform's format), the widget and its transport, signed media links, HTML pages. */
const OUT_OF_SCOPE = /^\/(webhooks|webchat|media|admin)\/|^\/(widget\.js|)$|^\/console(\/(?!api\/).*)?$/;

/**
 * Keeps /openapi.json true: the document is valid OpenAPI 3.1; every route the gateway mounts in its scope is
 * described and every description is mounted; real responses (happy paths and refusals, the API channel and the
 * console) have a documented status and content type and a body valid against its schema.
 */
describe('OpenAPI document', () => {
  let t: TestGateway;
  let doc: Doc;
  let owner: ConsoleClient;
  let analyst: ConsoleClient;
  let conversationId: string;
  const conforms = makeConformance(() => doc);

  beforeAll(async () => {
    t = await startTestGateway('openapi', { env: { ADMIN_TOKEN, METRICS_TOKEN } });
    doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as Doc;
    owner = await consoleUser(t, 'owner');
    analyst = await consoleUser(t, 'analyst');
    const res = await postMessage(t, { id: 'oa-human', contact: { id: 'oa-customer', name: 'Olga' }, text: 'My order has not arrived, I want to talk to a human' });
    conversationId = ((await res.json()) as { conversationId: string }).conversationId;
    await until(t, async () => (await t.gateway.store.conversations.get(conversationId))?.status === 'pending');
  });
  afterAll(() => t.stop());

  it('is served as OpenAPI 3.1 with no secrets in it', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // The official OAS 3.1 schema, as @seriousme/openapi-schema-validator ships it (its own entry point is ESM only,
    // which jest's CommonJS runtime cannot load).
    const oas = JSON.parse(readFileSync(require.resolve('@seriousme/openapi-schema-validator/schemas/v3.1/schema.json'), 'utf8')) as object;
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addFormat('media-range', true);
    const validate = ajv.compile(oas);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    for (const secret of [t.api.key, t.api.signingSecret, ADMIN_TOKEN, METRICS_TOKEN]) expect(JSON.stringify(doc)).not.toContain(secret);
  });

  it('describes every route the gateway mounts in its scope, and nothing it does not mount', () => {
    const mounted = mountedRoutes(createApp(t.gateway.deps));
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    const inScope = mounted.filter((r) => IN_SCOPE.test(r.path));
    expect(mounted.filter((r) => !IN_SCOPE.test(r.path) && !OUT_OF_SCOPE.test(r.path)).map(key)).toEqual([]);
    const described = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`));
    expect([...new Set(inScope.map(key))].sort()).toEqual(described.sort());
    for (const path of ['/health', '/ready', '/metrics', '/openapi.json', '/api/v1/messages', '/console/api/inbox']) expect(doc.paths[path]).toBeDefined();
    // The console route table's API routes, each with the security its permission implies.
    for (const spec of t.gateway.deps.console.table.filter((s) => s.surface === 'api')) {
      const op = doc.paths[spec.path.replace(/:(\w+)/g, '{$1}')]?.[spec.method];
      expect([spec.method, spec.path, (op?.security?.length ?? -1) > 0]).toEqual([spec.method, spec.path, spec.permission !== 'public']);
    }
  });

  it('refuses to build a document for a console route nobody described', () => {
    const table = t.gateway.deps.console.table;
    const extra: RouteSpec = { method: 'get', path: '/console/api/undescribed', permission: 'inbox:read', surface: 'api', handler: () => undefined };
    expect(() => consolePaths([...table, extra], 1_000)).toThrow(/no description: get \/console\/api\/undescribed/);
    expect(() => consolePaths(table.filter((s) => s.path !== '/console/api/inbox'), 1_000)).toThrow(/Descriptions of no route: get \/console\/api\/inbox/);
  });

  it('answers the API channel, health, readiness and metrics as documented', async () => {
    await conforms('/health', 'get', await fetch(`${t.url}/health`));
    await conforms('/ready', 'get', await fetch(`${t.url}/ready`));
    await conforms('/openapi.json', 'get', await fetch(`${t.url}/openapi.json`));
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(metrics.status).toBe(200);
    await conforms('/metrics', 'get', metrics);
    await conforms('/metrics', 'get', await fetch(`${t.url}/metrics`));

    const ok = await postMessage(t, { id: 'oa-1', contact: { id: 'c-1' }, text: 'hello' });
    expect(ok.status).toBe(202);
    const { conversationId: apiConversation } = (await ok.clone().json()) as { conversationId: string };
    await conforms('/api/v1/messages', 'post', ok);
    await conforms('/api/v1/messages', 'post', await fetch(`${t.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }));
    const bad = await postMessage(t, { id: 'oa-2', contact: { id: 'c-1' }, text: '   ' });
    expect(bad.status).toBe(400);
    await conforms('/api/v1/messages', 'post', bad);
    const auth = { authorization: `Bearer ${t.api.key}` };
    const history = await fetch(`${t.url}/api/v1/conversations/${apiConversation}/messages`, { headers: auth });
    expect(history.status).toBe(200);
    await conforms('/api/v1/conversations/{id}/messages', 'get', history);
    await conforms('/api/v1/conversations/{id}/messages', 'get', await fetch(`${t.url}/api/v1/conversations/000000000000000000000000/messages`, { headers: auth }));
  });

  it('answers the console API as documented: the inbox, a conversation, reports, channels, knowledge, routing, users', async () => {
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const get = (path: string, who: ConsoleClient = owner) => who.call('GET', path);
    // One at a time, in order: the claim comes after the reads, and a failure leaves no request in flight.
    const cases: Array<[string, string, () => Promise<Response>, number]> = [
      ['/console/api/inbox', 'get', () => get('/console/api/inbox'), 200],
      ['/console/api/conversations/{id}', 'get', () => get(`/console/api/conversations/${conversationId}`), 200],
      ['/console/api/reports/overview', 'get', () => get('/console/api/reports/overview', analyst), 200],
      ['/console/api/reports/conversations', 'get', () => get('/console/api/reports/conversations?outcome=handedOff'), 200],
      ['/console/api/reports/queue', 'get', () => get('/console/api/reports/queue'), 200],
      ['/console/api/alerts', 'get', () => get('/console/api/alerts'), 200],
      ['/console/api/reports/export', 'get', () => get('/console/api/reports/export?format=csv'), 200],
      ['/console/api/channels', 'get', () => get('/console/api/channels'), 200],
      ['/console/api/knowledge', 'get', () => get('/console/api/knowledge'), 200],
      ['/console/api/routing', 'get', () => get('/console/api/routing'), 200],
      ['/console/api/intents', 'get', () => get('/console/api/intents'), 200],
      ['/console/api/users', 'get', () => get('/console/api/users'), 200],
      ['/console/api/audit', 'get', () => get('/console/api/audit'), 200],
      ['/console/api/me', 'get', () => get('/console/api/me'), 200],
      ['/console/api/me', 'get', () => fetch(`${t.url}/console/api/me`, { headers: admin }), 200],
      ['/console/api/setup', 'get', () => fetch(`${t.url}/console/api/setup`), 200],
      ['/console/api/routing/preview', 'post', () => owner.call('POST', '/console/api/routing/preview', { text: 'where is my order?' }), 200],
      ['/console/api/conversations/{id}/act', 'post', () => owner.call('POST', `/console/api/conversations/${conversationId}/act`, { key: 'oa-claim-0001', act: 'claim' }), 200],
      // Refusals: the query checked once for every route, a field the route refuses, no credentials, a role too small, a missing CSRF token, no such item.
      ['/console/api/inbox', 'get', () => get('/console/api/inbox?view=a&view=b'), 400],
      // Found by the fuzzer: a NUL in the search, a `to` that is not a day, an outcome named after a prototype key.
      ['/console/api/inbox', 'get', () => get('/console/api/inbox?q=a%00b'), 400],
      ['/console/api/reports/overview', 'get', () => get('/console/api/reports/overview?to=null'), 400],
      ['/console/api/reports/conversations', 'get', () => get('/console/api/reports/conversations?outcome=constructor'), 400],
      ['/console/api/channels', 'post', () => owner.call('POST', '/console/api/channels', { id: 'x', kind: 'carrier-pigeon' }), 400],
      ['/console/api/inbox', 'get', () => fetch(`${t.url}/console/api/inbox`), 401],
      ['/console/api/users', 'get', () => get('/console/api/users', analyst), 403],
      ['/console/api/channels/{id}', 'patch', () => owner.call('PATCH', '/console/api/channels/web-test', { name: 'x' }, { 'x-csrf-token': 'wrong' }), 403],
      ['/console/api/conversations/{id}', 'get', () => get('/console/api/conversations/000000000000000000000000'), 404],
      ['/console/api/knowledge/{id}/sections', 'get', () => get('/console/api/knowledge/nothing-here/sections'), 404],
      ['/console/api/channels', 'post', () => owner.call('POST', '/console/api/channels', 'plain text', { 'content-type': 'text/plain' }), 415],
    ];
    for (const [path, method, send, status] of cases) {
      const res = await send();
      expect([method, path, res.status]).toEqual([method, path, status]);
      await conforms(path, method, res);
    }
  });
});
