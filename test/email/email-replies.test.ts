import { Types } from 'mongoose';
import { mailToEvent } from '../../adapters/email/inbound';
import { emailSettingsOf } from '../../adapters/email/settings';
import type { ChannelInstance } from '../../adapters/types';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { rfc822, SmtpPeer } from '../support/smtp-peer';
import { until } from '../support/until';

const SUPPORT = 'support@shop.example';

/**
 * Mail in, mail out, without IMAP: each mail goes through the same call the IMAP intake makes (MIME → event →
 * the inbound router, where threading happens) and replies leave through a real SMTP server on loopback.
 */
describe('email channel: threading, loop guards and SMTP replies', () => {
  let t: TestGateway;
  let smtp: SmtpPeer;
  let channel: ChannelInstance;

  beforeAll(async () => {
    smtp = await new SmtpPeer().start();
    t = await startTestGateway('email_replies');
    channel = await t.gateway.store.channels.ensure({
      id: 'email-test',
      kind: 'email',
      name: 'Support inbox',
      // IMAP is not used here (port 9 refuses): mail is handed to the router directly.
      settings: { imap: { host: '127.0.0.1', port: 9 }, smtp: { host: '127.0.0.1', port: smtp.port }, from: SUPPORT, fromName: 'Shop Support', signature: 'Shop Support · help.example' },
      secrets: {},
    });
  });
  afterAll(async () => {
    await t.stop();
    await smtp.stop();
  });

  const receive = async (raw: Buffer) => {
    const { event } = await mailToEvent(raw, emailSettingsOf(channel));
    return t.gateway.deps.inbound.ingest(channel, event);
  };
  const mailsTo = (address: string, count: number) => until(t, async () => (smtp.to(address).length >= count ? smtp.to(address) : undefined), [smtp]);
  const conversationOf = async (messageId: string) => (await t.gateway.store.models.Message.findOne({ channelId: channel.id, externalId: messageId }).lean())!.conversationId;

  it('answers a new mail in its thread with the right headers, and threads the reply to our reply', async () => {
    await receive(rfc822({ from: 'Ada <ada@example.com>', subject: 'Returns question', messageId: '<m1@example.com>', body: 'Hello,\nhow do I return an item?\nThanks, Ada' }));
    const [first] = await mailsTo('ada@example.com', 1);
    const reply = first!.parsed;
    expect(reply.subject).toBe('Re: Returns question');
    expect(reply.inReplyTo).toBe('<m1@example.com>');
    expect([reply.references].flat()).toEqual(['<m1@example.com>']);
    expect(reply.messageId).toMatch(/@shop\.example>$/);
    expect(reply.from?.value[0]).toMatchObject({ address: SUPPORT, name: 'Shop Support' });
    expect(reply.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply.text).toContain('Sources:');
    expect(reply.text).toContain('Shop Support · help.example');
    expect(reply.text).toContain('> how do I return an item?');
    expect(typeof reply.html).toBe('string');

    // The customer answers our reply: same conversation, and our next reply continues the chain.
    await receive(
      rfc822({
        from: 'Ada <ada@example.com>',
        subject: 'Re: Returns question',
        messageId: '<m2@example.com>',
        headers: { 'In-Reply-To': reply.messageId!, References: `<m1@example.com> ${reply.messageId}` },
        body: `Can I pay with PayPal?\n\nOn Wed, 25 Nov 2026, Shop Support wrote:\n> ${reply.text!.split('\n')[0]}`,
      }),
    );
    const [, second] = await mailsTo('ada@example.com', 2);
    expect(String(await conversationOf('<m2@example.com>'))).toBe(String(await conversationOf('<m1@example.com>')));
    expect(second!.parsed.inReplyTo).toBe('<m2@example.com>');
    expect([second!.parsed.references].flat()).toEqual(['<m1@example.com>', reply.messageId, '<m2@example.com>']);
    // The brain read only the new words, not the quoted history (which is kept in full in raw).
    const stored = await t.gateway.store.models.Message.findOne({ externalId: '<m2@example.com>' }).lean();
    expect(stored!.text).toBe('Can I pay with PayPal?');
    expect(stored!.raw).toContain('Shop Support wrote');
  });

  it('threads a reply whose In-Reply-To names several mails (ours among them), without References', async () => {
    await receive(rfc822({ from: 'gil@example.com', subject: 'Warranty', messageId: '<gil1@example.com>', body: 'Is the kettle under warranty?' }));
    const [first] = await mailsTo('gil@example.com', 1);
    await receive(
      rfc822({ from: 'gil@example.com', subject: 'Other words entirely', messageId: '<gil2@example.com>', headers: { 'In-Reply-To': `<elsewhere-1@mail.example.org>\r\n ${first!.parsed.messageId}` }, body: 'It was bought in May.' }),
    );
    await mailsTo('gil@example.com', 2);
    expect(String(await conversationOf('<gil2@example.com>'))).toBe(String(await conversationOf('<gil1@example.com>')));
  });

  it('stores a bounce with an empty From, unanswered, on the thread of the reply it returns', async () => {
    await receive(rfc822({ from: 'hal@example.com', subject: 'Address change', messageId: '<h1@example.com>', body: 'Please change my delivery address.' }));
    const [first] = await mailsTo('hal@example.com', 1);
    const boundary = 'B0UNCE';
    const raw = [
      `--${boundary}`,
      'Content-Type: text/plain; charset=us-ascii',
      '',
      'Your message could not be delivered: 550 5.1.1 mailbox unavailable.',
      `--${boundary}`,
      'Content-Type: message/rfc822',
      '',
      `Message-ID: ${first!.parsed.messageId}`,
      'From: support@shop.example',
      'To: hal@example.com',
      '',
      'Your address was changed.',
      `--${boundary}--`,
    ].join('\r\n');
    const id = '<bounce-h1@mx.example.net>';
    await receive(rfc822({ from: 'Mail Delivery System <>', subject: 'Undelivered Mail Returned to Sender', messageId: id, headers: { 'Return-Path': '<>' }, contentType: `multipart/report; report-type=delivery-status; boundary="${boundary}"`, raw }));
    const bounce = await until(t, async () => t.gateway.store.models.Message.findOne({ externalId: id, 'processing.state': 'done' }).lean());
    expect(bounce).toMatchObject({ automated: 'bounce', processing: { outcome: 'silent:automated' } });
    expect(smtp.to('mailer-daemon@mx.example.net')).toHaveLength(0);
    const [bounced, original] = await Promise.all([t.gateway.store.conversations.get(bounce.conversationId), t.gateway.store.conversations.get(await conversationOf('<h1@example.com>'))]);
    expect(bounced?.address).toMatchObject({ to: 'mailer-daemon@mx.example.net', threadId: original?.address.threadId });
  });

  it('threads a mail without headers by sender and subject within the window; another subject starts a new conversation', async () => {
    await receive(rfc822({ from: 'bob@example.com', subject: 'Delivery times', messageId: '<b1@example.com>', body: 'How long does delivery take?' }));
    await mailsTo('bob@example.com', 1);
    await receive(rfc822({ from: 'bob@example.com', subject: 'RE: [Ticket] Delivery times', messageId: '<b2@example.com>', body: 'And to Austria?' }));
    await receive(rfc822({ from: 'bob@example.com', subject: 'Invoice', messageId: '<b3@example.com>', body: 'Where can I download my invoice?' }));
    await mailsTo('bob@example.com', 3);
    const [c1, c2, c3] = await Promise.all(['<b1@example.com>', '<b2@example.com>', '<b3@example.com>'].map(conversationOf));
    expect(String(c2)).toBe(String(c1));
    expect(String(c3)).not.toBe(String(c1));
  });

  it.each([
    ['an auto-reply (RFC 3834)', { 'Auto-Submitted': 'auto-replied' }, 'auto@example.com'],
    ['an out-of-office with X-Autoreply', { 'X-Autoreply': 'yes' }, 'ooo@example.com'],
    ['list mail', { 'List-Id': '<news.example.com>', Precedence: 'list' }, 'news@example.com'],
    ['a bounce from the mailer daemon', {}, 'mailer-daemon@example.com'],
    ['bulk mail', { Precedence: 'bulk' }, 'promo@example.com'],
  ])('stores %s without answering it', async (_label, headers, from) => {
    const id = `<auto-${from}>`;
    await receive(rfc822({ from, subject: 'Automatic reply: Returns question', messageId: id, headers, body: 'I am out of the office until Monday.' }));
    const message = await until(t, async () => t.gateway.store.models.Message.findOne({ externalId: id, 'processing.state': 'done' }).lean());
    expect(message.automated).toBeTruthy();
    expect(message.processing?.outcome).toBe('silent:automated');
    expect(await t.gateway.store.models.Message.countDocuments({ replyTo: message._id })).toBe(0);
    expect(smtp.to(from)).toHaveLength(0);
  });

  it('never answers mail from its own address', async () => {
    const result = await receive(rfc822({ from: SUPPORT, subject: 'Re: Returns question', messageId: '<self@shop.example>', body: 'our own reply, seen again' }));
    expect(result).toEqual({ kind: 'ignored', reason: 'own message' });
  });

  it('reads HTML-only mail, Latin-1 bodies and broken MIME without crashing', async () => {
    await receive(rfc822({ from: 'cy@example.com', subject: 'Return', messageId: '<c1@example.com>', contentType: 'text/html; charset=utf-8', body: '<p>How do I <b>return</b> an item?</p><img src="cid:x">' }));
    await receive(rfc822({ from: 'de@example.com', subject: 'Rückgabe', messageId: '<d1@example.com>', contentType: 'text/plain; charset=iso-8859-1', raw: 'Grüße aus Köln, wie gebe ich etwas zurück?' }));
    await receive(rfc822({ from: 'ed@example.com', subject: 'Broken', messageId: '<e1@example.com>', contentType: 'multipart/mixed; boundary="nope"', raw: '--wrong\r\nContent-Type: text/plain\r\n\r\nhello?' }));
    const stored = async (id: string) => until(t, async () => t.gateway.store.models.Message.findOne({ externalId: id }).lean());
    expect((await stored('<c1@example.com>')).text).toBe('How do I return an item?');
    expect((await stored('<d1@example.com>')).text).toBe('Grüße aus Köln, wie gebe ich etwas zurück?');
    expect((await stored('<e1@example.com>'))).toBeTruthy();
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });

  it('retries a 450 and records a 550 on the message', async () => {
    smtp.rejectNext(450, 'fay@example.com');
    await receive(rfc822({ from: 'fay@example.com', subject: 'Return', messageId: '<f1@example.com>', body: 'How do I return an item?' }));
    await mailsTo('fay@example.com', 1);
    // The SMTP server holds the mail before the worker records the send: wait for the row to say so.
    const question = (await t.gateway.store.models.Message.findOne({ externalId: '<f1@example.com>' }).lean())!;
    const delivered = await until(t, async () => {
      const reply = await t.gateway.store.models.Message.findOne({ replyTo: question._id }).lean();
      return reply?.delivery?.status === 'sent' && reply;
    });
    expect(delivered.delivery).toMatchObject({ status: 'sent', attempts: 2 });

    smtp.rejectNext(550, 'gus@example.com');
    await receive(rfc822({ from: 'gus@example.com', subject: 'Return', messageId: '<g1@example.com>', body: 'How do I return an item?' }));
    const inbound = await until(t, async () => t.gateway.store.models.Message.findOne({ externalId: '<g1@example.com>' }).lean());
    const failed = await until(t, async () => t.gateway.store.models.Message.findOne({ replyTo: new Types.ObjectId(String(inbound._id)), 'delivery.status': 'failed' }).lean());
    expect(failed.delivery?.error?.code).toBe('rejected:smtp_550');
  });
});
