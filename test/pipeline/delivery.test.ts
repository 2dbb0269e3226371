import { once } from 'node:events';
import { CallbackPeer } from '../support/callback-peer';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

describe('delivery through the outbox', () => {
  let peer: CallbackPeer;
  let t: TestGateway;

  beforeAll(async () => {
    peer = await new CallbackPeer().start();
    t = await startTestGateway('delivery', { callbackUrl: peer.url, env: { DELIVERY_MAX_ATTEMPTS: '4' } });
  });
  afterAll(async () => {
    await t.stop();
    await peer.stop();
  });

  async function replyTo(messageId: string) {
    return t.gateway.store.models.Message.findOne({ replyTo: messageId }).lean();
  }

  it('retries 5xx and 429 (honouring Retry-After) and then delivers', async () => {
    peer.respondWith({ status: 503 }, { status: 429, headers: { 'retry-after': '1' } }, { status: 500 });
    const start = peer.received.length;
    const res = await postMessage(t, { id: 'r-1', contact: { id: 'retry-1' }, text: 'How long does shipping take?' });
    const { messageId } = await res.json();

    const requests = await peer.waitForDelivered(peer.delivered().length + 1);
    const attempts = peer.received.slice(start);
    expect(attempts.map((r) => r.status)).toEqual([503, 429, 500, 200]);
    // All four attempts carried the same message: retries resend, they never invent a second reply.
    expect(new Set(attempts.map((r) => r.json.message.id)).size).toBe(1);
    expect(requests.at(-1)!.json.message.id).toBe(attempts[0]!.json.message.id);

    const reply = await until(t, async () => {
      const row = await replyTo(messageId);
      return row?.delivery?.status === 'delivered' && row;
    });
    expect(reply.delivery).toMatchObject({ status: 'delivered', attempts: 4 });
    expect(reply.delivery?.error).toBeUndefined();
  });

  it('waits at least as long as Retry-After asks', async () => {
    const retryAny = Promise.race(t.gateway.deliverers.map((d) => once(d, 'retry')));
    peer.respondWith({ status: 429, headers: { 'retry-after': '2' } });
    await postMessage(t, { id: 'r-2', contact: { id: 'retry-2' }, text: 'Can I pay with PayPal?' });
    const [, error, delayMs] = (await retryAny) as [unknown, { code: string }, number];
    expect(error.code).toBe('rate_limited:http_429');
    expect(delayMs).toBeGreaterThanOrEqual(2000);
    await peer.waitForDelivered(peer.delivered().length + 1);
  });

  it('marks a permanently rejected reply failed, with the error on the message', async () => {
    peer.respondWith({ status: 400 });
    const failed = Promise.race(t.gateway.deliverers.map((d) => once(d, 'failed')));
    const res = await postMessage(t, { id: 'p-1', contact: { id: 'perm-1' }, text: 'How do I reset my password?' });
    const { messageId } = await res.json();
    await failed;
    const reply = await replyTo(messageId);
    expect(reply?.delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      error: { code: 'rejected:http_400', retryable: false, message: expect.stringContaining('400') },
    });
  });

  it('dead-letters after the last attempt and keeps the last error', async () => {
    peer.respondWith({ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 });
    const failed = Promise.race(t.gateway.deliverers.map((d) => once(d, 'failed')));
    const res = await postMessage(t, { id: 'd-1', contact: { id: 'dead-1' }, text: 'Where is my order?' });
    const { messageId } = await res.json();
    await failed;
    const reply = await replyTo(messageId);
    expect(reply?.delivery).toMatchObject({ status: 'failed', attempts: 4, error: { code: 'unavailable:http_502', retryable: false } });
  });

  it('keeps one conversation\'s replies in order even when the first one needs retries', async () => {
    peer.respondWith({ status: 503 }, { status: 503 });
    const before = peer.delivered().length;
    await postMessage(t, { id: 'o-1', contact: { id: 'order-1' }, text: 'How do I start a return?' });
    await postMessage(t, { id: 'o-2', contact: { id: 'order-1' }, text: 'Can I pay with PayPal?' });
    const delivered = (await peer.waitForDelivered(before + 2)).filter((c) => c.json.contact.id === 'order-1');
    expect(delivered.map((c) => c.json.message.citations[0]?.title)).toEqual([
      expect.stringMatching(/Returns/),
      expect.stringMatching(/Payments/),
    ]);
  });
});
