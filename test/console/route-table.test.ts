import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE_PERMISSIONS, type Role } from '../../src/access/roles';
import type { RouteSpec } from '../../src/http/console';
import { consoleUser, type ConsoleClient } from '../support/console';
import { startTestGateway, type TestGateway } from '../support/gateway';

/**
 * Every console page, console API route and /admin page is declared in one table with the permission it needs
 * (src/http/console/route-table.ts). This walks the whole table: anonymous callers and callers whose role lacks the
 * permission are refused, and writes without the CSRF token are refused even for an owner. A route registered any
 * other way fails the source check below, so a new route cannot skip declaring its permission.
 */
describe('console route table', () => {
  let t: TestGateway;
  let table: RouteSpec[];
  const clients = {} as Record<Role, ConsoleClient>;

  beforeAll(async () => {
    t = await startTestGateway('route_table', { startWorkers: false, env: { ADMIN_TOKEN: 'admin-token-0123456789abcdef' } });
    table = t.gateway.deps.console.table;
    for (const role of ['owner', 'admin', 'agent', 'analyst'] as Role[]) clients[role] = await consoleUser(t, role);
  });
  afterAll(async () => {
    await t.stop();
  });

  // Parameters filled with values that exist nowhere: the permission check comes before any lookup.
  const concrete = (path: string) => path.replace(/:id\b/g, '0123456789abcdef01234567');
  const send = (spec: RouteSpec, headers: Record<string, string> = {}) =>
    fetch(`${t.url}${concrete(spec.path)}`, {
      method: spec.method.toUpperCase(),
      redirect: 'manual',
      headers: { ...(spec.method === 'get' ? {} : { 'content-type': 'application/json' }), ...headers },
      ...(spec.method === 'get' ? {} : { body: '{}' }),
    });

  it('declares routes of every kind, each with a permission', () => {
    expect(table.length).toBeGreaterThan(30);
    for (const spec of table) expect(spec.permission).toBeTruthy();
    expect(new Set(table.map((s) => s.surface))).toEqual(new Set(['page', 'api', 'admin']));
  });

  it('refuses anonymous callers on every non-public route: API 401, admin 401 with a Basic challenge, pages redirect to sign-in', async () => {
    const guarded = table.filter((s) => s.permission !== 'public');
    for (const spec of guarded) {
      const res = await send(spec);
      const label = `${spec.method} ${spec.path}`;
      if (spec.surface === 'page') {
        expect([label, res.status, res.headers.get('location')?.startsWith('/console/sign-in?next=')]).toEqual([label, 302, true]);
      } else {
        expect([label, res.status]).toEqual([label, 401]);
        if (spec.surface === 'admin') expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
      }
    }
  });

  it.each(['agent', 'analyst'] as Role[])('refuses a signed-in %s every route its role lacks (403)', async (role) => {
    const lacking = table.filter((s) => s.permission !== 'public' && s.permission !== 'signed-in' && !ROLE_PERMISSIONS[role].includes(s.permission));
    expect(lacking.length).toBeGreaterThan(5);
    for (const spec of lacking) {
      const res = await send(spec, { cookie: `sb_session=${clients[role].cookie}`, 'x-csrf-token': clients[role].csrf });
      expect([`${spec.method} ${spec.path}`, res.status]).toEqual([`${spec.method} ${spec.path}`, 403]);
    }
  });

  it('refuses every write from a signed-in owner without the CSRF token, and a cross-site form post', async () => {
    const writes = table.filter((s) => s.method !== 'get' && s.permission !== 'public');
    expect(writes.length).toBeGreaterThan(10);
    for (const spec of writes) {
      const res = await send(spec, { cookie: `sb_session=${clients.owner.cookie}` });
      const body = (await res.json()) as { error: { code: string } };
      expect([`${spec.method} ${spec.path}`, res.status, body.error.code]).toEqual([`${spec.method} ${spec.path}`, 403, 'csrf_failed']);
    }
    // A form another site posts cannot set a JSON content type: refused on that alone, even were the token known.
    const form = await fetch(`${t.url}/console/api/conversations/0123456789abcdef01234567/act`, {
      method: 'POST',
      headers: { cookie: `sb_session=${clients.owner.cookie}`, 'x-csrf-token': clients.owner.csrf, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'act=resolve&key=abcdefgh12',
    });
    expect(form.status).toBe(415);
  });

  it('lets each role reach what it may (not 401/403)', async () => {
    for (const role of ['owner', 'agent', 'analyst'] as Role[]) {
      for (const spec of table.filter((s) => s.method === 'get' && s.permission !== 'public' && (s.permission === 'signed-in' || ROLE_PERMISSIONS[role].includes(s.permission)))) {
        const res = await send(spec, { cookie: `sb_session=${clients[role].cookie}` });
        expect([role, spec.path, [401, 403].includes(res.status)]).toEqual([role, spec.path, false]);
      }
    }
  });

  it('treats the ADMIN_TOKEN as an owner and a wrong token as no one', async () => {
    const users = table.find((s) => s.path === '/console/api/users' && s.method === 'get')!;
    expect((await send(users, { authorization: 'Bearer admin-token-0123456789abcdef' })).status).toBe(200);
    expect((await send(users, { authorization: 'Bearer admin-token-wrong-0123456789' })).status).toBe(401);
  });

  it('registers console and admin routes only through the table', () => {
    const dir = join(__dirname, '../../src/http');
    const files = [...readdirSync(dir).map((f) => join(dir, f)), ...readdirSync(join(dir, 'console')).map((f) => join(dir, 'console', f))].filter((f) => f.endsWith('.ts'));
    const offenders: string[] = [];
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      if (file.endsWith('route-table.ts')) continue;
      // Any express registration in the console folder, or of a /console or /admin path anywhere in src/http.
      if (file.includes('/console/') && /\brouter\.(get|post|put|patch|delete|all)\(/.test(source)) offenders.push(file);
      if (/\.(get|post|put|patch|delete|all|use)\(\s*['"`]\/(console|admin)/.test(source) && !file.endsWith('console/index.ts')) offenders.push(file);
    }
    expect(offenders).toEqual([]);
  });
});
