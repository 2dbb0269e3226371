import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';

type Doc = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>; components: { schemas: Record<string, Schema> } };
type Schema = { $ref?: string; required?: string[] };

/**
 * Keeps /openapi.json true: every /api/v1 route in api-routes.ts is described, and real responses have a documented
 * status and a body valid against its schema (ajv, JSON Schema 2020-12); the document itself is checked against
 * the OpenAPI 3.1 schema.
 */
describe('OpenAPI document', () => {
  let t: TestGateway;
  let doc: Doc;
  beforeAll(async () => {
    t = await startTestGateway('api');
    doc = (await (await fetch(`${t.url}/openapi.json`)).json()) as Doc;
  });
  afterAll(() => t.stop());
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);

  function conforms(path: string, method: string, status: number, body: Record<string, unknown>): void {
    const op = doc.paths[path]![method]!;
    expect(Object.keys(op.responses)).toContain(String(status));
    const schema = op.responses[String(status)]!.content!['application/json']!.schema;
    // The components travel with each check so $refs resolve within the document.
    const validate = ajv.compile({ ...schema, components: doc.components });
    expect(validate(body) ? [] : validate.errors).toEqual([]);
  }

  it('is served as OpenAPI 3.1 with no secrets in it', async () => {
    expect(doc.openapi).toBe('3.1.0');
    // The official OAS 3.1 schema, as @seriousme/openapi-schema-validator ships it (its own entry point is ESM only,
    // which jest's CommonJS runtime cannot load).
    const oas = JSON.parse(readFileSync(require.resolve('@seriousme/openapi-schema-validator/schemas/v3.1/schema.json'), 'utf8')) as object;
    const oasAjv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(oasAjv);
    const validate = oasAjv.compile(oas);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(JSON.stringify(doc)).not.toContain(t.api.key);
  });

  it('describes every /api/v1 route the gateway mounts', () => {
    const source = readFileSync(join(__dirname, '../../src/http/api-routes.ts'), 'utf8');
    const routes = [...source.matchAll(/router\.(get|post|put|patch|delete)\('(\/api\/v1[^']*)'/g)].map(([, m, p]) => [m!, p!.replace(/:(\w+)/g, '{$1}')]);
    expect(routes.length).toBeGreaterThan(0);
    for (const [method, path] of routes) expect(doc.paths[path]?.[method]).toBeDefined();
  });

  it('answers as documented on happy paths and 4xx cases', async () => {
    const health = await fetch(`${t.url}/health`);
    conforms('/health', 'get', health.status, await health.json());

    const ok = await postMessage(t, { id: 'oa-1', contact: { id: 'c-1' }, text: 'hello' });
    const accepted = (await ok.json()) as { conversationId: string };
    expect(ok.status).toBe(202);
    conforms('/api/v1/messages', 'post', ok.status, accepted);

    const noKey = await fetch(`${t.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(noKey.status).toBe(401);
    conforms('/api/v1/messages', 'post', noKey.status, await noKey.json());

    const bad = await postMessage(t, { id: 'oa-2', contact: { id: 'c-1' } });
    expect(bad.status).toBe(400);
    conforms('/api/v1/messages', 'post', bad.status, await bad.json());

    const auth = { authorization: `Bearer ${t.api.key}` };
    const hist = await fetch(`${t.url}/api/v1/conversations/${accepted.conversationId}/messages`, { headers: auth });
    expect(hist.status).toBe(200);
    conforms('/api/v1/conversations/{id}/messages', 'get', hist.status, await hist.json());

    const missing = await fetch(`${t.url}/api/v1/conversations/000000000000000000000000/messages`, { headers: auth });
    expect(missing.status).toBe(404);
    conforms('/api/v1/conversations/{id}/messages', 'get', missing.status, await missing.json());
  });
});
