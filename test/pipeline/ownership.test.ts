import { Types } from 'mongoose';
import { CallbackPeer } from '../support/callback-peer';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

describe('conversation ownership and scale-out', () => {
  let peer: CallbackPeer;
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    peer = await new CallbackPeer().start();
    a = await startTestGateway('ownership', { callbackUrl: peer.url });
    // A second gateway "process" on the same database: the work is shared through leases, never done twice.
    b = await startTestGateway('ownership', { shareWith: a });
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
    await peer.stop();
  });

  it('keeps the bot silent while a person owns the conversation, and answers again when handed back', async () => {
    const first = await (await postMessage(a, { id: 'own-1', contact: { id: 'owned' }, text: 'Where is my parcel?' })).json();
    await until([a, b], async () => (await a.gateway.store.models.Message.findOne({ replyTo: first.messageId }).lean())?.delivery?.status === 'delivered', [peer]);
    const conversationId = new Types.ObjectId(String(first.conversationId));
    await a.gateway.store.conversations.escalate(conversationId, { reason: 'customer_request', team: 'support', priority: 'normal' }, {}, new Date());
    await a.gateway.store.conversations.assign(conversationId, 'agent-ana');

    const silent = await (await postMessage(a, { id: 'own-2', contact: { id: 'owned' }, text: 'How do I return an item?' })).json();
    const processed = await until([a, b], async () => {
      const row = await a.gateway.store.messages.get(silent.messageId);
      return row?.processing?.state === 'done' && row;
    });
    expect(processed.processing?.outcome).toBe('silent:assigned');
    expect(await a.gateway.store.models.Message.countDocuments({ replyTo: silent.messageId })).toBe(0);

    await a.gateway.store.conversations.returnToBot(conversationId);
    const back = await (await postMessage(a, { id: 'own-3', contact: { id: 'owned' }, text: 'Can I pay with PayPal?' })).json();
    await until([a, b], async () => (await a.gateway.store.models.Message.findOne({ replyTo: back.messageId }).lean())?.delivery?.status === 'delivered', [peer]);
    expect(back.conversationId).toBe(first.conversationId);
  });

  it('opens a new conversation after the last one was resolved', async () => {
    const first = await (await postMessage(a, { id: 'res-1', contact: { id: 'resolved' }, text: 'hello' })).json();
    await until([a, b], async () => (await a.gateway.store.messages.get(first.messageId))?.processing?.state === 'done');
    await a.gateway.store.conversations.resolve(new Types.ObjectId(String(first.conversationId)), new Date());
    const resolved = await a.gateway.store.conversations.get(first.conversationId);
    expect(resolved).toMatchObject({ status: 'resolved', resolutionMs: expect.any(Number) });
    const next = await (await postMessage(a, { id: 'res-2', contact: { id: 'resolved' }, text: 'hello again' })).json();
    expect(next.conversationId).not.toBe(first.conversationId);
  });

  it('answers every message exactly once, in order per conversation, with two gateways sharing the work', async () => {
    const contacts = Array.from({ length: 8 }, (_, i) => `shared-${i}`);
    const questions = ['How do I return an item?', 'Can I pay with PayPal?', 'How do I reset my password?'];
    const claims = { a: 0, b: 0 };
    a.gateway.processors.forEach((p) => p.on('claimed', () => (claims.a += 1)));
    b.gateway.processors.forEach((p) => p.on('claimed', () => (claims.b += 1)));
    const posts: Promise<Response>[] = [];
    // Alternate gateways so both ingest and both process.
    for (const [q, question] of questions.entries()) {
      for (const [i, contact] of contacts.entries()) {
        const gateway = (i + q) % 2 === 0 ? a : b;
        posts.push(postMessage(gateway, { id: `${contact}-${q}`, contact: { id: contact }, text: question }));
      }
      // The next question of each contact is sent after the previous one was accepted: per-contact order is defined.
      await Promise.all(posts.splice(0));
    }
    const expected = contacts.length * questions.length;
    const shared = () => peer.delivered().filter((r) => String(r.json.contact.id).startsWith('shared-'));
    await until([a, b], async () => shared().length >= expected, [peer]);
    const replies = shared();
    expect(replies).toHaveLength(expected);
    expect(new Set(replies.map((r) => r.json.message.id)).size).toBe(expected);
    for (const contact of contacts) {
      const titles = replies.filter((r) => r.json.contact.id === contact).map((r) => r.json.message.citations[0]?.title ?? '');
      expect(titles).toEqual([expect.stringMatching(/^Returns/), expect.stringMatching(/^Payments/), expect.stringMatching(/^Account/)]);
    }
    // Both processes took part (each ingest wakes its own workers).
    expect(claims.a).toBeGreaterThan(0);
    expect(claims.b).toBeGreaterThan(0);
  });
});
