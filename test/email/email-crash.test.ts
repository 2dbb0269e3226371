import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { appendMail, imapClient, rawMail, startDovecot, type Dovecot } from '../support/dovecot';
import { startTestGateway } from '../support/gateway';
import { SmtpPeer } from '../support/smtp-peer';
import { until } from '../support/until';

/**
 * A gateway SIGKILLed while it is answering a batch of mail, and another one taking over: every mail gets one
 * answer. "One answer" is one Message-ID: SMTP has no acknowledgement we can store atomically with the send, so a
 * reply accepted by the server just before the kill may be sent again after it — with the same Message-ID (derived
 * from our message id), which receivers and our own threading treat as one mail. A second, different answer to
 * the same mail would be a re-answer; there must be none.
 */
describe('email: crash while answering', () => {
  let dovecot: Dovecot;
  let smtp: SmtpPeer;

  beforeAll(async () => {
    [dovecot, smtp] = await Promise.all([startDovecot(), new SmtpPeer().start()]);
  });
  afterAll(async () => {
    await Promise.all([dovecot?.stop(), smtp?.stop()]);
  });

  it('resumes after SIGKILL without answering any mail twice', async () => {
    const total = 60;
    await appendMail(
      dovecot,
      'INBOX',
      Array.from({ length: total }, (_, i) => rawMail({ messageId: `<crash-${i}@customer.example>`, from: `c${i}@customer.example`, subject: 'Returns', text: 'How do I return an item?' })),
    );
    const t = await startTestGateway('email_crash', { startWorkers: false });
    try {
      await t.gateway.store.channels.ensure({
        id: 'mail-crash',
        kind: 'email',
        name: 'Support',
        settings: { imap: { host: dovecot.host, port: dovecot.port }, smtp: { host: '127.0.0.1', port: smtp.port }, from: 'support@shop.example' },
        secrets: { imapUser: dovecot.user, imapPassword: dovecot.password },
      });
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, '..', 'support', 'email-worker.ts'), t.connection.name, t.keyHex], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = once(child, 'exit');
      try {
        // Killed mid-batch: some mail answered, some stored but unanswered, some not yet read.
        await until(t, async () => smtp.received.length >= 10, [smtp]);
        child.kill('SIGKILL');
        await exited;
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      expect(smtp.received.length).toBeLessThan(total);

      // This process takes over the mailbox (after the dead one's lease lapses) and the unfinished work.
      t.gateway.startWorkers();
      const answered = () => new Set(smtp.received.map((m) => m.parsed.inReplyTo)).size;
      await until(t, async () => answered() >= total, [smtp]);
      const idsPerMail = new Map<string, Set<string>>();
      for (const m of smtp.received) {
        const key = String(m.parsed.inReplyTo);
        idsPerMail.set(key, (idsPerMail.get(key) ?? new Set()).add(String(m.parsed.messageId)));
      }
      expect(idsPerMail.size).toBe(total);
      expect([...idsPerMail.values()].every((ids) => ids.size === 1)).toBe(true);
      expect(await t.gateway.store.models.Message.countDocuments({ channelId: 'mail-crash', direction: 'inbound' })).toBe(total);
      expect(await t.gateway.store.models.Message.countDocuments({ channelId: 'mail-crash', direction: 'outbound' })).toBe(total);
    } finally {
      await t.stop();
    }
  }, 90_000);

  it('answers a storm of 1,000 mails: nothing lost, no mail answered twice', async () => {
    const total = 1000;
    const admin = await imapClient(dovecot);
    await admin.mailboxCreate('Storm');
    await admin.logout();
    await appendMail(
      dovecot,
      'Storm',
      Array.from({ length: total }, (_, i) => rawMail({ messageId: `<storm-${i}@customer.example>`, from: `s${i}@storm.example`, subject: 'Returns', text: 'How do I return an item?' })),
    );
    const t = await startTestGateway('email_storm', { env: { WORKERS: '4' } });
    try {
      await t.gateway.store.channels.ensure({
        id: 'mail-storm',
        kind: 'email',
        name: 'Support',
        settings: { imap: { host: dovecot.host, port: dovecot.port, mailboxes: ['Storm'] }, smtp: { host: '127.0.0.1', port: smtp.port }, from: 'support@shop.example' },
        secrets: { imapUser: dovecot.user, imapPassword: dovecot.password },
      });
      const stormReplies = () => smtp.received.filter((m) => String(m.parsed.inReplyTo).startsWith('<storm-'));
      await until(t, async () => new Set(stormReplies().map((m) => m.parsed.inReplyTo)).size >= total, [smtp]);
      const replies = stormReplies();
      expect(new Set(replies.map((m) => m.parsed.inReplyTo)).size).toBe(total);
      expect(new Set(replies.map((m) => m.parsed.messageId)).size).toBe(total);
      expect(await t.gateway.store.models.Message.countDocuments({ channelId: 'mail-storm', direction: 'inbound' })).toBe(total);
    } finally {
      await t.stop();
    }
  }, 300_000);
});
