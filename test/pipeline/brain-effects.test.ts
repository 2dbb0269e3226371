import { demoBrain } from '../support/demo-brain';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

// The gateway's time starts on a Saturday at 23:00 in Berlin and runs on: every demo team is closed.
const SATURDAY_NIGHT = new Date('2026-11-28T22:00:00Z').getTime();
const offset = SATURDAY_NIGHT - Date.now();
const clock = () => new Date(Date.now() + offset);

describe('what the brain decides besides the reply', () => {
  let t: TestGateway;

  beforeAll(async () => {
    const brain = await demoBrain({ clock });
    t = await startTestGateway('brain_effects', { brain, clock });
  });
  afterAll(() => t.stop());

  const processed = (messageId: string) => until(t, async () => (await t.gateway.store.messages.get(messageId))?.processing?.state === 'done');

  it('escalated after hours, the conversation is queued for Monday and the bot keeps answering meanwhile', async () => {
    const first = await (await postMessage(t, { id: 'ah-1', contact: { id: 'night-owl' }, text: 'I want to talk to a person about my account password' })).json();
    await processed(first.messageId);
    const queued = await t.gateway.store.conversations.get(first.conversationId);
    expect(queued).toMatchObject({ status: 'pending', team: 'accounts', escalationReason: 'customer_request', botHelpsUntil: new Date('2026-11-30T08:00:00Z') });
    const notice = await t.gateway.store.models.Message.findOne({ replyTo: first.messageId }).lean();
    expect(notice!.text).toMatch(/back Monday at 09:00 \(Europe\/Berlin\)/);

    const next = await (await postMessage(t, { id: 'ah-2', contact: { id: 'night-owl' }, text: 'How do I return an item?' })).json();
    await processed(next.messageId);
    const answer = await t.gateway.store.models.Message.findOne({ replyTo: next.messageId }).lean();
    expect(answer!.citations[0]!.title).toBe('Returns › How do I return an item?');

    // Once an agent claims it, the bot falls silent even though the team's hours have not begun.
    await t.gateway.store.conversations.assign(queued!._id, 'agent-1');
    const after = await (await postMessage(t, { id: 'ah-3', contact: { id: 'night-owl' }, text: 'How do I cancel my order?' })).json();
    await processed(after.messageId);
    expect(await t.gateway.store.models.Message.countDocuments({ replyTo: after.messageId })).toBe(0);
  });

  it('an AI opt-out asked for in words is kept on the contact for good', async () => {
    const first = await (await postMessage(t, { id: 'oo-1', contact: { id: 'no-bots' }, text: "I don't want to talk to a bot" })).json();
    await processed(first.messageId);
    const message = await t.gateway.store.messages.get(first.messageId);
    expect((await t.gateway.store.contacts.get(message!.contactId))?.aiOptOut).toBe(true);
    const conversation = await t.gateway.store.conversations.get(first.conversationId);
    expect(conversation).toMatchObject({ status: 'pending', escalationReason: 'ai_opt_out' });
    expect(conversation!.botHelpsUntil).toBeUndefined();
  });
});
