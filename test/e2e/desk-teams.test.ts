import { Types } from 'mongoose';
import { deskActionValue } from '../../adapters/desk';
import { issueVisitorToken } from '../../adapters/webchat/token';
import { CUSTOMER_TEXTS } from '../../src/desk/desk';
import { CSAT_THANKS } from '../../src/pipeline/processor';
import { startTeamsDesk, TEAMS_AGENT, type TeamsDesk } from '../support/teams-desk';
import { until } from '../support/until';
import { Visitor } from '../support/webchat-visitor';
import { OFFICE_HOURS, testClock } from '../support/clock';

/**
 * The hand-off story with the desk in Microsoft Teams: the card opens a channel thread through the Bot Framework
 * connector, the agent's signed activities (a thread reply with an @mention, Action.Submit taps) come back through
 * the JWT check, and the customer on web chat gets the reply, the survey and the thanks.
 */
describe('hand-off to a Teams desk, end to end', () => {
  let desk: TeamsDesk;
  let visitor: Visitor;

  beforeAll(async () => {
    desk = await startTeamsDesk('desk_teams', { clock: testClock(OFFICE_HOURS).now });
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
    await visitor.send({ type: 'message', id: 'm1', text: 'I was charged twice, I want to speak to a person' });
    await waitFor(() => visitor.replies.length >= 1);
    const inbound = await desk.t.gateway.store.models.Message.findOne({ channelId: desk.t.webchat.channelId, direction: 'inbound' }).lean();
    const conversationId = String(inbound!.conversationId);
    const thread = await waitFor(() => desk.card(conversationId));
    expect(thread.card).toContain('AdaptiveCard');
    expect(thread.card).toContain('The customer asked for a person');
    expect(thread.card).toContain(deskActionValue('claim', conversationId));

    // The customer's next message is mirrored into the Teams thread.
    await visitor.send({ type: 'message', id: 'm2', text: 'It was order 55501' });
    await waitFor(() => desk.threadPosts(thread.threadConversation).some((p) => p.includes('It was order 55501')));

    // Claim with the card's Action.Submit: assigned to the agent, and the card is redrawn.
    expect((await desk.click(thread.rootId, deskActionValue('claim', conversationId))).status).toBe(200);
    expect(await conversation(conversationId)).toMatchObject({ status: 'assigned', assigneeName: TEAMS_AGENT.name });
    await waitFor(() => desk.cardUpdates(thread.threadConversation).some((c) => c.includes(`Claimed by ${TEAMS_AGENT.name}`)));

    // The agent's thread reply (an @mention, as Teams requires) reaches the customer, attributed.
    expect((await desk.agentSays(thread.rootId, 'Sorry about that — I have refunded the second charge.')).status).toBe(200);
    const reply = await waitFor(() => visitor.replies.find((r) => r.author === 'agent'));
    expect(reply).toMatchObject({ authorName: TEAMS_AGENT.name, text: 'Sorry about that — I have refunded the second charge.' });

    // A note stays internal.
    await desk.agentSays(thread.rootId, '// refund ref R-889');
    expect(await desk.t.gateway.store.models.Message.countDocuments({ conversationId: inbound!.conversationId, internal: true })).toBe(1);

    // Resolve → survey → rating stored and shown on the card.
    expect((await desk.click(thread.rootId, deskActionValue('resolve', conversationId))).status).toBe(200);
    const survey = await waitFor(() => visitor.replies.find((r) => r.text.includes(CUSTOMER_TEXTS.csatQuestion)));
    expect(survey.choices).toHaveLength(5);
    await visitor.send({ type: 'message', id: 'm3', text: '4' });
    await waitFor(() => visitor.replies.some((r) => r.text === CSAT_THANKS));
    expect((await conversation(conversationId))!.csat).toMatchObject({ score: 4 });
    await waitFor(() => desk.cardUpdates(thread.threadConversation).some((c) => c.includes('customer rated 4/5')));
    expect(visitor.replies.filter((r) => r.author === 'agent')).toHaveLength(1);
  });

  it('answers "@Switchboard open" in the desk channel with the waiting escalations', async () => {
    await visitor.send({ type: 'message', id: 'm4', text: 'talk to a human' });
    await waitFor(async () => (await desk.t.gateway.store.models.Conversation.countDocuments({ status: 'pending' })) === 1);
    const before = desk.peer.calls.length;
    expect((await desk.command('open')).status).toBe(200);
    const answer = await waitFor(() => desk.peer.calls.slice(before).find((c) => c.kind === 'send' && JSON.stringify(c.body).includes('Waiting for an agent')));
    expect(JSON.stringify(answer.body)).toContain('web chat');
  });
});
