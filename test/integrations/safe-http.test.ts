import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { createSafeAgent, isPublicAddress, OutboundBlocked, safeFetch, type OutboundPolicy } from '../../src/integrations/safe-http';

/** A company system on loopback: answers by path, records the headers each request came with. */
async function peer(routes: Record<string, (reply: (status: number, headers?: Record<string, string>, body?: string) => void) => void>) {
  const seen: Array<{ path: string; method: string; headers: IncomingHttpHeaders }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ path: req.url ?? '', method: req.method ?? '', headers: req.headers });
    const route = routes[req.url ?? ''];
    if (!route) return void res.writeHead(404).end();
    route((status, headers = {}, body = '') => res.writeHead(status, headers).end(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return { port, seen, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** Names the tests resolve themselves (the machine has no public DNS): a rebinding-style name and an allowed one. */
const names: Record<string, string> = { 'shop.example': '127.0.0.1', 'orders.example': '127.0.0.1', 'metadata.example': '169.254.169.254' };
const lookup = ((host: string, _options: unknown, callback: (err: Error | null, addresses: LookupAddress[]) => void) => {
  const address = names[host];
  if (!address) return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
  callback(null, [{ address, family: 4 }]);
}) as unknown as OutboundPolicy['lookup'];

describe('safe outbound HTTP', () => {
  let a: Awaited<ReturnType<typeof peer>>;
  let b: Awaited<ReturnType<typeof peer>>;
  let policy: OutboundPolicy;
  let agent: ReturnType<typeof createSafeAgent>;

  beforeAll(async () => {
    b = await peer({ '/landing': (reply) => reply(200, { 'content-type': 'application/json' }, '{"ok":true}') });
    a = await peer({
      '/ok': (reply) => reply(200, { 'content-type': 'application/json' }, '{"status":"shipped"}'),
      '/to-private': (reply) => reply(302, { location: `https://127.0.0.2:${a.port}/ok` }),
      '/to-plain-http': (reply) => reply(302, { location: 'http://example.com/ok' }),
      '/to-metadata': (reply) => reply(302, { location: 'http://169.254.169.254/latest/meta-data' }),
      '/to-other-origin': (reply) => reply(307, { location: `http://orders.example:${b.port}/landing` }),
      '/same-origin': (reply) => reply(301, { location: '/ok' }),
      '/loop': (reply) => reply(302, { location: '/loop' }),
      '/big': (reply) => reply(200, { 'content-type': 'application/json' }, 'x'.repeat(5_000)),
      '/big-chunked': (reply) => reply(200, { 'transfer-encoding': 'chunked' }, 'y'.repeat(5_000)),
      '/post-redirect': (reply) => reply(303, { location: '/ok' }),
    });
    // The peers are on loopback, so the tests allow-list them by name, as an admin would an internal system.
    policy = { allowHosts: ['127.0.0.1', 'orders.example'], selfOrigins: ['https://support.example.com', 'http://127.0.0.1:9'], timeoutMs: 2_000, maxBytes: 4_096, lookup };
    agent = createSafeAgent(policy);
  });
  afterAll(async () => {
    await agent.close();
    await a.stop();
    await b.stop();
  });

  const get = (url: string, headers: Record<string, string> = {}) => safeFetch(url, { headers }, policy, agent);
  const refusal = async (url: string) => {
    const err = await get(url).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutboundBlocked);
    return err as OutboundBlocked;
  };

  it('reaches an allow-listed host and reads its answer', async () => {
    const res = await get(`http://127.0.0.1:${a.port}/ok`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString())).toEqual({ status: 'shipped' });
  });

  it.each([
    ['loopback by another address', (p: number) => `http://127.0.0.2:${p}/ok`],
    ['loopback in short form (127.2)', (p: number) => `https://127.2:${p}/ok`],
    ['loopback in octal (0177.0.0.2)', (p: number) => `https://0177.0.0.2:${p}/ok`],
    ['loopback as a decimal integer (2130706434)', (p: number) => `https://2130706434:${p}/ok`],
    ['IPv6 loopback', (p: number) => `http://[::1]:${p}/ok`],
    ['IPv4-mapped IPv6 loopback', (p: number) => `http://[::ffff:127.0.0.1]:${p}/ok`],
    ['IPv4-mapped IPv6 loopback in hex', (p: number) => `http://[::ffff:7f00:1]:${p}/ok`],
    ['the unspecified address', (p: number) => `http://0.0.0.0:${p}/ok`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data'],
    ['a private address', () => 'https://10.0.0.1/orders'],
    ['a unique-local IPv6 address', () => 'https://[fd00::1]/orders'],
    ['carrier-grade NAT', () => 'https://100.64.0.1/orders'],
    ['NAT64 of a private address', () => 'https://[64:ff9b::a00:1]/orders'],
  ])('refuses %s', async (_what, url) => {
    expect((await refusal(url(a.port))).reason).toMatch(/^(address|scheme)$/);
  });

  it('refuses a name that resolves to a private address (a rebinding name), over https too', async () => {
    const err = await refusal(`https://shop.example:${a.port}/ok`);
    expect(err).toMatchObject({ reason: 'address', message: expect.stringContaining('shop.example resolves to 127.0.0.1') });
    expect((await refusal('https://metadata.example/latest/meta-data')).reason).toBe('address');
    expect(a.seen.some((r) => r.path === '/ok' && r.headers.host?.startsWith('shop.example'))).toBe(false);
  });

  it('refuses plain http to a host nobody allow-listed, credentials in the URL, and the gateway itself', async () => {
    expect((await refusal('http://example.com/orders')).reason).toBe('scheme');
    expect((await refusal(`http://user:secret@127.0.0.1:${a.port}/ok`)).reason).toBe('userinfo');
    expect((await refusal('https://support.example.com/console/api/me')).reason).toBe('self');
    expect((await refusal('http://127.0.0.1:9/health')).reason).toBe('self');
    expect((await refusal('not a url')).reason).toBe('bad_url');
  });

  it('checks every redirect hop: to a private address, to the metadata address, and a loop', async () => {
    expect((await refusal(`http://127.0.0.1:${a.port}/to-private`)).reason).toBe('address');
    expect((await refusal(`http://127.0.0.1:${a.port}/to-plain-http`)).reason).toBe('scheme');
    expect((await refusal(`http://127.0.0.1:${a.port}/to-metadata`)).reason).toMatch(/^(address|scheme)$/);
    expect((await refusal(`http://127.0.0.1:${a.port}/loop`)).reason).toBe('redirects');
    expect((await get(`http://127.0.0.1:${a.port}/same-origin`)).status).toBe(200);
  });

  it('keeps credentials on the origin they were meant for', async () => {
    const res = await get(`http://127.0.0.1:${a.port}/to-other-origin`, { authorization: 'Bearer shop-token', 'x-trace': 'kept' });
    expect(res.status).toBe(200);
    expect(res.url).toBe(`http://orders.example:${b.port}/landing`);
    const landed = b.seen.find((r) => r.path === '/landing')!;
    expect(landed.headers.authorization).toBeUndefined();
    expect(landed.headers['x-trace']).toBe('kept');
    expect(a.seen.find((r) => r.path === '/to-other-origin')!.headers.authorization).toBe('Bearer shop-token');
  });

  it('turns a POST answered with 303 into a GET without a body', async () => {
    const res = await safeFetch(`http://127.0.0.1:${a.port}/post-redirect`, { method: 'POST', body: '{"q":1}', headers: { 'content-type': 'application/json' } }, policy, agent);
    expect(res.status).toBe(200);
    expect(a.seen.filter((r) => r.path === '/ok').at(-1)!.method).toBe('GET');
  });

  it('refuses answers over the byte limit, declared or streamed', async () => {
    expect((await refusal(`http://127.0.0.1:${a.port}/big`)).reason).toBe('too_large');
    expect((await refusal(`http://127.0.0.1:${a.port}/big-chunked`)).reason).toBe('too_large');
  });

  it('classifies addresses as public unicast or not', () => {
    expect(['8.8.8.8', '2606:4700:4700::1111', '93.184.216.34'].map(isPublicAddress)).toEqual([true, true, true]);
    expect(['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '198.18.0.1', '::1', 'fe80::1', 'fd12::1', '::ffff:10.0.0.1', '2002:7f00:1::1', 'not-an-ip'].map(isPublicAddress)).toEqual(
      Array(13).fill(false),
    );
  });
});
