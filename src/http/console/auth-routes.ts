import { Types } from 'mongoose';
import type { UserRecord } from '../../access/models';
import { newUserProblem, toUserView, UserInputError } from '../../access/users';
import { isRole, lesserRole } from '../../access/roles';
import { HttpError } from '../errors';
import { FailedSignIns } from '../rate-limits';
import type { ConsoleDeps } from './deps';
import { clearSessionCookie, setSessionCookie } from './principal';
import { signedIn, type RouteSpec } from './route-table';
import { requiredString } from './validate';

/** Sign-in, first-run setup, sign-out, the caller's own profile and personal API tokens. */
export function authRoutes(deps: ConsoleDeps): RouteSpec[] {
  const { access, clock } = deps;
  // Per address and per account: once either spent its failures, even the right password waits.
  const guard = new FailedSignIns(deps.limits, 'signInFailures', 'failed sign-ins');
  return [
    {
      method: 'get',
      path: '/console/api/setup',
      permission: 'public',
      surface: 'api',
      handler: async ({ res }) => {
        res.json({ needed: (await access.users.count()) === 0 });
      },
    },
    {
      method: 'post',
      path: '/console/api/setup',
      permission: 'public',
      surface: 'api',
      handler: async (ctx) => {
        const body = ctx.req.body as Record<string, unknown>;
        const token = requiredString(body, 'token');
        const email = requiredString(body, 'email');
        const password = requiredString(body, 'password');
        // Checked before the link is spent: a typo must not use up the only link.
        const problem = newUserProblem(email, password);
        if (problem) throw new HttpError(400, 'invalid_user', problem);
        const now = clock();
        const spent = await guard.check([`ip:${ctx.req.ip ?? 'unknown'}`, 'account:setup'], async () => {
          if ((await access.users.count()) > 0) throw new HttpError(409, 'already_set_up', 'the console already has users: sign in instead');
          return access.tokens.useSetup(token, now);
        });
        if (!spent) {
          await ctx.audit({ action: 'setup', outcome: 'refused', detail: 'setup link unknown, used or expired' });
          throw new HttpError(403, 'setup_link_invalid', 'this setup link is used or expired: restart the gateway (or run `switchboard users add`) for a new one');
        }
        let user;
        try {
          user = await access.users.create({ email, name: String(body.name ?? ''), password, role: 'owner' }, now);
        } catch (err) {
          if (err instanceof UserInputError) throw new HttpError(400, 'invalid_user', err.message);
          throw err;
        }
        await access.audit.record({ actor: { kind: 'setup_link' }, action: 'user.create', target: user.email, ip: ctx.req.ip ?? 'unknown', diff: { role: { from: null, to: 'owner' } }, detail: 'first owner, from the setup link' });
        const { secret, session } = await access.sessions.create(user._id, now, client(ctx.req));
        setSessionCookie(ctx.req, ctx.res, secret, deps.sessionPolicy.absoluteMs);
        ctx.res.status(201).json({ user: toUserView(user), csrf: session.csrf });
      },
    },
    {
      method: 'post',
      path: '/console/api/sign-in',
      permission: 'public',
      surface: 'api',
      handler: async (ctx) => {
        const body = ctx.req.body as Record<string, unknown>;
        const email = requiredString(body, 'email').trim().toLowerCase();
        const password = requiredString(body, 'password');
        const ip = ctx.req.ip ?? 'unknown';
        const found: { user?: UserRecord | null } = {};
        const ok = await guard.check([`ip:${ip}`, `account:${email}`], async () => (found.user = await access.users.authenticate(email, password)) !== null);
        const user = found.user;
        if (!ok || !user) {
          await ctx.audit({ action: 'sign_in', outcome: 'refused', target: email, detail: 'wrong email or password' });
          throw new HttpError(401, 'sign_in_failed', 'wrong email or password');
        }
        const { secret, session } = await access.sessions.create(user._id, clock(), client(ctx.req));
        setSessionCookie(ctx.req, ctx.res, secret, deps.sessionPolicy.absoluteMs);
        await access.audit.record({ actor: { kind: 'user', id: String(user._id), name: user.email }, action: 'sign_in', target: user.email, ip });
        ctx.res.json({ user: toUserView(user), csrf: session.csrf });
      },
    },
    {
      method: 'post',
      path: '/console/api/sign-out',
      permission: 'signed-in',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        if (principal.sessionSecret) await access.sessions.end(principal.sessionSecret);
        clearSessionCookie(ctx.req, ctx.res);
        await ctx.audit({ action: 'sign_out' });
        ctx.res.json({ signedOut: true });
      },
    },
    {
      method: 'post',
      path: '/console/api/sign-out-everywhere',
      permission: 'signed-in',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        if (!principal.user) throw new HttpError(400, 'not_a_user', 'the ADMIN_TOKEN has no sessions');
        const ended = await access.sessions.endAllOf(principal.user._id);
        clearSessionCookie(ctx.req, ctx.res);
        await ctx.audit({ action: 'sign_out_everywhere', detail: `${ended} session(s) ended` });
        ctx.res.json({ ended });
      },
    },
    {
      method: 'get',
      path: '/console/api/me',
      permission: 'signed-in',
      surface: 'api',
      handler: (ctx) => {
        const principal = signedIn(ctx);
        ctx.res.json({
          ...(principal.user ? { user: toUserView(principal.user) } : {}),
          name: principal.name,
          role: principal.role,
          permissions: principal.permissions,
          ...(principal.session ? { csrf: principal.session.csrf, expiresAt: principal.session.expiresAt.toISOString() } : {}),
          teams: deps.teams(),
        });
      },
    },
    {
      method: 'get',
      path: '/console/api/tokens',
      permission: 'signed-in',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        // Admins see everyone's tokens (to revoke a leaver's); others their own.
        const all = principal.permissions.includes('users:manage');
        const rows = await access.tokens.listOf(all ? undefined : principal.user?._id ?? new Types.ObjectId());
        ctx.res.json({
          tokens: rows.map((t) => ({ id: t._id, name: t.name, role: t.role, hint: `${t.hint}…`, userId: String(t.userId), createdAt: t.createdAt, lastUsedAt: t.lastUsedAt ?? null, revokedAt: t.revokedAt ?? null })),
        });
      },
    },
    {
      method: 'post',
      path: '/console/api/tokens',
      permission: 'signed-in',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        if (!principal.user || principal.kind !== 'user') throw new HttpError(403, 'forbidden', 'personal tokens are created by a signed-in person, not by another token');
        const body = ctx.req.body as Record<string, unknown>;
        const name = requiredString(body, 'name').trim().slice(0, 80);
        const role = body.role === undefined ? principal.role : body.role;
        if (!isRole(role)) throw new HttpError(400, 'invalid_role', 'role must be owner, admin, agent or analyst');
        if (lesserRole(role, principal.role) !== role) {
          throw new HttpError(403, 'forbidden', `a token cannot do more than you: your role is ${principal.role}`);
        }
        const { token, record } = await access.tokens.create(principal.user._id, name, role, clock());
        await ctx.audit({ action: 'token.create', target: record._id.slice(0, 12), diff: { name: { from: null, to: name }, role: { from: null, to: role } } });
        ctx.res.status(201).json({ id: record._id, token, name, role, note: 'shown once: store it now' });
      },
    },
    {
      method: 'delete',
      path: '/console/api/tokens/:id',
      permission: 'signed-in',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        const id = String(ctx.req.params.id);
        const token = await access.tokens.get(id);
        const mine = token && principal.user && String(token.userId) === String(principal.user._id);
        if (!token || (!mine && !principal.permissions.includes('users:manage'))) throw new HttpError(404, 'token_not_found', 'no such token');
        await access.tokens.revoke(id, clock());
        await ctx.audit({ action: 'token.revoke', target: id.slice(0, 12), detail: token.name });
        ctx.res.json({ revoked: true });
      },
    },
  ];
}

function client(req: { ip?: string | undefined; headers: Record<string, unknown> }): { ip?: string; userAgent?: string } {
  const ua = req.headers['user-agent'];
  return { ...(req.ip ? { ip: req.ip } : {}), ...(typeof ua === 'string' ? { userAgent: ua } : {}) };
}
