import { demoBrain } from '../support/demo-brain';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

// The gateway's time starts on a Wednesday at 11:00 in Berlin and runs on: every demo team is at work.
const WEDNESDAY_MORNING = new Date('2026-11-25T10:00:00Z').getTime();
const offset = WEDNESDAY_MORNING - Date.now();
const clock = () => new Date(Date.now() + offset);
const MINUTE = 60_000;

describe('a customer writing while the conversation waits for a person', () => {
  let t: TestGateway;

  beforeAll(async () => {
    const brain = await demoBrain({ clock });
    t = await startTestGateway('queue_status', { brain, clock });
  });
  afterAll(() => t.stop());

  const send = async (id: string, contact: string, text: string) => {
    const posted = await (await postMessage(t, { id, contact: { id: contact }, text })).json();
    await until(t, async () => (await t.gateway.store.messages.get(posted.messageId))?.processing?.state === 'done');
    return posted as { messageId: string; conversationId: string };
  };
  const replyTo = (messageId: string) => t.gateway.store.models.Message.findOne({ replyTo: messageId }).lean();

  it('hears where they stand in the team queue and how long the team usually takes, then is left to the people', async () => {
    // Two customers handed over before this one, to the same team; a third one's hand-over is already answered.
    for (const contact of ['queue-a', 'queue-b']) await send(`${contact}-1`, contact, 'I want to talk to a person');
    const served = await send('queue-served-1', 'queue-served', 'I want to talk to a person');
    const mine = await send('queue-me-1', 'queue-me', 'I want to talk to a person');
    const conversation = await t.gateway.store.conversations.get(mine.conversationId);
    expect(conversation).toMatchObject({ status: 'pending', team: 'support' });
    await t.gateway.store.conversations.claim((await t.gateway.store.conversations.get(served.conversationId))!._id, { id: 'agent-1' }, clock());

    // The team's recent first replies by a person: 4, 6 and 8 minutes (median 6: "usually within 10 minutes").
    for (const [i, ms] of [4 * MINUTE, 6 * MINUTE, 8 * MINUTE].entries()) {
      const past = await send(`queue-past-${i}`, `queue-past-${i}`, 'Where is my parcel?');
      await t.gateway.store.models.Conversation.updateOne(
        { _id: past.conversationId },
        { $set: { team: 'support', agentFirstReplyAt: new Date(clock().getTime() - (i + 1) * 3_600_000), agentReplyMs: ms } },
      );
    }

    const details = await send('queue-me-2', 'queue-me', 'My order number is NW-EU-1048213, it was a birthday present');
    const ack = await replyTo(details.messageId);
    expect(ack!.text).toBe("Thanks — I've added this to your conversation for the team. A person from customer support will reply here. You're 3rd in the queue, usually within 10 minutes.");
    expect((await t.gateway.store.messages.get(details.messageId))!.processing?.outcome).toBe('status');

    // More details after the acknowledgement: the people see them; the bot does not repeat itself.
    const more = await send('queue-me-3', 'queue-me', 'It was delivered to my neighbour I think');
    expect(await replyTo(more.messageId)).toBeNull();
    expect((await t.gateway.store.messages.get(more.messageId))!.processing?.outcome).toBe('silent:pending');

    // Asking for the status always gets it; the conversation stays queued for the same hand-over.
    const status = await send('queue-me-4', 'queue-me', 'Any update? How much longer?');
    expect((await replyTo(status.messageId))!.text).toBe("A person from customer support will reply here. You're 3rd in the queue, usually within 10 minutes.");
    expect(await t.gateway.store.conversations.get(mine.conversationId)).toMatchObject({ status: 'pending', escalatedAt: conversation!.escalatedAt });

    // Once a person claims it, the bot is silent again.
    await t.gateway.store.conversations.claim(conversation!._id, { id: 'agent-2' }, clock());
    const claimed = await send('queue-me-5', 'queue-me', 'Any update?');
    expect(await replyTo(claimed.messageId)).toBeNull();
  });

  it('a customer who no longer needs a person gets the conversation back with the bot', async () => {
    const handedOver = await send('queue-back-1', 'queue-back', 'I want to talk to a person');
    expect(await t.gateway.store.conversations.get(handedOver.conversationId)).toMatchObject({ status: 'pending' });
    const never = await send('queue-back-2', 'queue-back', "Never mind, I've sorted it");
    expect((await replyTo(never.messageId))!.text).toMatch(/no longer need them/);
    expect((await t.gateway.store.messages.get(never.messageId))!.processing?.outcome).toBe('withdrawn');
    expect(await t.gateway.store.conversations.get(handedOver.conversationId)).toMatchObject({ status: 'bot' });
    const next = await send('queue-back-3', 'queue-back', 'How do I return an item?');
    expect((await replyTo(next.messageId))!.citations[0]!.title).toBe('Returns › How do I return an item?');
  });

  it('a customer who writes German hears the status in German', async () => {
    const first = await send('queue-de-1', 'queue-de', 'Wie lange dauert die Lieferung nach Österreich ungefähr?');
    expect(await t.gateway.store.conversations.get(first.conversationId)).toMatchObject({ status: 'pending', escalationReason: 'unsupported_language' });
    // The built-in AI disclosure above the first reply is said in German too.
    const handover = (await replyTo(first.messageId))!.text;
    expect(handover).toMatch(/^Ich bin Switchboard, ein KI-Assistent\. .*\n\nDanke für Ihre Nachricht!/s);
    expect(handover).not.toMatch(/\b(the|you|an AI assistant|at any time)\b/);
    const later = await send('queue-de-2', 'queue-de', 'Ich habe die Bestellung letzte Woche aufgegeben und noch nichts bekommen');
    const reply = await replyTo(later.messageId);
    expect(reply!.text).toMatch(/^Danke — ich habe das für unser Team zu Ihrem Anliegen hinzugefügt\. .*Warteschlange/);
    expect(reply!.text).not.toMatch(/\b(the|you|queue|usually)\b/);
  });
});
