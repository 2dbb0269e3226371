import { appendMail, startDovecot, type Dovecot } from '../support/dovecot';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { rfc822, SmtpPeer } from '../support/smtp-peer';
import { until } from '../support/until';

/** The whole mail loop with real servers: dovecot delivers over IMAP (IDLE), replies leave through a real SMTP server. */
describe('email end to end: IMAP in, SMTP out', () => {
  let dovecot: Dovecot;
  let smtp: SmtpPeer;
  let t: TestGateway;

  beforeAll(async () => {
    [dovecot, smtp] = await Promise.all([startDovecot(), new SmtpPeer().start()]);
    t = await startTestGateway('email_e2e');
    await t.gateway.store.channels.ensure({
      id: 'email-e2e',
      kind: 'email',
      name: 'Support inbox',
      settings: { imap: { host: dovecot.host, port: dovecot.port }, smtp: { host: '127.0.0.1', port: smtp.port }, from: 'support@shop.example', fromName: 'Shop Support' },
      secrets: { imapUser: dovecot.user, imapPassword: dovecot.password },
    });
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  const mailsTo = (address: string, count: number) => until(t, async () => (smtp.to(address).length >= count ? smtp.to(address) : undefined), [smtp]);

  it('answers a new mail in its thread, threads the reply to our reply, and leaves an auto-reply unanswered', async () => {
    await appendMail(dovecot, 'INBOX', [rfc822({ from: 'Ada <ada@example.com>', subject: 'Returns', messageId: '<e2e-1@example.com>', body: 'How do I return an item?' })]);
    const [first] = await mailsTo('ada@example.com', 1);
    expect(first!.parsed).toMatchObject({ subject: 'Re: Returns', inReplyTo: '<e2e-1@example.com>' });

    await appendMail(dovecot, 'INBOX', [
      rfc822({ from: 'Ada <ada@example.com>', subject: 'Re: Returns', messageId: '<e2e-2@example.com>', headers: { 'In-Reply-To': first!.parsed.messageId!, References: `<e2e-1@example.com> ${first!.parsed.messageId}` }, body: 'Can I pay with PayPal?' }),
      rfc822({ from: 'Ada <ada@example.com>', subject: 'Automatic reply: Returns', messageId: '<e2e-3@example.com>', headers: { 'Auto-Submitted': 'auto-replied' }, body: 'I am away until Monday.' }),
    ]);
    const [, second] = await mailsTo('ada@example.com', 2);
    expect(second!.parsed.inReplyTo).toBe('<e2e-2@example.com>');
    const rows = await until(t, async () => {
      const list = await t.gateway.store.models.Message.find({ channelId: 'email-e2e', direction: 'inbound', 'processing.state': 'done' }).lean();
      return list.length === 3 ? list : undefined;
    });
    expect(new Set(rows.filter((r) => !r.automated).map((r) => String(r.conversationId))).size).toBe(1);
    expect(rows.find((r) => r.externalId === '<e2e-3@example.com>')!.processing?.outcome).toBe('silent:automated');
    expect(smtp.to('ada@example.com')).toHaveLength(2);
  });
});
