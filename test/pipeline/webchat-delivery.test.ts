import { once } from 'node:events';
import { issueVisitorToken } from '../../adapters/webchat/token';
import { inboundDedupeKey } from '../../conversations/messages';
import type { MessageRecord } from '../../conversations/types';
import { queueAgentReply } from '../support/agent-reply';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';
import { Visitor } from '../support/webchat-visitor';

describe('web chat reply status', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway('webchat_delivery');
  });
  afterAll(() => t.stop());

  const message = (id: unknown) => t.gateway.store.models.Message.findById(id).lean<MessageRecord>();
  const delivery = async (id: unknown) => (await message(id))?.delivery;

  it('is sent when an open socket took the reply, and delivered on the widget receipt', async () => {
    const { token } = issueVisitorToken(t.webchat.tokenSecret);
    const { visitor } = await Visitor.connect(t, token);
    const reply = once(visitor!, 'reply');
    await visitor!.send({ type: 'message', id: 'c1', text: 'How do I start a return?' });
    const [shown] = (await reply) as [{ id: string }];
    await until(t, async () => (await delivery(shown.id))?.status === 'sent');
    visitor!.ws.send(JSON.stringify({ type: 'received', messageId: shown.id }));
    await until(t, async () => (await delivery(shown.id))?.status === 'delivered');
    visitor!.close();
  });

  it('stays queued while no socket is open, is shown from history on return, and is delivered by its receipt', async () => {
    const { token, visitorId } = issueVisitorToken(t.webchat.tokenSecret);
    const { visitor } = await Visitor.connect(t, token);
    const reply = once(visitor!, 'reply');
    await visitor!.send({ type: 'message', id: 'c1', text: 'Where is my parcel?' });
    await reply;
    const closed = once(visitor!.ws, 'close');
    visitor!.close();
    await closed;
    await until(t, async () => t.gateway.deps.hub.connections === 0);

    // An agent answers while the visitor is away.
    const inbound = (await t.gateway.store.models.Message.findOne({ dedupeKey: inboundDedupeKey(t.webchat.channelId, `${visitorId}:c1`) }).lean<MessageRecord>())!;
    const queued = await queueAgentReply(t, inbound, [{ type: 'text', text: 'It left our warehouse this morning.' }]);
    const handed = new Promise<string>((resolve) =>
      t.gateway.deliverers.forEach((d) => d.on('sent', (m: MessageRecord, status: string) => String(m._id) === String(queued._id) && resolve(status))),
    );
    await t.gateway.store.jobs.enqueueDelivery(queued, new Date());
    expect(await handed).toBe('queued');
    // Nobody took it: not sent, and nothing left in the outbox to retry it.
    expect(await delivery(queued._id)).toMatchObject({ status: 'queued', awaitingRecipient: true, externalIds: [String(queued._id)] });
    expect(await t.gateway.store.models.Job.countDocuments({ messageId: queued._id })).toBe(0);

    const back = await Visitor.connect(t, token);
    expect(back.visitor!.history).toContainEqual(expect.objectContaining({ id: String(queued._id), author: 'agent', text: 'It left our warehouse this morning.' }));
    back.visitor!.ws.send(JSON.stringify({ type: 'received', messageId: String(queued._id) }));
    await until(t, async () => (await delivery(queued._id))?.status === 'delivered');
    expect((await delivery(queued._id))?.awaitingRecipient).toBeUndefined();
    back.visitor!.close();
  });
});

describe('web chat replies across gateway processes', () => {
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    a = await startTestGateway('webchat_two');
    // The process the visitor is connected to: it serves sockets, its workers do not run (so A writes and sends the reply).
    b = await startTestGateway('webchat_two', { shareWith: a, startWorkers: false });
  });
  afterAll(async () => {
    await b.stop();
    await a.stop();
  });

  it('is pushed live by the process the visitor is connected to, not left for their next visit', async () => {
    const { token } = issueVisitorToken(a.webchat.tokenSecret);
    const { visitor } = await Visitor.connect(b, token);
    const waiting = new Promise<MessageRecord>((resolve) =>
      a.gateway.deliverers.forEach((d) => d.on('sent', (m: MessageRecord, status: string) => status === 'queued' && resolve(m))),
    );
    await visitor!.send({ type: 'message', id: 'c1', text: 'How do I start a return?' });
    const reply = await waiting;
    const live = once(visitor!, 'reply');
    await b.gateway.webchatPending.tick();
    const [shown] = (await live) as [{ id: string; author: string }];
    expect(shown).toMatchObject({ id: String(reply._id), author: 'bot' });
    const stored = await a.gateway.store.models.Message.findById(reply._id).lean<MessageRecord>();
    expect(stored?.delivery).toMatchObject({ status: 'sent' });
    expect(stored?.delivery?.awaitingRecipient).toBeUndefined();
    // Pushed once: a second pass finds nothing waiting.
    await b.gateway.webchatPending.tick();
    expect(visitor!.replies.filter((r) => r.id === String(reply._id))).toHaveLength(1);
    visitor!.close();
  });
});
