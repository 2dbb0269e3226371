import type { Request, Response } from 'express';
import { parse as parseCookie, serialize as serializeCookie } from 'cookie';
import { safeEqual } from '../../../adapters/crypto';
import type { Access } from '../../access';
import type { ActorKind, SessionRecord, UserRecord } from '../../access/models';
import { lesserRole, ROLE_PERMISSIONS, type Permission, type Role } from '../../access/roles';
import { FailedSignIns, type RateLimits } from '../rate-limits';

export const SESSION_COOKIE = 'sb_session';

/** Who is asking: a signed-in person, a script with a personal token, or the operator's ADMIN_TOKEN. */
export interface Principal {
  kind: Extract<ActorKind, 'user' | 'api_token' | 'admin_token'>;
  /** The console user (absent for ADMIN_TOKEN). */
  user?: UserRecord;
  name: string;
  role: Role;
  permissions: readonly Permission[];
  /** Set for cookie sessions: writes must carry its CSRF token. */
  session?: SessionRecord;
  sessionSecret?: string;
}

/** How agents appear on conversations (assignee ids): console users by id, the ADMIN_TOKEN as the operator. */
export function agentOf(principal: Principal): { id: string; name: string } {
  return principal.user ? { id: `console:${String(principal.user._id)}`, name: principal.user.name } : { id: 'console:admin-token', name: 'Administrator' };
}

export interface AuthenticatorDeps {
  access: Access;
  adminToken?: string | undefined;
  limits: RateLimits;
  clock: () => Date;
}

export class CredentialError extends Error {}

/**
 * Reads the request's credentials: the session cookie, else `Authorization` (Bearer personal token or ADMIN_TOKEN,
 * or Basic with ADMIN_TOKEN as the password, for opening /admin pages in a browser). Wrong bearer credentials count
 * against the client's address (adminAuthFailures) and throw a 429 once spent; an unknown or expired cookie is
 * simply no session.
 */
export class Authenticator {
  private readonly guard: FailedSignIns;

  constructor(private readonly deps: AuthenticatorDeps) {
    this.guard = new FailedSignIns(deps.limits, 'adminAuthFailures', 'failed sign-ins with a token from this address');
  }

  async principal(req: Request): Promise<Principal | undefined> {
    const now = this.deps.clock();
    const secret = parseCookie(req.headers.cookie ?? '')[SESSION_COOKIE];
    if (secret) {
      const session = await this.deps.access.sessions.resolve(secret, now);
      const user = session ? await this.deps.access.users.get(session.userId) : null;
      if (session && user) return { kind: 'user', user, name: user.name, role: user.role, permissions: ROLE_PERMISSIONS[user.role], session, sessionSecret: secret };
    }
    const credential = bearerOrBasic(req);
    if (!credential) return undefined;
    let found: Principal | undefined;
    const ok = await this.guard.check(req.ip ?? 'unknown', async () => {
      found = await this.fromCredential(credential, now);
      return found !== undefined;
    });
    if (!ok) throw new CredentialError('the token is not valid (revoked, mistyped, or not a Switchboard token)');
    return found;
  }

  private async fromCredential(credential: string, now: Date): Promise<Principal | undefined> {
    if (this.deps.adminToken && safeEqual(credential, this.deps.adminToken)) {
      return { kind: 'admin_token', name: 'ADMIN_TOKEN', role: 'owner', permissions: ROLE_PERMISSIONS.owner };
    }
    if (!credential.startsWith('sbt_')) return undefined;
    const token = await this.deps.access.tokens.resolve(credential, now);
    const user = token ? await this.deps.access.users.get(token.userId) : null;
    if (!token || !user) return undefined;
    const role = lesserRole(token.role, user.role);
    return { kind: 'api_token', user, name: `${user.name} (token ${token.name})`, role, permissions: ROLE_PERMISSIONS[role] };
  }
}

function bearerOrBasic(req: Request): string | undefined {
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (bearer) return bearer;
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * The session cookie: HttpOnly (scripts cannot read it), SameSite=Strict (other sites' requests do not carry it),
 * Secure whenever the console is reached over HTTPS (directly or behind a trusted proxy, see TRUST_PROXY).
 */
export function setSessionCookie(req: Request, res: Response, secret: string, maxAgeMs: number): void {
  res.append('set-cookie', serializeCookie(SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: Math.floor(maxAgeMs / 1000) }));
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.append('set-cookie', serializeCookie(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/', maxAge: 0 }));
}
