import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { automatedReason, mailToEvent, messageIds, subjectKey, visibleText } from '../../adapters/email/inbound';
import { composeReply, replySubject } from '../../adapters/email/outbound';
import { emailSettingsSchema } from '../../adapters/email/settings';
import { rfc822 } from '../support/smtp-peer';

const FIXTURES = join(__dirname, '../fixtures/channels/email');
const eml = (name: string) => readFileSync(join(FIXTURES, name));
/** Replies written by the common clients in many languages, with the words the customer wrote (see quotes.ts). */
const QUOTES: Array<{ name: string; body: string; visible: string }> = JSON.parse(readFileSync(join(FIXTURES, 'quotes.json'), 'utf8'));

const HTML_REPLIES: Array<{ name: string; html: string; visible: string }> = JSON.parse(readFileSync(join(FIXTURES, 'html-replies.json'), 'utf8'));

const settings = emailSettingsSchema.parse({ imap: { host: 'h', port: 1 }, smtp: { host: 'h', port: 2 }, from: 'support@shop.example', maxAttachmentBytes: 1000 });

describe('email parsing', () => {
  it('normalises subjects for threading: prefixes in many languages, repeated, and ticket tags', () => {
    expect(subjectKey('Re: RE: Fwd: [Ticket #12] Where is  my ORDER?')).toBe('where is my order?');
    expect(subjectKey('AW: WG: Rücksendung')).toBe('rücksendung');
    expect(subjectKey('SV: Re[2]: Faktura')).toBe('faktura');
    expect(replySubject('Re: hello')).toBe('Re: hello');
    expect(replySubject('hello')).toBe('Re: hello');
    expect(replySubject('')).toBe('Re: your message');
  });

  it('keeps only the new words of a reply: quoted history and signature go, the full text stays in raw', async () => {
    const body = ['Yes, the blue one please.', '', '-- ', 'Ada Lovelace', 'Analytical Engines Ltd', '', 'On Tue, 24 Nov 2026 at 10:00, Shop Support <support@shop.example> wrote:', '> Which colour would you like?', '> Blue or red?'].join('\n');
    expect(visibleText(body)).toBe('Yes, the blue one please.');
    expect(visibleText('Thanks!\n\n-----Original Message-----\nFrom: Shop\nSent: today\nOld text')).toBe('Thanks!');
    const { event } = await mailToEvent(rfc822({ from: 'ada@example.com', messageId: '<q@x>', body }), settings);
    if (event.kind !== 'message') throw new Error('expected a message');
    expect(event.parts).toEqual([{ type: 'text', text: 'Yes, the blue one please.' }]);
    expect(event.raw.text).toContain('Blue or red?');
  });

  it('an HTML-only mail nested 10,000 elements deep is still read (the converter overflows; the words are kept)', async () => {
    const html = '<div>'.repeat(10_000) + 'Where is my order &amp; invoice?' + '</div>'.repeat(10_000);
    const { event } = await mailToEvent(rfc822({ from: 'deep@example.com', messageId: '<deep@x>', contentType: 'text/html; charset=utf-8', body: html }), settings);
    if (event.kind !== 'message') throw new Error('expected a message');
    expect(event.parts).toEqual([{ type: 'text', text: 'Where is my order & invoice?' }]);
  });

  it.each(QUOTES.map((q) => [q.name, q] as const))('keeps only the customer’s words of a %s reply', (_name, q) => {
    expect(visibleText(q.body)).toBe(q.visible);
  });

  it.each(HTML_REPLIES.map((h) => [h.name, h] as const))('keeps only the customer’s words of an HTML-only %s reply', async (name, h) => {
    const { event } = await mailToEvent(rfc822({ from: 'ada@example.com', messageId: `<html-${name}@x>`, contentType: 'text/html; charset=utf-8', body: h.html }), settings);
    expect(event.kind === 'message' && event.parts).toEqual([{ type: 'text', text: h.visible }]);
  });

  it('dates a mail without a Date header by when it was received, never 1970', async () => {
    const at = new Date('2026-11-26T07:20:00Z');
    const fetched = (await mailToEvent(eml('no-date.eml'), settings, { receivedAt: at })).event;
    expect(fetched.kind === 'message' && fetched.sentAt).toEqual(at);
    // Without the server's INTERNALDATE: the newest Received header; without that either: now.
    const received = (await mailToEvent(eml('no-date.eml'), settings)).event;
    expect(received.kind === 'message' && received.sentAt).toEqual(new Date('2026-11-26T07:15:30Z'));
    const before = Date.now();
    const bare = (await mailToEvent(Buffer.from('From: a@example.com\r\nMessage-ID: <bare@x>\r\n\r\nhello\r\n'), settings)).event;
    expect(bare.kind === 'message' && bare.sentAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(bare.kind === 'message' && bare.raw.date).toBeUndefined();
  });

  it('splits an In-Reply-To naming several mails, and References separated by commas', async () => {
    const { event } = await mailToEvent(eml('multi-in-reply-to.eml'), settings);
    if (event.kind !== 'message') throw new Error('expected a message');
    expect(event.raw.inReplyTo).toBe('<reply-1@shop.example>');
    expect(event.raw.inReplyToIds).toEqual(['<reply-1@shop.example>', '<CAF=ab12cd34@mail.gmail.com>']);
    expect(event.raw.references).toEqual(['<orig-1@example.com>', '<reply-1@shop.example>']);
    expect(messageIds('<a@x> (Ada\'s message) <b@y>')).toEqual(['<a@x>', '<b@y>']);
    expect(messageIds(['<a@x>', 'c@z'])).toEqual(['<a@x>', '<c@z>']);
    expect(messageIds(undefined)).toEqual([]);
  });

  it('stores a bounce whose From is empty or has no domain, flagged so it is never answered, threaded to the returned mail', async () => {
    const { event } = await mailToEvent(eml('bounce-null-sender.eml'), settings);
    expect(event).toMatchObject({ kind: 'message', automated: 'bounce', from: { externalId: 'mailer-daemon@mx.example.net', displayName: 'Mail Delivery System' }, address: { to: 'mailer-daemon@mx.example.net' } });
    if (event.kind !== 'message') throw new Error('expected a message');
    expect(event.raw.references).toContain('<reply-7.0@shop.example>');
    expect(event.parts[0]).toMatchObject({ type: 'text', text: expect.stringContaining('could not') });
    const qmail = (await mailToEvent(eml('bounce-no-domain.eml'), settings)).event;
    expect(qmail).toMatchObject({ kind: 'message', automated: 'bounce', from: { externalId: 'mailer-daemon@mail.example.org' } });
  });

  it('records every attachment, and stores the content only below the size limit', async () => {
    const boundary = 'b0undary';
    const raw = [
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Photos of the damage attached.',
      `--${boundary}`,
      'Content-Type: image/png; name="small.png"',
      'Content-Disposition: attachment; filename="small.png"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(100, 1).toString('base64'),
      `--${boundary}`,
      'Content-Type: application/pdf; name="big.pdf"',
      'Content-Disposition: attachment; filename="big.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(5000, 2).toString('base64'),
      `--${boundary}--`,
    ].join('\r\n');
    const { event, attachments } = await mailToEvent(rfc822({ from: 'ada@example.com', messageId: '<att@x>', contentType: `multipart/mixed; boundary="${boundary}"`, raw }), settings);
    expect(attachments.map((a) => [a.filename, a.size, a.content?.length])).toEqual([
      ['small.png', 100, 100],
      ['big.pdf', 5000, undefined],
    ]);
    if (event.kind !== 'message') throw new Error('expected a message');
    expect(event.parts).toEqual([
      { type: 'text', text: 'Photos of the damage attached.' },
      { type: 'media', url: 'attachment:0', mimeType: 'image/png', sizeBytes: 100, name: 'small.png' },
      { type: 'media', url: 'attachment:1', mimeType: 'application/pdf', sizeBytes: 5000, name: 'big.pdf' },
    ]);
  });

  it('gives mail without a Message-ID a stable id from its bytes, and mail without a sender is unsupported', async () => {
    const noId = Buffer.from('From: a@example.com\r\nSubject: x\r\n\r\nhello\r\n');
    const [a, b] = await Promise.all([mailToEvent(noId, settings), mailToEvent(noId, settings)]);
    expect(a.event.kind === 'message' && a.event.externalId).toMatch(/^<sha256\.[0-9a-f]{32}@switchboard\.invalid>$/);
    expect(a.event.kind === 'message' && b.event.kind === 'message' && a.event.externalId === b.event.externalId).toBe(true);
    expect((await mailToEvent(Buffer.from('Subject: x\r\n\r\nhello\r\n'), settings)).event.kind).toBe('unsupported');
  });

  it('flags machine mail by its headers and senders', async () => {
    const reason = async (headers: Record<string, string>, from = 'x@example.com') => {
      const { event } = await mailToEvent(rfc822({ from, messageId: `<${Object.keys(headers).join()}-${from}>`, headers, body: 'x' }), settings);
      return event.kind === 'message' ? event.automated : 'unsupported';
    };
    expect(await reason({ 'Auto-Submitted': 'no' })).toBeUndefined();
    expect(await reason({ 'Auto-Submitted': 'auto-generated' })).toBe('auto-submitted: auto-generated');
    expect(await reason({ 'Return-Path': '<>' })).toBe('null return path');
    expect(await reason({ 'Content-Type': 'multipart/report; report-type=delivery-status; boundary="z"' })).toBe('delivery report');
    expect(await reason({}, 'noreply@example.com')).toBe('sender noreply@example.com');
    expect(automatedReason({ headers: new Map() } as never, { address: 'support@shop.example' }, 'support@shop.example')).toBe('our own address');
  });

  it('composes an agent reply from the agent, without the auto-reply headers', () => {
    const mail = composeReply(
      { to: 'ada@example.com', extra: { messageId: '<m1@x>', references: '<m0@x> <m1@x>', subject: 'Order', quote: 'Where is it?', quoteFrom: 'Ada <ada@example.com>' } },
      { text: 'It ships <b>today</b>.', format: 'html', parts: [], authorKind: 'agent', authorName: 'Dana', messageId: 'abc', conversationId: 'c', chunkIndex: 0 },
      { ...settings, fromName: 'Shop Support' },
    );
    expect(mail).toMatchObject({ from: { name: 'Dana (Shop Support)', address: 'support@shop.example' }, subject: 'Re: Order', inReplyTo: '<m1@x>', references: ['<m0@x>', '<m1@x>'], messageId: '<abc.0@shop.example>', headers: {} });
    expect(mail.text).toBe('It ships today.\n\nOn an earlier date, Ada <ada@example.com> wrote:\n> Where is it?');
  });
});
