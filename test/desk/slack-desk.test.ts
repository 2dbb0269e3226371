import { Types } from 'mongoose';
import { deskActionValue } from '../../adapters/desk';
import { CUSTOMER_TEXTS } from '../../src/desk/desk';
import { postMessage } from '../support/gateway';
import { CallbackPeer } from '../support/callback-peer';
import { AGENT, COLLEAGUE, DESK_CHANNEL, startSlackDesk, type SlackDesk } from '../support/slack-desk';
import { until } from '../support/until';
import { OFFICE_HOURS, testClock, type TestClock } from '../support/clock';

/** The desk's buttons, commands and reminders one by one; the customer writes through the HTTP API channel. */
describe('Slack desk', () => {
  let desk: SlackDesk;
  let callbacks: CallbackPeer;
  let clock: TestClock;

  beforeAll(async () => {
    callbacks = await new CallbackPeer().start();
    // Business hours (a Wednesday morning in Berlin), on a clock the test can move: SLA reminders are about minutes passing.
    clock = testClock(OFFICE_HOURS);
    desk = await startSlackDesk('desk_slack', { callbackUrl: callbacks.url, clock: clock.now, env: { DESK_SLA_MINUTES: '10' } });
  });
  afterAll(async () => {
    await desk.stop();
    await callbacks.stop();
  });

  const waitFor = <T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false) => until(desk.t, async () => check(), [desk.peer, callbacks]);

  /** A customer asks for a person; resolves with the conversation id and the card's ts once the card is up. */
  async function escalate(contact: string, text = 'I need to talk to a human about my order 4711'): Promise<{ id: string; ts: string }> {
    const res = await postMessage(desk.t, { id: `${contact}-1`, contact: { id: contact, name: `Customer ${contact}` }, text });
    expect(res.status).toBe(202);
    const { conversationId } = await res.json();
    const card = await waitFor(() => desk.card(conversationId));
    return { id: conversationId, ts: card.ts };
  }

  const conversation = (id: string) => desk.t.gateway.store.conversations.get(new Types.ObjectId(id));

  it('sends the suggested reply as the agent, and a colleague cannot claim what is taken', async () => {
    const { id, ts } = await escalate('c-suggest', 'How long do refunds take? I want a human');
    const suggestion = (await conversation(id))!.assist?.suggestion;
    expect(suggestion?.text).toMatch(/^Hi /);
    expect((await desk.click(ts, deskActionValue('send_suggested', id))).status).toBe(200);
    const sent = await waitFor(() => desk.t.gateway.store.models.Message.findOne({ conversationId: new Types.ObjectId(id), 'author.kind': 'agent', 'delivery.status': { $in: ['sent', 'delivered'] } }).lean());
    expect(sent!.text).toBe(suggestion!.text);
    expect(sent!.author.name).toBe(AGENT.name);
    expect((await conversation(id))!.status).toBe('assigned');

    expect((await desk.click(ts, deskActionValue('claim', id), COLLEAGUE.id)).status).toBe(200);
    expect((await conversation(id))!.assignee).toBe(`slack-desk:${AGENT.id}`);
    await waitFor(() => desk.threadPosts(ts).some((t) => t.includes(`Already with ${AGENT.name}`)));
  });

  it('returns the conversation to the bot, which answers again; a late agent reply is not sent', async () => {
    const { id, ts } = await escalate('c-return');
    expect((await desk.click(ts, deskActionValue('return_to_bot', id))).status).toBe(200);
    expect((await conversation(id))!.status).toBe('bot');
    await waitFor(() => desk.t.gateway.store.models.Message.findOne({ conversationId: new Types.ObjectId(id), text: CUSTOMER_TEXTS.returnedToBot }).lean());

    await desk.agentSays(ts, 'one more thing');
    await waitFor(() => desk.threadPosts(ts).some((t) => t.includes('Not sent: this conversation is back with the bot')));
    expect(await desk.t.gateway.store.models.Message.countDocuments({ conversationId: new Types.ObjectId(id), 'author.kind': 'agent' })).toBe(0);

    const res = await postMessage(desk.t, { id: 'c-return-2', contact: { id: 'c-return' }, text: 'How long do refunds take?' });
    expect(res.status).toBe(202);
    await waitFor(async () => (await desk.t.gateway.store.models.Message.countDocuments({ conversationId: new Types.ObjectId(id), 'author.kind': 'bot' })) >= 2);
  });

  it('posts a follow-up email draft and the next best action into the thread on request', async () => {
    const { id, ts } = await escalate('c-assist', 'My parcel is late, order 4711. I want to talk to a human.');
    await desk.click(ts, deskActionValue('draft_email', id));
    await desk.click(ts, deskActionValue('next_action', id));
    const posts = await waitFor(async () => {
      const list = desk.threadPosts(ts);
      return list.some((t) => t.includes('Subject: Re:')) && list.some((t) => t.includes('Next best action')) ? list : undefined;
    });
    expect(posts.find((t) => t.includes('Next best action'))).toContain('Claim the conversation');
  });

  it('answers /switchboard open, mine and status privately', async () => {
    const { id, ts } = await escalate('c-cmd');
    const open = await (await desk.command('open')).json();
    expect(open).toMatchObject({ response_type: 'ephemeral' });
    expect(open.text).toContain('Waiting for an agent');
    expect(open.text).toContain(`https://slack.com/archives/${DESK_CHANNEL}/p${ts.replace('.', '')}`);
    await desk.click(ts, deskActionValue('claim', id));
    const mine = await (await desk.command('mine')).json();
    expect(mine.text).toContain('*Yours* (');
    expect(mine.text).toContain('Customer c-cmd');
    const status = await (await desk.command('status')).json();
    expect(status.text).toMatch(/Waiting: \d+ · claimed: \d+/);
    expect((await (await desk.command('')).json()).text).toContain('/switchboard <command>');
  });

  it('answers desk commands only in the desk channel, and only to the desk\'s agents when it lists them', async () => {
    await escalate('c-cmd-scope');
    const elsewhere = await (await desk.command('open', AGENT.id, 'C0RANDOM')).json();
    expect(elsewhere.text).toMatch(/^Switchboard desk commands work only in the desk channel \(<#C0DESK>\)/);
    expect(elsewhere.text).not.toContain('Customer c-cmd-scope');

    await desk.t.gateway.store.channels.update('slack-desk', { settings: { desk: { channel: DESK_CHANNEL, agents: [AGENT.id] } } });
    try {
      const outsider = await (await desk.command('open', COLLEAGUE.id)).json();
      expect(outsider.text).toMatch(/not on this desk's agent list/);
      expect(outsider.text).not.toContain('Customer c-cmd-scope');
      const listed = await (await desk.command('open', AGENT.id)).json();
      expect(listed.text).toContain('Customer c-cmd-scope');
    } finally {
      await desk.t.gateway.store.channels.update('slack-desk', { settings: { desk: { channel: DESK_CHANNEL } } });
    }
  });

  it('reminds the thread once when nobody claims an escalation in time', async () => {
    const { ts } = await escalate('c-sla');
    clock.advance(11 * 60_000);
    const reminder = await waitFor(() => desk.peer.accepted('chat.postMessage', DESK_CHANNEL).find((c) => c.form.thread_ts === ts && c.form.reply_broadcast === 'true'));
    expect(reminder.form.text).toContain('nobody has claimed it yet');
    clock.advance(11 * 60_000);
    await desk.command('status'); // any traffic; the scan runs on its own timer
    await waitFor(async () => (await desk.t.gateway.store.models.Conversation.countDocuments({ slaRemindedAt: { $exists: true }, status: 'pending' })) >= 1);
    expect(desk.peer.accepted('chat.postMessage', DESK_CHANNEL).filter((c) => c.form.thread_ts === ts && c.form.reply_broadcast === 'true')).toHaveLength(1);
  });

  it('retries a rate-limited card and posts it once', async () => {
    desk.peer.rateLimit('chat.postMessage', 0, DESK_CHANNEL);
    const { id } = await escalate('c-429');
    const card = await waitFor(async () => (await desk.t.gateway.store.desk.posts(new Types.ObjectId(id))).find((p) => p.kind === 'card' && p.status === 'done'));
    expect(card.attempts).toBe(2);
    const cards = desk.peer.accepted('chat.postMessage', DESK_CHANNEL).filter((c) => !c.form.thread_ts && (c.form.blocks ?? '').includes(id));
    expect(cards).toHaveLength(1);
  });

  it('rejects a forged desk click with 401 and changes nothing', async () => {
    const { id, ts } = await escalate('c-forged');
    const forged = await fetch(desk.webhook, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(Math.floor(clock.now().getTime() / 1000)), 'x-slack-signature': 'v0=deadbeef' },
      body: new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: AGENT.id }, channel: { id: DESK_CHANNEL }, container: { message_ts: ts }, actions: [{ type: 'button', action_id: 'x', value: deskActionValue('resolve', id), action_ts: '1.2' }] }) }).toString(),
    });
    expect(forged.status).toBe(401);
    expect((await conversation(id))!.status).toBe('pending');
  });
});
