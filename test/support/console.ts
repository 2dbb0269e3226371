import { randomBytes } from 'node:crypto';
import type { Role } from '../../src/access/roles';
import type { TestGateway } from './gateway';

export interface ConsoleClient {
  cookie: string;
  csrf: string;
  email: string;
  userId: string;
  /** Set for users made by consoleUser(): to sign in again elsewhere. */
  password?: string;
  /** A console API call as the signed-in browser makes it: cookie, CSRF header, JSON. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** A console user of `role` made directly in the store, then signed in through the real sign-in route. */
export async function consoleUser(t: TestGateway, role: Role, options: { teams?: string[]; url?: string } = {}): Promise<ConsoleClient> {
  const email = `${role}-${randomBytes(3).toString('hex')}@example.test`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const user = await t.gateway.access.users.create({ email, name: `${role[0]!.toUpperCase()}${role.slice(1)} ${email.slice(-16, -13)}`, role, password, teams: options.teams ?? [] }, new Date());
  return { ...(await signIn(options.url ?? t.url, email, password, String(user._id))), password };
}

export async function signIn(url: string, email: string, password: string, userId = ''): Promise<ConsoleClient> {
  const res = await fetch(`${url}/console/api/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = /sb_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')![1]!;
  const { csrf } = (await res.json()) as { csrf: string };
  return clientFor(url, cookie, csrf, email, userId);
}

export function clientFor(url: string, cookie: string, csrf: string, email: string, userId: string): ConsoleClient {
  return {
    cookie,
    csrf,
    email,
    userId,
    call: (method, path, body, headers = {}) =>
      fetch(`${url}${path}`, {
        method,
        redirect: 'manual',
        headers: { cookie: `sb_session=${cookie}`, 'x-csrf-token': csrf, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
  };
}
