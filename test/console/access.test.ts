import { createHash } from 'node:crypto';
import { REDACTED } from '../../src/access/audit';
import { testClock } from '../support/clock';
import { consoleUser, signIn } from '../support/console';
import { startTestGateway, type TestGateway } from '../support/gateway';

const json = { 'content-type': 'application/json' };

describe('console access: users, sessions, tokens, throttling, audit', () => {
  const clock = testClock();
  let t: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway('console_access', {
      startWorkers: false,
      clock: clock.now,
      env: { RATE_LIMIT_SIGN_IN_FAILURES: '3/900', CONSOLE_IDLE_MINUTES: '30', CONSOLE_SESSION_HOURS: '8', TRUST_PROXY: 'loopback' },
    });
    // A second gateway process on the same store: sessions live in MongoDB, not in a process.
    second = await startTestGateway('console_access', { startWorkers: false, shareWith: t, clock: clock.now, env: { RATE_LIMIT_SIGN_IN_FAILURES: '3/900', TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await second.stop();
    await t.stop();
  });

  it('creates the first owner once through the setup link; the link is single-use and no default password exists', async () => {
    expect(await t.gateway.access.users.count()).toBe(0);
    const link = await t.gateway.access.tokens.createSetup(clock.now(), 3_600_000);
    const body = { token: link.token, email: 'Owner@Example.test', name: 'Olga', password: 'a long enough password' };
    // A typo is refused before the link is spent: the only link keeps working.
    const typo = await fetch(`${t.url}/console/api/setup`, { method: 'POST', headers: json, body: JSON.stringify({ ...body, password: 'short' }) });
    expect(typo.status).toBe(400);
    const first = await fetch(`${t.url}/console/api/setup`, { method: 'POST', headers: json, body: JSON.stringify(body) });
    expect(first.status).toBe(201);
    expect(first.headers.get('set-cookie')).toMatch(/sb_session=sbs_[^;]+; Max-Age=28800; Path=\/; HttpOnly; SameSite=Strict/);
    const again = await fetch(`${t.url}/console/api/setup`, { method: 'POST', headers: json, body: JSON.stringify({ ...body, email: 'second@example.test' }) });
    expect(again.status).toBe(409);
    const stored = await t.gateway.access.users.byEmail('owner@example.test');
    expect(stored).toMatchObject({ role: 'owner', email: 'owner@example.test' });
    // argon2id, never the password.
    expect(stored!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    expect(JSON.stringify(stored)).not.toContain('a long enough password');
    // The setup token is stored as its sha256 only.
    const rows = await t.gateway.access.models.SetupToken.find({}).lean();
    expect(rows.map((r) => r._id)).toContain(createHash('sha256').update(link.token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(link.token);
  });

  it('throttles failed sign-ins per address and per account: once spent, even the right password waits', async () => {
    const agent = await consoleUser(t, 'agent');
    const attempt = (ip: string, password: string) =>
      fetch(`${t.url}/console/api/sign-in`, { method: 'POST', headers: { ...json, 'x-forwarded-for': ip }, body: JSON.stringify({ email: agent.email, password }) });
    // Per address: three failures are allowed, the fourth attempt waits, whatever the password.
    for (let i = 0; i < 3; i++) expect((await attempt('198.51.100.7', 'not the password')).status).toBe(401);
    const locked = await attempt('198.51.100.7', agent.password!);
    expect(locked.status).toBe(429);
    expect(locked.headers.get('retry-after')).toMatch(/^\d+$/);
    // Per account: the same account from three more addresses is locked too (a botnet spreading its guesses).
    const agent2 = await consoleUser(t, 'agent');
    const other = (ip: string, password: string) =>
      fetch(`${t.url}/console/api/sign-in`, { method: 'POST', headers: { ...json, 'x-forwarded-for': ip }, body: JSON.stringify({ email: agent2.email, password }) });
    for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) expect((await other(ip, 'guess')).status).toBe(401);
    expect((await other('203.0.113.4', agent2.password!)).status).toBe(429);
    // An unknown address is refused the same way as a wrong password (no account discovery).
    const unknown = await fetch(`${t.url}/console/api/sign-in`, { method: 'POST', headers: { ...json, 'x-forwarded-for': '192.0.2.50' }, body: JSON.stringify({ email: 'nobody@example.test', password: 'x' }) });
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { error: { message: string } }).error.message).toBe('wrong email or password');
  });

  it('serves a session from either gateway process, expires it when idle and at its absolute end, and signs out everywhere', async () => {
    const agent = await consoleUser(t, 'agent');
    const me = (url: string, cookie: string) => fetch(`${url}/console/api/me`, { headers: { cookie: `sb_session=${cookie}` } });
    expect((await me(second.url, agent.cookie)).status).toBe(200);
    // Active every 20 minutes: the 30-minute idle limit never hits, the 8-hour absolute one does.
    for (let i = 0; i < 23; i++) {
      clock.advance(20 * 60_000);
      expect((await me(i % 2 ? t.url : second.url, agent.cookie)).status).toBe(200);
    }
    clock.advance(20 * 60_000);
    expect((await me(t.url, agent.cookie)).status).toBe(401);

    const idle = await consoleUser(t, 'analyst');
    clock.advance(31 * 60_000);
    expect((await me(t.url, idle.cookie)).status).toBe(401);

    const owner = await consoleUser(t, 'owner');
    const other = await signIn(second.url, owner.email, owner.password!);
    const out = await owner.call('POST', '/console/api/sign-out-everywhere', {});
    expect(out.status).toBe(200);
    expect((await me(second.url, other.cookie)).status).toBe(401);
    expect((await me(t.url, owner.cookie)).status).toBe(401);
  });

  it('personal API tokens are shown once, stored hashed, scoped no higher than their owner, and revocable', async () => {
    const admin = await consoleUser(t, 'admin');
    const tooHigh = await admin.call('POST', '/console/api/tokens', { name: 'ci', role: 'owner' });
    expect(tooHigh.status).toBe(403);
    const created = (await (await admin.call('POST', '/console/api/tokens', { name: 'reports', role: 'analyst' })).json()) as { id: string; token: string };
    expect(created.token).toMatch(/^sbt_/);
    const stored = await t.gateway.access.models.ApiToken.findById(created.id).lean();
    expect(stored!._id).toBe(createHash('sha256').update(created.token).digest('hex'));
    const asToken = (path: string, init: RequestInit = {}) => fetch(`${t.url}${path}`, { ...init, headers: { authorization: `Bearer ${created.token}`, ...(init.headers ?? {}) } });
    expect((await asToken('/console/api/channels')).status).toBe(200);
    // Scoped to analyst: no user management, no writes; tokens need no CSRF token (they are not ambient).
    expect((await asToken('/console/api/users')).status).toBe(403);
    expect((await asToken('/console/api/channels', { method: 'POST', headers: json, body: '{}' })).status).toBe(403);
    expect((await admin.call('DELETE', `/console/api/tokens/${created.id}`)).status).toBe(200);
    expect((await asToken('/console/api/channels')).status).toBe(401);
  });

  it('records admin acts in the audit log with secrets redacted, and offers no way to change it', async () => {
    const owner = await consoleUser(t, 'owner');
    const add = await owner.call('POST', '/console/api/channels', { id: 'tg-audit', kind: 'telegram', name: 'Telegram', secrets: { botToken: '123456:SECRET-BOT-TOKEN' } });
    expect(add.status).toBe(201);
    const added = (await add.json()) as { channel: { secrets: string[] }; generated: Record<string, string> };
    // Secrets are write-only: names come back, values never (apart from the generated ones, shown once).
    expect(added.channel.secrets).toEqual(['botToken', 'secretToken']);
    expect(JSON.stringify(added.channel)).not.toContain('SECRET-BOT-TOKEN');
    expect((await owner.call('PATCH', '/console/api/channels/tg-audit', { secrets: { botToken: '999:NEW-SECRET' }, enabled: false })).status).toBe(200);
    expect((await owner.call('DELETE', '/console/api/channels/tg-audit')).status).toBe(200);
    const newUser = await owner.call('POST', '/console/api/users', { email: 'new-agent@example.test', role: 'agent', password: 'initial password 1' });
    expect(newUser.status).toBe(201);

    const events = ((await (await owner.call('GET', '/console/api/audit')).json()) as { events: Array<{ action: string; actor: string; target: string | null; ip: string | null; diff: unknown; outcome: string }> }).events;
    const actions = events.map((e) => e.action);
    for (const action of ['channel.create', 'channel.update', 'channel.remove', 'user.create', 'sign_in', 'token.create', 'token.revoke', 'sign_out_everywhere']) expect(actions).toContain(action);
    // The first owner was made by the setup link.
    expect(events.some((e) => e.action === 'user.create' && e.actor === 'setup_link' && e.target === 'owner@example.test')).toBe(true);
    const log = JSON.stringify(events);
    for (const secret of ['SECRET-BOT-TOKEN', 'NEW-SECRET', 'initial password 1', added.generated.secretToken!]) expect(log).not.toContain(secret);
    const update = events.find((e) => e.action === 'channel.update')!;
    expect(update).toMatchObject({ actor: owner.email, target: 'tg-audit', ip: expect.any(String), diff: { secretsReplaced: ['botToken'], enabled: { from: true, to: false } } });
    expect(events.find((e) => e.action === 'user.create' && e.target === 'new-agent@example.test')!.diff).toMatchObject({ password: REDACTED });
    expect(events.some((e) => e.action === 'sign_in' && e.outcome === 'refused')).toBe(true);
    // No route edits or deletes audit entries.
    expect(t.gateway.deps.console.table.filter((r) => r.path.startsWith('/console/api/audit')).map((r) => r.method)).toEqual(['get']);
  });
});

