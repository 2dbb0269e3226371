import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Express } from 'express';

export type Doc = {
  openapi: string;
  paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components: { schemas: Record<string, object> };
};

/**
 * Checks a real response against the document: its status is documented for the operation, its content type is
 * one the status declares, and its body is valid against that schema (ajv, JSON Schema 2020-12).
 */
export function makeConformance(doc: () => Doc): (path: string, method: string, res: Response) => Promise<void> {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return async (path, method, res) => {
    const op = doc().paths[path]?.[method];
    expect([method, path, op ? 'described' : 'undescribed']).toEqual([method, path, 'described']);
    const label = `${method} ${path} ${res.status}`;
    expect([label, Object.keys(op!.responses)]).toEqual([label, expect.arrayContaining([String(res.status)])]);
    const content = op!.responses[String(res.status)]!.content ?? {};
    const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
    expect([label, Object.keys(content)]).toEqual([label, expect.arrayContaining([type])]);
    const text = await res.text();
    const body: unknown = type === 'application/json' ? JSON.parse(text) : text;
    // The components travel with each check so $refs resolve within the document.
    const validate = ajv.compile({ ...content[type]!.schema, components: doc().components });
    expect([label, validate(body) ? [] : validate.errors]).toEqual([label, []]);
  };
}

/** Every (method, path) an express app routes, walking nested routers; paths in OpenAPI form (`{id}`). */
export function mountedRoutes(app: Express): Array<{ method: string; path: string }> {
  type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
  const out: Array<{ method: string; path: string }> = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') out.push({ method, path: layer.route.path.replace(/:(\w+)/g, '{$1}') });
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}
