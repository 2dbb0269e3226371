import { issueVisitorToken } from '../../adapters/webchat/token';
import { RATE_LIMIT_COLLECTION } from '../../src/http/rate-limits';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { Visitor } from '../support/webchat-visitor';

const HOUR = 3600;
const ADMIN_TOKEN = 'admin-token-for-limits-0123456789';

/**
 * Small limits over long windows: the refusals come from counting, never from waiting, and `Retry-After` is within
 * the window. Client addresses are told apart by X-Forwarded-For, trusted from loopback (TRUST_PROXY) here.
 */
const LIMITS = {
  TRUST_PROXY: 'loopback',
  ADMIN_TOKEN,
  RATE_LIMIT_API: `3/${HOUR}`,
  RATE_LIMIT_ADMIN: `6/${HOUR}`,
  RATE_LIMIT_ADMIN_AUTH_FAILURES: `3/${HOUR}`,
  RATE_LIMIT_WEBCHAT_SESSIONS: `2/${HOUR}`,
  RATE_LIMIT_WEBCHAT_MESSAGES: `2/${HOUR}`,
  RATE_LIMIT_WEBCHAT_MESSAGES_PER_IP: `4/${HOUR}`,
};

async function expectRateLimited(res: Response): Promise<number> {
  expect(res.status).toBe(429);
  expect((await res.json()).error.code).toBe('rate_limited');
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(HOUR);
  return retryAfter;
}

describe('rate limits (shared by gateway processes through the store)', () => {
  let one: TestGateway;
  let two: TestGateway;

  beforeAll(async () => {
    one = await startTestGateway('rate_limits', { startWorkers: false, env: LIMITS });
    // A second process on the same store, without TRUST_PROXY: it sees every client as 127.0.0.1.
    const { TRUST_PROXY: _trusted, ...untrusting } = LIMITS;
    two = await startTestGateway('rate_limits', { startWorkers: false, shareWith: one, env: untrusting });
  });
  afterAll(async () => {
    await two.stop();
    await one.stop();
  });

  const session = (t: TestGateway, ip?: string) =>
    fetch(`${t.url}/webchat/${t.webchat.channelId}/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', ...(ip ? { 'x-forwarded-for': ip } : {}) }, body: '{}' });
  const admin = (ip: string, token: string) =>
    fetch(`${one.url}/admin/channels/none/whatsapp-web?format=json`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': ip } });

  it('the HTTP API answers 429 with Retry-After and rate_limited past the per-key limit, counted across processes', async () => {
    const body = (i: number) => ({ id: `rl-${i}`, contact: { id: 'rl-contact' }, text: `message ${i}` });
    expect((await postMessage(one, body(1))).status).toBe(202);
    expect((await postMessage(two, body(2))).status).toBe(202);
    expect((await postMessage(one, body(3))).status).toBe(202);
    await expectRateLimited(await postMessage(two, body(4)));
    await expectRateLimited(await postMessage(one, body(5)));
    // Refused requests store nothing.
    expect(await one.gateway.store.models.Message.countDocuments({ externalId: { $in: ['rl-4', 'rl-5'] } })).toBe(0);
    // A bad key is a 401, not counted against the real key's channel.
    expect((await postMessage(one, body(6), { key: 'sk_wrong' })).status).toBe(401);
  });

  it('web chat sessions are limited per client IP; X-Forwarded-For counts only from a trusted proxy', async () => {
    expect((await session(one, '203.0.113.1')).status).toBe(200);
    expect((await session(one, '203.0.113.1')).status).toBe(200);
    await expectRateLimited(await session(one, '203.0.113.1'));
    expect((await session(one, '203.0.113.2')).status).toBe(200);
    // The untrusting process ignores the header: all its clients are 127.0.0.1, however they claim otherwise.
    expect((await session(two, '198.51.100.1')).status).toBe(200);
    expect((await session(two, '198.51.100.2')).status).toBe(200);
    await expectRateLimited(await session(two, '198.51.100.3'));
  });

  it('an expired window is replaced by the limiter itself (the stand-in runs no TTL index)', async () => {
    const windows = one.connection.collection(RATE_LIMIT_COLLECTION);
    await windows.insertOne({ key: 'webchatSessions:203.0.113.9', points: 99, expire: new Date(Date.now() - 1_000) });
    expect((await session(one, '203.0.113.9')).status).toBe(200);
    const row = await windows.findOne({ key: 'webchatSessions:203.0.113.9' });
    expect(row!.points).toBe(1);
    expect(row!.expire.getTime()).toBeGreaterThan(Date.now());
  });

  it('web chat messages are limited per visitor and per IP, answered with a rate_limited frame naming the wait', async () => {
    const connect = async (ip: string) =>
      (await Visitor.connect(one, issueVisitorToken(one.webchat.tokenSecret).token, { headers: { 'x-forwarded-for': ip } })).visitor!;
    const a = await connect('192.0.2.10');
    const b = await connect('192.0.2.10');
    const c = await connect('192.0.2.20');
    try {
      expect((await a.send({ type: 'message', id: 'a1', text: 'one' })).type).toBe('ack');
      expect((await a.send({ type: 'message', id: 'a2', text: 'two' })).type).toBe('ack');
      const refused = await a.send({ type: 'message', id: 'a3', text: 'three' });
      expect(refused).toMatchObject({ type: 'error', code: 'rate_limited', id: 'a3' });
      expect(refused.retryAfter).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfter).toBeLessThanOrEqual(HOUR);
      // Same address, another visitor: the address has one message left (four per hour, three counted).
      expect((await b.send({ type: 'message', id: 'b1', text: 'one' })).type).toBe('ack');
      expect(await b.send({ type: 'message', id: 'b2', text: 'two' })).toMatchObject({ type: 'error', code: 'rate_limited', id: 'b2' });
      // Another address is not affected.
      expect((await c.send({ type: 'message', id: 'c1', text: 'one' })).type).toBe('ack');
      const stored = await one.gateway.store.models.Message.countDocuments({ channelId: one.webchat.channelId, direction: 'inbound' });
      expect(stored).toBe(4);
    } finally {
      a.close();
      b.close();
      c.close();
    }
  });

  it('admin: failed sign-ins per IP lock the address out (even the right token waits); other addresses are unaffected', async () => {
    for (let i = 0; i < 3; i++) expect((await admin('203.0.113.30', 'wrong-token-guess-000000')).status).toBe(401);
    await expectRateLimited(await admin('203.0.113.30', 'wrong-token-guess-000000'));
    await expectRateLimited(await admin('203.0.113.30', ADMIN_TOKEN));
    // Signed in from elsewhere: past the guard (the channel does not exist).
    const res = await admin('203.0.113.31', ADMIN_TOKEN);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('channel_not_found');
  });

  it('admin: every request counts against the per-IP limit, signed in or not', async () => {
    for (let i = 0; i < 6; i++) expect((await admin('203.0.113.40', ADMIN_TOKEN)).status).toBe(404);
    await expectRateLimited(await admin('203.0.113.40', ADMIN_TOKEN));
  });

  it('platform webhooks are not throttled', async () => {
    // Far past every limit above, from one address: a webhook for an unknown channel still gets its 404 answer.
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${one.url}/webhooks/nope`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.1' }, body: '{}' });
      expect(res.status).toBe(404);
    }
  });
});
