import { changes } from '../../access/audit';
import { isRole, mayAssignRole } from '../../access/roles';
import { toUserView, UserInputError } from '../../access/users';
import { HttpError } from '../errors';
import type { AuditView } from './api-types';
import type { ConsoleDeps } from './deps';
import { signedIn, type RouteSpec } from './route-table';
import { requiredString } from './validate';

/** People and the audit trail: only for those who manage users (owners and admins). */
export function userRoutes(deps: ConsoleDeps): RouteSpec[] {
  const { access, clock } = deps;
  const load = async (id: string) => {
    const user = await access.users.get(id);
    if (!user) throw new HttpError(404, 'user_not_found', 'no such user');
    return user;
  };
  return [
    {
      method: 'get',
      path: '/console/api/users',
      permission: 'users:manage',
      surface: 'api',
      handler: async ({ res }) => {
        res.json({ users: (await access.users.list()).map(toUserView) });
      },
    },
    {
      method: 'get',
      path: '/console/api/agents',
      permission: 'inbox:write',
      surface: 'api',
      handler: async ({ res }) => {
        // Reassignment targets: who can work a conversation (names only).
        const users = (await access.users.list()).filter((u) => u.role !== 'analyst');
        res.json({ agents: users.map((u) => ({ id: String(u._id), name: u.name, teams: u.teams })) });
      },
    },
    {
      method: 'post',
      path: '/console/api/users',
      permission: 'users:manage',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        const body = ctx.req.body as Record<string, unknown>;
        const role = requiredString(body, 'role', 20);
        if (!isRole(role)) throw new HttpError(400, 'invalid_role', 'role must be owner, admin, agent or analyst');
        if (!mayAssignRole(principal.role, role)) throw new HttpError(403, 'forbidden', 'only an owner can make an owner');
        const teams = teamsOf(deps, body.teams);
        let user;
        try {
          user = await access.users.create({ email: requiredString(body, 'email', 200), name: String(body.name ?? ''), role, password: requiredString(body, 'password', 300), teams }, clock());
        } catch (err) {
          if (err instanceof UserInputError) throw new HttpError(400, 'invalid_user', err.message);
          throw err;
        }
        await ctx.audit({ action: 'user.create', target: user.email, diff: { role: { from: null, to: role }, teams: { from: null, to: teams }, password: 'set' } });
        ctx.res.status(201).json({ user: toUserView(user) });
      },
    },
    {
      method: 'patch',
      path: '/console/api/users/:id',
      permission: 'users:manage',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        const before = await load(String(ctx.req.params.id));
        const body = ctx.req.body as Record<string, unknown>;
        const patch: { name?: string; role?: typeof before.role; teams?: string[] } = {};
        if (typeof body.name === 'string' && body.name.trim()) patch.name = body.name.trim().slice(0, 120);
        if (body.teams !== undefined) patch.teams = teamsOf(deps, body.teams);
        if (body.role !== undefined) {
          if (!isRole(body.role)) throw new HttpError(400, 'invalid_role', 'role must be owner, admin, agent or analyst');
          if (!mayAssignRole(principal.role, body.role) || !mayAssignRole(principal.role, before.role)) throw new HttpError(403, 'forbidden', 'only an owner can make or unmake an owner');
          if (before.role === 'owner' && body.role !== 'owner' && (await access.users.countOwners()) <= 1) throw new HttpError(409, 'last_owner', 'the last owner cannot be demoted: make someone else owner first');
          patch.role = body.role;
        }
        const after = await access.users.update(before._id, patch);
        if (typeof body.password === 'string') {
          try {
            await access.users.setPassword(before._id, body.password, clock());
          } catch (err) {
            if (err instanceof UserInputError) throw new HttpError(400, 'invalid_user', err.message);
            throw err;
          }
        }
        // A new role or password takes effect everywhere now, not when old sessions expire.
        if (patch.role && patch.role !== before.role) await access.sessions.endAllOf(before._id);
        if (typeof body.password === 'string') await access.sessions.endAllOf(before._id);
        await ctx.audit({
          action: 'user.update',
          target: before.email,
          diff: { ...changes({ name: before.name, role: before.role, teams: before.teams }, { name: after!.name, role: after!.role, teams: after!.teams }), ...(typeof body.password === 'string' ? { password: 'reset' } : {}) },
        });
        ctx.res.json({ user: toUserView(after!) });
      },
    },
    {
      method: 'delete',
      path: '/console/api/users/:id',
      permission: 'users:manage',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        const user = await load(String(ctx.req.params.id));
        if (!mayAssignRole(principal.role, user.role)) throw new HttpError(403, 'forbidden', 'only an owner can remove an owner');
        if (user.role === 'owner' && (await access.users.countOwners()) <= 1) throw new HttpError(409, 'last_owner', 'the last owner cannot be removed');
        await access.users.remove(user._id);
        await access.sessions.endAllOf(user._id);
        await access.tokens.revokeAllOf(user._id, clock());
        await ctx.audit({ action: 'user.remove', target: user.email, diff: { role: { from: user.role, to: null } } });
        ctx.res.json({ removed: true });
      },
    },
    {
      method: 'get',
      path: '/console/api/audit',
      permission: 'audit:read',
      surface: 'api',
      handler: async (ctx) => {
        const q = ctx.req.query as Record<string, unknown>;
        const str = (k: string) => (typeof q[k] === 'string' && q[k] ? String(q[k]).slice(0, 200) : undefined);
        const before = str('before');
        const rows = await access.audit.list({
          ...(str('action') ? { action: str('action')! } : {}),
          ...(str('actor') ? { actor: str('actor')! } : {}),
          ...(str('target') ? { target: str('target')! } : {}),
          ...(before && !Number.isNaN(Date.parse(before)) ? { before: new Date(before) } : {}),
        });
        const events: AuditView[] = rows.map((r) => ({
          id: String(r._id),
          at: r.at.toISOString(),
          actor: r.actor.name ?? r.actor.kind,
          action: r.action,
          outcome: r.outcome,
          target: r.target ?? null,
          ip: r.ip ?? null,
          diff: r.diff ?? null,
          detail: r.detail ?? null,
        }));
        ctx.res.json({ events });
      },
    },
  ];
}

function teamsOf(deps: ConsoleDeps, value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((t) => typeof t !== 'string')) throw new HttpError(400, 'invalid_body', '"teams" must be a list of team names');
  const known = deps.teams();
  const unknown = (value as string[]).filter((t) => !known.includes(t));
  if (unknown.length) throw new HttpError(400, 'unknown_team', `no team ${unknown.map((t) => `"${t}"`).join(', ')} in routing.yaml (teams: ${known.join(', ')})`);
  return [...new Set(value as string[])];
}
