import { ROLE_PERMISSIONS, ROLES } from '../../access/roles';
import type { RouteSpec } from '../console/route-table';
import { CONSOLE_OPERATIONS, type ConsoleOperation } from './console-operations';
import type { Schema } from './schemas/build';

const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);

/** `/console/api/conversations/:id` → `/console/api/conversations/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

/** Any way the console authenticator accepts a caller (src/http/console/principal.ts). */
export const CONSOLE_SECURITY = [{ consoleSession: [] }, { consoleToken: [] }, { consoleBasic: [] }];

/**
 * The console API's paths, generated from the route table the gateway mounts (surface `api`): method, path,
 * path parameters, security from the declared permission, the body's media type, the CSRF header and the
 * refusals the table's middleware answers for every route (route-table.ts). What the table cannot know comes from
 * CONSOLE_OPERATIONS; a route without an entry, or an entry without a route, is an error, not a gap.
 */
export function consolePaths(table: readonly RouteSpec[], maxJsonBytes: number): Record<string, Record<string, unknown>> {
  const api = table.filter((spec) => spec.surface === 'api');
  const keys = api.map((spec) => `${spec.method} ${openApiPath(spec.path)}`);
  const undescribed = keys.filter((key) => !CONSOLE_OPERATIONS[key]);
  const stale = Object.keys(CONSOLE_OPERATIONS).filter((key) => !keys.includes(key));
  if (undescribed.length || stale.length) {
    throw new Error(
      `OpenAPI: the console route table and src/http/openapi/console-operations.ts disagree. ` +
        `${undescribed.length ? `Routes with no description: ${undescribed.join(', ')}. ` : ''}${stale.length ? `Descriptions of no route: ${stale.join(', ')}.` : ''}`,
    );
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of api) {
    const path = openApiPath(spec.path);
    (paths[path] ??= {})[spec.method] = operation(spec, CONSOLE_OPERATIONS[`${spec.method} ${path}`]!, maxJsonBytes);
  }
  return paths;
}

function operation(spec: RouteSpec, op: ConsoleOperation, maxJsonBytes: number): Record<string, unknown> {
  const path = openApiPath(spec.path);
  const unsafe = UNSAFE.has(spec.method);
  const guarded = spec.permission !== 'public';
  const pathParams = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name: name!, in: 'path', required: true, schema: { type: 'string' } }));
  const queryParams = Object.entries(op.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  const headers = [
    ...(unsafe && guarded ? [{ name: 'X-CSRF-Token', in: 'header', required: false, description: 'Required with the session cookie: the `csrf` of sign-in or /console/api/me.', schema: { type: 'string' } }] : []),
    ...(spec.body === 'raw' ? [{ name: 'X-Filename', in: 'header', required: true, description: "The file's name, percent-encoded (encodeURIComponent).", schema: { type: 'string', minLength: 1 } }] : []),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    if (r === 'error') responses[status] = error(ERROR_TEXT[status] ?? 'Refused.');
    else responses[status] = { description: r.description, content: r.content ? mapValues(r.content, (schema) => ({ schema })) : { 'application/json': { schema: r.schema } } };
  }
  // The refusals of route-table.ts, errors.ts and requireStore, for whichever routes can meet them.
  const shared: Record<string, string> = {
    '400': 'A query parameter given twice or not as text, a body that is not a JSON object or not valid UTF-8, or a field the route refuses (the message names it).',
    ...(guarded ? { '401': 'No credentials, or a token that is not valid.' } : {}),
    ...(guarded && (spec.permission !== 'signed-in' || unsafe) ? { '403': "The caller's role lacks the permission, or a session's write came without its X-CSRF-Token." } : {}),
    ...(pathParams.length ? { '404': 'No such item.' } : {}),
    ...(unsafe ? { '413': `Body larger than ${spec.limitBytes ?? maxJsonBytes} bytes.` } : {}),
    ...(unsafe && spec.body !== 'raw' ? { '415': 'A body that is not application/json.' } : {}),
    ...(guarded || spec.path.endsWith('/sign-in') || spec.path.endsWith('/setup') ? { '429': 'Too many failed sign-ins from this address or for this account (Retry-After).' } : {}),
    '503': 'The store is unavailable (Retry-After).',
  };
  for (const [status, description] of Object.entries(shared)) responses[status] ??= error(description);
  const body = requestBody(spec, op);
  return {
    operationId: operationId(spec.method, path),
    summary: op.summary,
    tags: [tagOf(path)],
    description: permissionText(spec),
    'x-permission': spec.permission,
    security: guarded ? CONSOLE_SECURITY : [],
    ...(pathParams.length || queryParams.length || headers.length ? { parameters: [...pathParams, ...queryParams, ...headers] } : {}),
    ...(body ? { requestBody: body } : {}),
    responses,
  };
}

function requestBody(spec: RouteSpec, op: ConsoleOperation): Record<string, unknown> | undefined {
  if (spec.body === 'raw') return { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
  if (!op.body) return undefined;
  const required = Array.isArray(op.body.required) && op.body.required.length > 0;
  return { required, content: { 'application/json': { schema: op.body } } };
}

function permissionText(spec: RouteSpec): string {
  if (spec.permission === 'public') return 'Public.';
  if (spec.permission === 'signed-in') return 'Any signed-in caller.';
  const roles = ROLES.filter((role) => ROLE_PERMISSIONS[role].includes(spec.permission as never));
  return `Needs \`${spec.permission}\` (roles: ${roles.join(', ')}).`;
}

const ERROR_TEXT: Record<string, string> = {
  '403': 'Refused (the message says why).',
  '409': 'Conflicts with the current state (the message says how).',
  '422': 'The file could not be read.',
};

function error(description: string): Record<string, unknown> {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
}

/** `get /console/api/conversations/{id}/act` → `getConsoleConversationsIdAct`: stable, unique per method and path. */
function operationId(method: string, path: string): string {
  const words = path.replace(/^\/console\/api\//, '/console/').split(/[/{}-]+/).filter(Boolean);
  return method + words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

function tagOf(path: string): string {
  const first = path.split('/')[3] ?? 'console';
  return `console: ${first}`;
}

function mapValues<T, U>(record: Record<string, T>, f: (value: T) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

export type { Schema };
