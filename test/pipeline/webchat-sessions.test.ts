import { startTestGateway, type TestGateway } from '../support/gateway';

describe('web chat sessions', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway('sessions');
  });
  afterAll(() => t.stop());

  const create = (body: unknown, channel = t.webchat.channelId) =>
    fetch(`${t.url}/webchat/${channel}/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://shop.example' },
      body: JSON.stringify(body),
    });

  it('issues a token, keeps a returning visitor, and replaces a forged token', async () => {
    const res = await create({});
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const first = await res.json();
    expect(first).toEqual({ visitorId: expect.stringMatching(/^[0-9a-f-]{36}$/), token: expect.stringMatching(/^v1\./) });

    expect(await (await create({ token: first.token })).json()).toEqual(first);
    const forged = await (await create({ token: first.token.replace(/.$/, (c: string) => (c === 'a' ? 'b' : 'a')) })).json();
    expect(forged.visitorId).not.toBe(first.visitorId);
  });

  it('answers the CORS preflight of a cross-origin embed', async () => {
    const res = await fetch(`${t.url}/webchat/${t.webchat.channelId}/sessions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toMatch(/content-type/i);
  });

  it('rejects unknown channels and malformed bodies with a JSON error', async () => {
    const unknown = await create({}, 'nope');
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('unknown_channel');
    const malformed = await fetch(`${t.url}/webchat/${t.webchat.channelId}/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{oops' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('malformed_json');
  });

  it('serves the widget and the demo page', async () => {
    const widget = await fetch(`${t.url}/widget.js`);
    expect(widget.status).toBe(200);
    expect(widget.headers.get('content-type')).toMatch(/javascript/);
    const page = await (await fetch(`${t.url}/`)).text();
    expect(page).toContain('widget.js');
  });
});
