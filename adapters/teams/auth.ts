import { authorizeJWT, type AuthConfiguration, type Request as AgentsRequest, type WebResponse } from '@microsoft/agents-hosting';
import { AdapterError, type RawRequest } from '../types';
import { decodeActivityBody } from './activity';

type Claims = NonNullable<AgentsRequest['user']>;

/**
 * Checks the Bot Framework bearer token with the SDK's own validator (`authorizeJWT`, reached through its
 * framework-neutral Request/WebResponse interfaces, so we keep our route and persist before the 200):
 * RS256 signature against the issuer's JWKS (Bot Framework's for `api.botframework.com`, else the authority's
 * `/discovery/v2.0/keys`), `aud` = our app id, expiry with Bot Framework's 5-minute clock tolerance (system clock),
 * the issuer allow-list and the tenant binding. We add what the SDK leaves to the host: the token's `serviceurl`
 * claim must name the activity's serviceUrl, or a token minted for one tenant could steer our replies elsewhere.
 */
export function createTeamsVerifier(authConfig: AuthConfiguration): (req: RawRequest) => Promise<void> {
  const authorize = authorizeJWT(authConfig);
  return async (req) => {
    if (req.method !== 'POST') throw new AdapterError('bad_request', 'Bot Framework activities are POSTed', { channel: 'teams' });
    const authorization = req.headers.authorization;
    // Checked before the SDK sees it: with an empty clientId it would let a missing header through as anonymous.
    if (!authorization?.trim()) throw reject('missing Authorization bearer token');
    const claims = await validate(authorize, authorization);
    const activity = decodeActivityBody(req);
    if (!activity) throw new AdapterError('bad_request', 'body is not a JSON activity', { channel: 'teams' });
    const claimed = claims.serviceurl ?? claims.serviceUrl;
    if (typeof claimed === 'string' && normalizeUrl(claimed) !== normalizeUrl(String(activity.serviceUrl ?? ''))) {
      throw reject('token serviceurl does not match the activity serviceUrl');
    }
  };
}

/** Auth off: only the body must be an activity (malformed JSON is a 400, not an acknowledged no-op). */
export function verifyUnsigned(req: RawRequest): void {
  if (req.method !== 'POST') throw new AdapterError('bad_request', 'Bot Framework activities are POSTed', { channel: 'teams' });
  if (!decodeActivityBody(req)) throw new AdapterError('bad_request', 'body is not a JSON activity', { channel: 'teams' });
}

async function validate(authorize: ReturnType<typeof authorizeJWT>, authorization: string): Promise<Claims> {
  const req: AgentsRequest = { method: 'POST', headers: { authorization } };
  const res = new CapturedResponse();
  let passed = false;
  await authorize(req, res, (err?: unknown) => {
    passed = err === undefined;
  });
  if (!passed || !req.user) {
    const detail = (res.body as Record<string, unknown> | undefined)?.['jwt-auth-error'];
    throw reject(`Bot Framework token rejected${typeof detail === 'string' ? `: ${detail}` : ''}`);
  }
  return req.user;
}

function reject(message: string): AdapterError {
  return new AdapterError('bad_signature', message, { channel: 'teams' });
}

function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, '').toLowerCase();
}

/** Collects what the middleware would have answered (401 and its reason); nothing is written anywhere. */
class CapturedResponse implements WebResponse {
  statusCode = 200;
  body: unknown;
  headersSent = false;
  writableEnded = false;

  status(code: number): this {
    this.statusCode = code;
    return this;
  }

  setHeader(_name: string, _value: string): this {
    return this;
  }

  send(body?: unknown): this {
    this.body = body;
    this.headersSent = true;
    this.writableEnded = true;
    return this;
  }

  end(): this {
    this.writableEnded = true;
    return this;
  }
}
