import { createHmac } from 'node:crypto';
import { CallbackPeer } from '../support/callback-peer';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

describe('HTTP API channel', () => {
  let peer: CallbackPeer;
  let t: TestGateway;

  beforeAll(async () => {
    peer = await new CallbackPeer().start();
    t = await startTestGateway('api', { callbackUrl: peer.url });
  });
  afterAll(async () => {
    await t.stop();
    await peer.stop();
  });

  it('accepts a message with 202 and POSTs a signed, cited answer to the callback', async () => {
    const res = await postMessage(t, { id: 'q-1', contact: { id: 'cust-1', name: 'Ada' }, text: 'How do I start a return?' });
    expect(res.status).toBe(202);
    const accepted = await res.json();
    expect(accepted).toEqual({ conversationId: expect.any(String), messageId: expect.any(String), duplicate: false });

    const [callback] = await peer.waitForDelivered(1);
    // The signature is recomputed here from the raw bytes, independently of the gateway's code.
    const header = String(callback!.headers['x-switchboard-signature']);
    const { t: ts, v1 } = Object.fromEntries(header.split(',').map((kv) => kv.split('='))) as { t: string; v1: string };
    expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(60);
    expect(v1).toBe(createHmac('sha256', t.api.signingSecret).update(`${ts}.${callback!.body}`).digest('hex'));

    expect(callback!.json).toMatchObject({
      type: 'message',
      conversationId: accepted.conversationId,
      contact: { id: 'cust-1' },
      message: { author: { kind: 'bot' }, format: 'markdown' },
    });
    expect(callback!.json.message.text).toMatch(/return/i);
    expect(callback!.json.message.citations[0].title).toMatch(/Returns/);

    await until(t, async () => (await t.gateway.store.messages.get(accepted.messageId))?.processing?.state === 'done');
    await until(t, async () => (await t.gateway.store.models.Message.findOne({ replyTo: accepted.messageId }).lean())?.delivery?.status === 'delivered');
    const history = await fetch(`${t.url}/api/v1/conversations/${accepted.conversationId}/messages`, {
      headers: { authorization: `Bearer ${t.api.key}` },
    }).then((r) => r.json());
    expect(history.messages.map((m: { direction: string }) => m.direction)).toEqual(['inbound', 'outbound']);
    expect(history.messages[1].delivery.status).toBe('delivered');
    expect(history.messages[1].citations.length).toBeGreaterThan(0);
  });

  it('stores a redelivered message once and answers it once', async () => {
    const before = peer.delivered().length;
    const body = { id: 'dup-1', contact: { id: 'cust-dup' }, text: 'Which payment methods do you accept?' };
    const [first, second] = await Promise.all([postMessage(t, body), postMessage(t, body)]);
    const third = await postMessage(t, body);
    const results = await Promise.all([first.json(), second.json(), third.json()]);
    expect([first.status, second.status, third.status]).toEqual([202, 202, 202]);
    expect(new Set(results.map((r) => r.messageId)).size).toBe(1);
    expect(results.filter((r) => r.duplicate).length).toBe(2);

    await peer.waitForDelivered(before + 1);
    // A later message on the same conversation proves the queue drained past the duplicate without a second reply.
    await postMessage(t, { id: 'dup-2', contact: { id: 'cust-dup' }, text: 'thanks' });
    const delivered = await peer.waitForDelivered(before + 2);
    const forContact = delivered.filter((c) => c.json.contact.id === 'cust-dup');
    expect(forContact).toHaveLength(2);
    const stored = await t.gateway.store.models.Message.countDocuments({ channelId: t.api.channelId, dedupeKey: `${t.api.channelId}:dup-1` });
    expect(stored).toBe(1);
    const replies = await t.gateway.store.models.Message.countDocuments({ replyTo: results[0].messageId });
    expect(replies).toBe(1);
  });

  it('turns a tapped choice into an action the brain understands', async () => {
    const res = await postMessage(t, { id: 'c-1', contact: { id: 'cust-choice' }, choice: { id: 'handoff', title: 'Talk to a person' } });
    expect(res.status).toBe(202);
    const { conversationId } = await res.json();
    const conversation = await until(t, async () => {
      const conv = await t.gateway.store.conversations.get(conversationId);
      return conv?.status === 'pending' && conv;
    });
    expect(conversation.escalationReason).toBe('customer_request');
  });

  it('takes a typed number as the numbered choice it stands for, and stores the rating on the answer', async () => {
    const first = await (await postMessage(t, { id: 'n-1', contact: { id: 'numbered' }, text: 'How do I return an item?' })).json();
    const answered = await until(t, async () => (await t.gateway.store.messages.get(first.messageId))?.processing?.state === 'done' && (await t.gateway.store.conversations.get(first.conversationId)));
    expect(answered.offeredChoices!.map((c: { id: string }) => c.id)).toEqual(['rate:helpful', 'rate:unhelpful', 'handoff']);
    const answer = await t.gateway.store.models.Message.findOne({ replyTo: first.messageId }).lean();

    const rated = await (await postMessage(t, { id: 'n-2', contact: { id: 'numbered' }, text: '2' })).json();
    await until(t, async () => (await t.gateway.store.messages.get(rated.messageId))?.processing?.state === 'done');
    expect((await t.gateway.store.messages.get(answer!._id))?.rating?.value).toBe('unhelpful');

    const second = await (await postMessage(t, { id: 'n-3', contact: { id: 'numbered' }, text: '1' })).json();
    const conversation = await until(t, async () => {
      const conv = await t.gateway.store.conversations.get(second.conversationId);
      return conv?.status === 'pending' && conv;
    });
    expect(conversation.escalationReason).toBe('customer_request');
  });

  describe('bad input gets a 4xx naming the problem, and nothing is stored', () => {
    const cases: Array<[string, () => Promise<Response>, number, string]> = [
      ['malformed JSON', () => postMessage(t, '{"id": "x", "contact": '), 400, 'invalid_body'],
      ['a body missing fields', () => postMessage(t, { id: 'x' }), 400, 'invalid_body'],
      ['empty text', () => postMessage(t, { id: 'x', contact: { id: 'c' }, text: '   ' }), 400, 'invalid_body'],
      ['a wrong content type', () => postMessage(t, 'id=x', { headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type'],
      ['a non-UTF-8 charset', () => postMessage(t, { id: 'x', contact: { id: 'c' }, text: 'hi' }, { headers: { 'content-type': 'application/json; charset=latin1' } }), 415, 'unsupported_encoding'],
      ['invalid UTF-8 bytes', () => postMessage(t, Buffer.concat([Buffer.from('{"id":"x","contact":{"id":"c"},"text":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])), 400, 'invalid_encoding'],
      ['a wrong API key', () => postMessage(t, { id: 'x', contact: { id: 'c' }, text: 'hi' }, { key: 'sk_wrong' }), 401, 'unauthorized'],
      ['no API key', () => fetch(`${t.url}/api/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 401, 'unauthorized'],
      ['an oversized body', () => postMessage(t, { id: 'x', contact: { id: 'c' }, text: 'a'.repeat(1_100_000) }), 413, 'payload_too_large'],
      ['an unknown route', () => fetch(`${t.url}/api/v1/nope`), 404, 'not_found'],
      ['an unknown channel', () => fetch(`${t.url}/webhooks/no-such-channel`, { method: 'POST', body: '{}' }), 404, 'unknown_channel'],
      ['an unknown conversation', () => fetch(`${t.url}/api/v1/conversations/000000000000000000000000/messages`, { headers: { authorization: `Bearer ${t.api.key}` } }), 404, 'conversation_not_found'],
      ['a malformed conversation id', () => fetch(`${t.url}/api/v1/conversations/zzz/messages`, { headers: { authorization: `Bearer ${t.api.key}` } }), 404, 'conversation_not_found'],
    ];

    it.each(cases)('%s', async (_name, request, status, code) => {
      const before = await t.gateway.store.models.Message.countDocuments({});
      const res = await request();
      expect(res.status).toBe(status);
      const body = await res.json();
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(3);
      expect(await t.gateway.store.models.Message.countDocuments({})).toBe(before);
      // The server keeps serving after every rejection.
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
    });
  });

  it('reports health once the store is reachable', async () => {
    const res = await fetch(`${t.url}/health`);
    expect(await res.json()).toMatchObject({ status: 'ok', store: { available: true } });
  });
});
