import { isUtf8 } from 'node:buffer';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import escapeHtml from 'escape-html';
import type { Access } from '../../access';
import type { AuditEntry } from '../../access/audit';
import type { Permission } from '../../access/roles';
import { HttpError } from '../errors';
import { CredentialError, type Authenticator, type Principal } from './principal';

/** What a route requires: a permission (src/access/roles.ts), any signed-in caller, or nothing (sign-in, assets). */
export type RouteGuard = Permission | 'signed-in' | 'public';

/**
 * How a refusal looks: a console page sends the browser to sign-in, the console API answers JSON, an /admin page
 * asks for Basic credentials (the ADMIN_TOKEN as password) as it always has.
 */
export type Surface = 'page' | 'api' | 'admin';

export interface RouteContext {
  req: Request;
  res: Response;
  /** Always set unless the route is public (then set when the caller happens to be signed in). */
  principal: Principal | undefined;
  /** Records an administrative act with this caller as the actor. */
  audit(entry: Omit<AuditEntry, 'actor' | 'ip'>): Promise<void>;
}

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  permission: RouteGuard;
  surface: Surface;
  /** Body parser; JSON by default for writes. `raw` takes the bytes as they are (uploads), up to `limitBytes`. */
  body?: 'json' | 'raw';
  limitBytes?: number;
  handler(ctx: RouteContext): Promise<void> | void;
}

const UNSAFE = new Set(['post', 'put', 'patch', 'delete']);

/** Narrows `ctx.principal` for routes that are not public. */
export function signedIn(ctx: RouteContext): Principal {
  if (!ctx.principal) throw new HttpError(401, 'unauthorized', 'sign in first');
  return ctx.principal;
}

/**
 * Mounts every console, console API and admin route from one table. This is the only place such routes are
 * registered (test/console/route-table.test.ts checks the source for others, and walks the table asking each route
 * anonymously and with too small a role), so a route without a declared permission cannot be added by accident.
 */
export function mountRoutes(router: Router, specs: RouteSpec[], deps: { authenticator: Authenticator; access: Access; maxJsonBytes: number }): void {
  for (const spec of specs) {
    const parsers: RequestHandler[] = [];
    if (UNSAFE.has(spec.method)) {
      parsers.push(
        spec.body === 'raw'
          ? express.raw({ type: () => true, limit: spec.limitBytes ?? deps.maxJsonBytes })
          : express.json({ limit: spec.limitBytes ?? deps.maxJsonBytes, type: () => true, verify: refuseInvalidUtf8 }),
      );
    }
    // Who is asking and whether they may, before the body is even read: a refused caller costs no parsing.
    const guard: RequestHandler = (req, res, next) => {
      authorize(spec, req, res, deps).then((allowed) => (allowed ? next() : undefined), next);
    };
    router[spec.method](spec.path, guard, requestShape(spec), ...parsers, inputShape(spec), (req, res, next) => {
      handle(spec, req, res, deps).catch(next);
    });
  }
}

/** The JSON parser would replace bad bytes with U+FFFD and carry on; we say the body is wrong instead. */
function refuseInvalidUtf8(_req: unknown, _res: unknown, bytes: Buffer): void {
  if (!isUtf8(bytes)) throw new HttpError(400, 'invalid_encoding', 'body is not valid UTF-8');
}

/**
 * Writes must say they are JSON (or, for uploads, carry an X-Filename): a cross-site HTML form can send neither,
 * so a signed-in browser cannot be made to post by another site even before the CSRF token is checked.
 */
function requestShape(spec: RouteSpec): RequestHandler {
  return (req, _res, next) => {
    if (!UNSAFE.has(spec.method) || spec.surface === 'admin') return next();
    if (spec.body === 'raw') {
      if (!req.headers['x-filename']) return next(new HttpError(400, 'filename_required', 'send the file name in an X-Filename header'));
      return next();
    }
    if (Number(req.headers['content-length'] ?? 0) > 0 && !req.is('application/json')) {
      return next(new HttpError(415, 'json_required', 'send the body as application/json'));
    }
    next();
  };
}

/**
 * What every handler may assume, checked once here: a JSON body is an object (not an array, string or null), and
 * each query parameter is given once, as text. The query parser turns `?view[$ne]=x` into an object and a repeated
 * `?view=a&view=b` into an array; a handler reading `typeof q.view === 'string'` would silently fall back to its
 * default instead of saying the request is wrong.
 */
function inputShape(spec: RouteSpec): RequestHandler {
  return (req, _res, next) => {
    if (spec.surface !== 'page') {
      for (const [name, value] of Object.entries(req.query)) {
        if (typeof value !== 'string') return next(new HttpError(400, 'invalid_query', `query parameter "${name.slice(0, 40)}" must be given once, as text`));
      }
    }
    if (UNSAFE.has(spec.method) && spec.body !== 'raw' && spec.surface === 'api') {
      const body: unknown = req.body;
      const empty = body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0);
      if (!empty && (typeof body !== 'object' || body === null || Array.isArray(body))) {
        return next(new HttpError(400, 'invalid_body', 'send a JSON object'));
      }
    }
    next();
  };
}

/** Resolves the caller into `res.locals.principal`; false when the response (a redirect, a 403 page) is already sent. */
async function authorize(spec: RouteSpec, req: Request, res: Response, deps: { authenticator: Authenticator }): Promise<boolean> {
  let principal: Principal | undefined;
  try {
    principal = await deps.authenticator.principal(req);
  } catch (err) {
    if (!(err instanceof CredentialError)) throw err;
    if (spec.permission !== 'public') {
      if (spec.surface === 'admin') res.set('www-authenticate', 'Basic realm="Switchboard admin", charset="UTF-8"');
      throw new HttpError(401, 'unauthorized', err.message);
    }
  }
  res.locals.principal = principal;
  if (spec.permission === 'public') return true;
  if (!principal) {
    refuseAnonymous(spec, req, res);
    return false;
  }
  if (spec.permission !== 'signed-in' && !principal.permissions.includes(spec.permission)) {
    refuseRole(spec, res, principal);
    return false;
  }
  if (UNSAFE.has(spec.method) && principal.session) checkCsrf(req, principal);
  return true;
}

async function handle(spec: RouteSpec, req: Request, res: Response, deps: { access: Access }): Promise<void> {
  const principal = res.locals.principal as Principal | undefined;
  res.set('cache-control', 'no-store');
  const ctx: RouteContext = {
    req,
    res,
    principal,
    audit: (entry) =>
      deps.access.audit.record({
        ...entry,
        actor: principal
          ? { kind: principal.kind, ...(principal.user ? { id: String(principal.user._id) } : {}), name: principal.user?.email ?? principal.name }
          : { kind: 'anonymous' },
        ip: req.ip ?? 'unknown',
      }),
  };
  await spec.handler(ctx);
}

function checkCsrf(req: Request, principal: Principal): void {
  const given = req.headers['x-csrf-token'];
  if (typeof given !== 'string' || given !== principal.session!.csrf) {
    throw new HttpError(403, 'csrf_failed', 'missing or wrong X-CSRF-Token: reload the console and try again');
  }
}

function refuseAnonymous(spec: RouteSpec, req: Request, res: Response): void {
  if (spec.surface === 'page') {
    res.redirect(302, `/console/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
    return;
  }
  if (spec.surface === 'admin') res.set('www-authenticate', 'Basic realm="Switchboard admin", charset="UTF-8"');
  throw new HttpError(401, 'unauthorized', spec.surface === 'admin' ? 'sign in to the console, or send the ADMIN_TOKEN (Bearer, or Basic with it as the password)' : 'sign in first');
}

function refuseRole(spec: RouteSpec, res: Response, principal: Principal): void {
  const message = `your role (${principal.role}) does not allow this: it needs ${spec.permission}`;
  if (spec.surface === 'page') {
    res.status(403).type('html').send(`<!doctype html><meta charset="utf-8"><title>No access</title><body style="font-family:system-ui;margin:3rem">
<h1>No access</h1><p>${escapeHtml(message)}.</p><p><a href="/console/inbox">Back to the inbox</a></p></body>`);
    return;
  }
  throw new HttpError(403, 'forbidden', message);
}
