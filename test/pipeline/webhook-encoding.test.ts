// A correctly signed webhook whose bytes are not UTF-8 is refused (400) and stores nothing; valid multi-byte text
// (umlauts, emoji, CJK) still goes through. Found by test/security/probe.test.ts (before, such bodies were stored).
import { createHmac, randomBytes } from 'node:crypto';
import { startTestGateway, type TestGateway } from '../support/gateway';

let t: TestGateway;
const secret = randomBytes(16).toString('hex');

beforeAll(async () => {
  t = await startTestGateway('webhook_encoding');
  await t.gateway.store.channels.ensure({ id: 'slack-enc', kind: 'slack', name: 'Slack', settings: { slackApiUrl: 'http://127.0.0.1:9' }, secrets: { signingSecret: secret, botToken: 'xoxb-x' } });
});
afterAll(() => t.stop());

function dm(id: string, text: Buffer): Buffer {
  const now = Math.floor(Date.now() / 1000);
  const [before, after] = JSON.stringify({
    type: 'event_callback',
    team_id: 'T1',
    event_id: `Ev-${id}`,
    event: { type: 'message', channel: `D-${id}`, channel_type: 'im', user: `U${id}`, text: 'TEXT', ts: `${now}.000001`, event_ts: `${now}.000001` },
  }).split('TEXT');
  return Buffer.concat([Buffer.from(before!), text, Buffer.from(after!)]);
}

async function post(body: Buffer): Promise<{ status: number; body: Record<string, unknown> }> {
  const ts = String(Math.floor(Date.now() / 1000));
  const res = await fetch(`${t.url}/webhooks/slack-enc`, {
    method: 'POST',
    // Slack's v0 signature over the exact bytes: the signature is right, only the encoding is not.
    headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:`).update(body).digest('hex')}` },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// Inbound only: the gateway's workers run, and the bot's answer is a message too.
const messages = () => t.connection.db!.collection('messages').countDocuments({ direction: 'inbound' });

it('refuses signed bytes that are not UTF-8 and stores nothing', async () => {
  for (const [i, bytes] of [[0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80]].entries()) {
    const res = await post(dm(`bad${i}`, Buffer.from([0x68, 0x69, ...bytes])));
    expect(res).toEqual({ status: 400, body: { error: { code: 'invalid_encoding', message: 'body is not valid UTF-8' } } });
  }
  expect(await messages()).toBe(0);
  expect(await t.connection.db!.collection('contacts').countDocuments()).toBe(0);
});

it('still takes valid multi-byte UTF-8', async () => {
  const before = await messages();
  const res = await post(dm('good', Buffer.from('Grüße 👋 你好', 'utf8')));
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ stored: 1 });
  expect(await messages()).toBe(before + 1);
});
