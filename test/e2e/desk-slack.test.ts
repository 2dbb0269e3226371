import { Types } from 'mongoose';
import { deskActionValue } from '../../adapters/desk';
import { issueVisitorToken } from '../../adapters/webchat/token';
import { CUSTOMER_TEXTS } from '../../src/desk/desk';
import { CSAT_THANKS } from '../../src/pipeline/processor';
import { AGENT, startSlackDesk, type SlackDesk } from '../support/slack-desk';
import { until } from '../support/until';
import { Visitor } from '../support/webchat-visitor';
import { OFFICE_HOURS, testClock } from '../support/clock';

/**
 * The whole hand-off story, over real transports: a customer on web chat (WebSocket), the brain escalates, the
 * thread appears in (fake) Slack, an agent claims and replies there, the customer receives the reply, the agent
 * resolves, the customer is asked for a rating and gives one.
 */
describe('hand-off to a Slack desk, end to end', () => {
  let desk: SlackDesk;
  let visitor: Visitor;

  beforeAll(async () => {
    desk = await startSlackDesk('desk_story', { clock: testClock(OFFICE_HOURS).now });
    const { token } = issueVisitorToken(desk.t.webchat.tokenSecret);
    visitor = (await Visitor.connect(desk.t, token)).visitor!;
  });
  afterAll(async () => {
    visitor.close();
    await desk.stop();
  });

  const conversation = (id: string) => desk.t.gateway.store.conversations.get(new Types.ObjectId(id));
  const waitFor = <T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false) => until(desk.t, async () => check(), [desk.peer, visitor]);

  it('walks from escalation to a stored satisfaction rating', async () => {
    // 1. The customer asks for a person on web chat; the bot says so and the card lands in the desk channel.
    expect(await visitor.send({ type: 'message', id: 'm1', text: 'My parcel never arrived, I want to talk to a human please' })).toMatchObject({ type: 'ack' });
    await waitFor(() => visitor.replies.length >= 1);
    const inbound = await desk.t.gateway.store.models.Message.findOne({ channelId: desk.t.webchat.channelId, direction: 'inbound' }).lean();
    const conversationId = String(inbound!.conversationId);
    const card = await waitFor(() => desk.card(conversationId));
    expect(card.blocks).toContain('The customer asked for a person');
    expect(card.blocks).toContain('Summary');
    expect(card.blocks).toContain('My parcel never arrived');
    expect(card.blocks).toContain(deskActionValue('claim', conversationId));
    expect(card.blocks).toContain(deskActionValue('resolve', conversationId));
    expect(card.blocks).toContain(deskActionValue('return_to_bot', conversationId));
    expect(card.blocks).toContain(deskActionValue('send_suggested', conversationId));
    expect((await conversation(conversationId))!.status).toBe('pending');

    // 2. The customer writes again: the message appears in the thread, and the bot tells them, once, that it reached
    //    the team and where they stand in its queue (it answers no question while people are awaited).
    const repliesBefore = visitor.replies.length;
    await visitor.send({ type: 'message', id: 'm2', text: 'The order number is 12345' });
    await waitFor(() => desk.threadPosts(card.ts).some((t) => t.includes('The order number is 12345')));
    await waitFor(() => visitor.replies.length > repliesBefore);
    expect(visitor.replies).toHaveLength(repliesBefore + 1);
    expect(visitor.replies.at(-1)!.text).toMatch(/^Thanks — I've added this to your conversation for the team\. .*You're next in the queue/);

    // 3. The agent claims it: the conversation is theirs, and the card says so.
    expect((await desk.click(card.ts, deskActionValue('claim', conversationId))).status).toBe(200);
    const claimed = await conversation(conversationId);
    expect(claimed).toMatchObject({ status: 'assigned', assignee: `slack-desk:${AGENT.id}`, assigneeName: AGENT.name });
    await waitFor(() => desk.cardUpdates(card.ts).some((b) => b.includes(`Claimed by ${AGENT.name}`)));

    // 4. The agent replies in the thread; Slack's retry of the same event changes nothing; the customer gets it once.
    expect((await desk.agentSays(card.ts, 'Hi! I found order 12345 — it ships tomorrow.', { eventId: 'EvAgent1' })).status).toBe(200);
    expect((await desk.agentSays(card.ts, 'Hi! I found order 12345 — it ships tomorrow.', { eventId: 'EvAgent1', retryNum: 1 })).status).toBe(200);
    const fromAgent = await waitFor(() => visitor.replies.find((r) => r.author === 'agent'));
    expect(fromAgent).toMatchObject({ authorName: AGENT.name, text: expect.stringContaining('it ships tomorrow') });

    // 5. An internal note stays in the thread's record and never reaches the customer.
    expect((await desk.agentSays(card.ts, '// customer was polite, offer a voucher next time')).status).toBe(200);
    const note = await desk.t.gateway.store.models.Message.findOne({ conversationId: inbound!.conversationId, internal: true }).lean();
    expect(note).toMatchObject({ text: 'customer was polite, offer a voucher next time', author: { kind: 'agent', name: AGENT.name } });
    expect(note!.delivery).toBeUndefined();

    // 6. Resolve: the customer is asked for a rating, with buttons.
    expect((await desk.click(card.ts, deskActionValue('resolve', conversationId))).status).toBe(200);
    const survey = await waitFor(() => visitor.replies.find((r) => r.text.includes(CUSTOMER_TEXTS.csatQuestion)));
    expect(survey.choices?.map((c) => c.id)).toEqual(['csat:1', 'csat:2', 'csat:3', 'csat:4', 'csat:5']);
    expect((await conversation(conversationId))!.status).toBe('resolved');

    // 7. The customer taps 5: stored on the conversation, thanked, and the card shows it.
    await visitor.send({ type: 'action', id: 'a1', value: 'csat:5', title: '5 – Great' });
    await waitFor(() => visitor.replies.some((r) => r.text === CSAT_THANKS));
    const rated = await conversation(conversationId);
    expect(rated!.csat).toMatchObject({ score: 5 });
    expect(rated!.openKey).toBeUndefined();
    expect(rated!.agentReplyMs).toBeGreaterThanOrEqual(0);
    await waitFor(() => desk.cardUpdates(card.ts).some((b) => b.includes('customer rated 5/5')));

    // Exactly: the hand-over line, the agent's reply, the survey and the thanks — no note, no second reply.
    const texts = visitor.replies.map((r) => r.author);
    expect(texts.filter((a) => a === 'agent')).toHaveLength(1);
    expect(visitor.replies.some((r) => r.text.includes('voucher'))).toBe(false);

    // 8. The customer's next message is a new request: a new conversation, answered by the bot again.
    await visitor.send({ type: 'message', id: 'm3', text: 'How long do refunds take?' });
    await waitFor(async () => (await desk.t.gateway.store.models.Conversation.countDocuments({ contactId: rated!.contactId })) === 2 && visitor.replies.length > texts.length);
    const next = await desk.t.gateway.store.models.Conversation.findOne({ contactId: rated!.contactId, _id: { $ne: rated!._id } }).lean();
    expect(next!.status).toBe('bot');
  });
});
