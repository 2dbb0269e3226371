import { Types } from 'mongoose';
import type { DeskThreadRecord } from '../../conversations/desk';
import { issueVisitorToken } from '../../adapters/webchat/token';
import { DESK_CHANNEL, startSlackDesk, type SlackDesk } from '../support/slack-desk';
import { until } from '../support/until';
import { OFFICE_HOURS, testClock } from '../support/clock';
import { Visitor } from '../support/webchat-visitor';

/**
 * The escalation card between Slack carrying it out and its ts being stored: an answer that never arrives (a
 * crash, a dropped connection) must not make a second card, and an agent who replies in the thread before the ts
 * is stored must still reach the customer, once.
 */
describe('Slack desk card in flight', () => {
  let desk: SlackDesk;

  beforeAll(async () => {
    desk = await startSlackDesk('desk_in_flight', { clock: testClock(OFFICE_HOURS).now });
  });
  afterAll(() => desk.stop());

  const waitFor = <T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false, extra: Visitor[] = []) =>
    until(desk.t, async () => check(), [desk.peer, ...extra]);
  const cards = (conversationId: string) => desk.peer.accepted('chat.postMessage', DESK_CHANNEL).filter((c) => !c.form.thread_ts && (c.form.blocks ?? '').includes(conversationId));
  const thread = (conversationId: string) => desk.t.gateway.store.models.DeskThread.findOne({ conversationId: new Types.ObjectId(conversationId) }).lean<DeskThreadRecord>();

  async function customerAsksForAPerson(): Promise<{ visitor: Visitor; conversationId: string }> {
    const { token } = issueVisitorToken(desk.t.webchat.tokenSecret);
    const visitor = (await Visitor.connect(desk.t, token)).visitor!;
    const ack = (await visitor.send({ type: 'message', id: 'm1', text: 'My parcel never arrived, I want to talk to a human please' })) as { type: string; messageId?: string };
    expect(ack.type).toBe('ack');
    const inbound = await desk.t.gateway.store.models.Message.findById(ack.messageId).lean();
    return { visitor, conversationId: String(inbound!.conversationId) };
  }

  it('adopts the card Slack posted when the answer was lost, instead of posting a second one', async () => {
    desk.peer.loseAnswer('chat.postMessage');
    const { visitor, conversationId } = await customerAsksForAPerson();
    const stored = await waitFor(async () => {
      const t = await thread(conversationId);
      return t?.rootId ? t : undefined;
    });
    const posted = cards(conversationId);
    expect(posted).toHaveLength(1);
    expect(stored).toMatchObject({ rootId: String(posted[0]!.answer.ts), rootChannel: DESK_CHANNEL });
    expect(stored.posting).toBeUndefined();
    // It was read back by its nonce, with the metadata Slack returns only when asked for it.
    expect(desk.peer.accepted('conversations.history', DESK_CHANNEL).some((c) => c.form.include_all_metadata === 'true')).toBe(true);
    // The thread works: the customer's next message is mirrored into it.
    await visitor.send({ type: 'message', id: 'm2', text: 'The order number is 12345' });
    await waitFor(() => desk.threadPosts(stored.rootId!).some((t) => t.includes('The order number is 12345')));
    expect(cards(conversationId)).toHaveLength(1);
    visitor.close();
  });

  it('delivers an agent reply that arrives before the card ts is stored, once', async () => {
    const held = desk.peer.holdAnswer('chat.postMessage');
    const { visitor, conversationId } = await customerAsksForAPerson();
    await held.arrived;
    const card = desk.card(conversationId)!;
    expect((await thread(conversationId))?.rootId).toBeUndefined();
    // The agent saw the card in Slack and answers in its thread; the gateway has not heard back from Slack yet.
    expect((await desk.agentSays(card.ts, 'Hi! I am looking into your parcel now.', { eventId: 'EvEarly1' })).status).toBe(200);
    const fromAgent = await waitFor(() => visitor.replies.find((r) => r.author === 'agent'), [visitor]);
    expect(fromAgent.text).toContain('looking into your parcel');
    held.release();
    await waitFor(async () => (await desk.t.gateway.store.models.DeskPost.countDocuments({ conversationId: new Types.ObjectId(conversationId), status: 'queued' })) === 0);
    expect(await thread(conversationId)).toMatchObject({ rootId: card.ts, rootChannel: DESK_CHANNEL });
    expect(cards(conversationId)).toHaveLength(1);
    expect(visitor.replies.filter((r) => r.author === 'agent')).toHaveLength(1);
    visitor.close();
  });
});
