import { mailToEvent } from '../../adapters/email/inbound';
import { emailSettingsOf } from '../../adapters/email/settings';
import { AGENT, startSlackDesk, type SlackDesk } from '../support/slack-desk';
import { rfc822, SmtpPeer } from '../support/smtp-peer';
import { until } from '../support/until';
import { OFFICE_HOURS, testClock } from '../support/clock';

/** An emailing customer handed to a Slack desk: the agent's thread reply goes out as a mail in the customer's thread. */
describe('hand-off of an email conversation to a Slack desk', () => {
  let desk: SlackDesk;
  let smtp: SmtpPeer;

  beforeAll(async () => {
    smtp = await new SmtpPeer().start();
    desk = await startSlackDesk('desk_email', { clock: testClock(OFFICE_HOURS).now });
  });
  afterAll(async () => {
    await desk.stop();
    await smtp.stop();
  });

  it('sends the agent reply from the agent, in the same mail thread', async () => {
    const channel = await desk.t.gateway.store.channels.ensure({
      id: 'email-desk',
      kind: 'email',
      name: 'Support inbox',
      settings: { imap: { host: '127.0.0.1', port: 9 }, smtp: { host: '127.0.0.1', port: smtp.port }, from: 'support@shop.example', fromName: 'Shop Support' },
      secrets: {},
    });
    const { event } = await mailToEvent(
      rfc822({ from: 'Ada <ada@example.com>', subject: 'Broken kettle', messageId: '<k1@example.com>', body: 'My kettle arrived broken. I want to talk to a human.' }),
      emailSettingsOf(channel),
    );
    await desk.t.gateway.deps.inbound.ingest(channel, event);
    const inbound = await until(desk.t, async () => desk.t.gateway.store.models.Message.findOne({ externalId: '<k1@example.com>' }).lean());
    const card = await until(desk.t, async () => desk.card(String(inbound.conversationId)), [desk.peer]);
    expect(card.blocks).toContain('email (Support inbox)');

    await desk.agentSays(card.ts, 'Hi Ada, so sorry — a new kettle is on its way today.');
    const mails = await until(desk.t, async () => {
      const list = smtp.to('ada@example.com').filter((m) => m.parsed.text?.includes('new kettle'));
      return list.length ? list : undefined;
    }, [smtp]);
    const reply = mails[0]!.parsed;
    expect(reply.from?.value[0]).toMatchObject({ name: `${AGENT.name} (Shop Support)`, address: 'support@shop.example' });
    expect(reply.inReplyTo).toBe('<k1@example.com>');
    expect(reply.subject).toBe('Re: Broken kettle');
    expect(reply.headers.get('auto-submitted')).toBeUndefined();
  });
});
