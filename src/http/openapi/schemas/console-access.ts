import { bool, dateTime, int, list, obj, oneOf, orNull, ref, str, strings, type Schema } from './build';

/** Sign-in, the caller, personal tokens, users and the audit trail (auth-routes.ts, user-routes.ts). */
export const role = oneOf('owner', 'admin', 'agent', 'analyst');

/** src/access/users.ts toUserView. */
export const UserView: Schema = obj({ id: str, email: str, name: str, role, teams: strings, createdAt: dateTime });

export const SignedIn: Schema = obj({ user: ref('UserView'), csrf: str });

export const Me: Schema = obj(
  { user: ref('UserView'), name: str, role, permissions: strings, csrf: str, expiresAt: dateTime, teams: strings },
  // A token or the ADMIN_TOKEN has no user; only a cookie session has a CSRF token and an expiry.
  ['user', 'csrf', 'expiresAt'],
);

const TokenView: Schema = obj({ id: str, name: str, role, hint: str, userId: str, createdAt: dateTime, lastUsedAt: orNull(dateTime), revokedAt: orNull(dateTime) });

export const TokenList: Schema = obj({ tokens: list(TokenView) });
export const TokenCreated: Schema = obj({ id: str, token: str, name: str, role, note: str });

export const AuditView: Schema = obj({
  id: str,
  at: dateTime,
  actor: str,
  action: str,
  outcome: str,
  target: orNull(str),
  ip: orNull(str),
  diff: orNull({ type: 'object' }),
  detail: orNull(str),
});

export const accessResponses = {
  setupNeeded: obj({ needed: bool }),
  signedOut: obj({ signedOut: { const: true } }),
  ended: obj({ ended: int }),
  revoked: obj({ revoked: { const: true } }),
  removed: obj({ removed: { const: true } }),
  users: obj({ users: list(ref('UserView')) }),
  user: obj({ user: ref('UserView') }),
  agents: obj({ agents: list(obj({ id: str, name: str, teams: strings })) }),
  audit: obj({ events: list(AuditView) }),
  tokens: TokenList,
  tokenCreated: TokenCreated,
  /** Desk.consoleAct's answer, for 200 (done) and 409 (not done). */
  actResult: obj({ ok: bool, message: str }),
};

export const accessSchemas = { UserView, SignedIn, Me };
