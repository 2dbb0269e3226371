import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { PROCESSED_KEYWORD } from '../../adapters/email/imap';
import { appendMail, imapClient, rawMail, startDovecot, type Dovecot } from '../support/dovecot';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

/** IMAP intake against a real dovecot: each test reads its own mailbox on its own email channel. */
describe('email: IMAP intake', () => {
  let dovecot: Dovecot;

  beforeAll(async () => {
    dovecot = await startDovecot();
  });
  afterAll(async () => {
    await dovecot?.stop();
  });

  const seed = async (t: TestGateway, id: string, imap: Record<string, unknown>) => {
    await t.gateway.store.channels.ensure({
      id,
      kind: 'email',
      name: `Support ${id}`,
      settings: { imap: { host: dovecot.host, port: dovecot.port, ...imap }, smtp: { host: '127.0.0.1', port: 9 }, from: 'support@shop.example' },
      secrets: { imapUser: dovecot.user, imapPassword: dovecot.password },
    });
  };
  const inbound = (t: TestGateway, channelId: string) =>
    t.gateway.store.models.Message.find({ channelId, direction: 'inbound' }).sort({ receivedAt: 1 }).lean();
  const countInbound = (t: TestGateway, channelId: string) => t.gateway.store.models.Message.countDocuments({ channelId, direction: 'inbound' });
  const createMailbox = async (path: string) => {
    const c = await imapClient(dovecot);
    try {
      await c.mailboxCreate(path);
    } finally {
      await c.logout();
    }
  };
  /** Flags of every message in a mailbox, by UID. */
  const flagsIn = async (path: string) => {
    const c = await imapClient(dovecot);
    try {
      const lock = await c.getMailboxLock(path);
      try {
        const out = new Map<number, Set<string>>();
        if ((c.mailbox && c.mailbox.exists) || 0) for await (const m of c.fetch('1:*', { uid: true, flags: true })) out.set(m.uid, m.flags ?? new Set());
        return out;
      } finally {
        lock.release();
      }
    } finally {
      await c.logout();
    }
  };
  /** Bounded poll for state outside the gateway's events (the IMAP server's flags). */
  const poll = async <T>(check: () => Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await check();
      if (value) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('ingests a mail appended to INBOX as an inbound message, advances the cursor and flags the mail', async () => {
    const t = await startTestGateway('imap_basic');
    try {
      await seed(t, 'mail-basic', {});
      await appendMail(dovecot, 'INBOX', [rawMail({ messageId: '<basic-1@customer.example>', text: 'My parcel never came.' })]);
      const [message] = await until(t, async () => {
        const rows = await inbound(t, 'mail-basic');
        return rows.length > 0 && rows;
      });
      expect(message).toMatchObject({ channelId: 'mail-basic', externalId: '<basic-1@customer.example>' });
      expect(JSON.stringify(message!.parts)).toContain('My parcel never came.');
      const cursor = await poll(async () => {
        const c = await t.gateway.store.mailCursors.get('mail-basic', 'INBOX');
        return c?.lastUid === 1 ? c : undefined;
      });
      expect(cursor.uidValidity).toMatch(/^\d+$/);
      const flags = await poll(async () => {
        const f = (await flagsIn('INBOX')).get(1);
        return f?.has(PROCESSED_KEYWORD) && f;
      });
      expect([...flags]).toEqual(expect.arrayContaining(['\\Seen', PROCESSED_KEYWORD]));
    } finally {
      await t.stop();
    }
  });

  it('moves processed mail to processedFolder (created if missing) and stores attachments idempotently', async () => {
    await createMailbox('Orders');
    const t = await startTestGateway('imap_move');
    try {
      await seed(t, 'mail-move', { mailboxes: ['Orders'], processedFolder: 'Processed' });
      const withAttachment = [
        'From: Bo <bo@customer.example>',
        'To: support@shop.example',
        'Subject: Broken item',
        'Message-ID: <move-1@customer.example>',
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'It arrived broken, photo attached.',
        '--b1',
        'Content-Type: image/png; name="photo.png"',
        'Content-Disposition: attachment; filename="photo.png"',
        'Content-Transfer-Encoding: base64',
        '',
        Buffer.from('not really a png').toString('base64'),
        '--b1--',
        '',
      ].join('\r\n');
      await appendMail(dovecot, 'Orders', [withAttachment]);
      await until(t, async () => (await countInbound(t, 'mail-move')) === 1);
      const moved = await poll(async () => {
        const [left, done] = [await flagsIn('Orders'), await flagsIn('Processed')];
        return left.size === 0 && done.size === 1 && [...done.values()][0];
      });
      expect([...moved]).toEqual(expect.arrayContaining(['\\Seen', PROCESSED_KEYWORD]));
      const attachments = await t.gateway.store.attachments.list('mail-move', '<move-1@customer.example>');
      expect(attachments).toHaveLength(1);
      expect(attachments[0]).toMatchObject({ _id: 'mail-move:<move-1@customer.example>:0', filename: 'photo.png', contentType: 'image/png', stored: true });
      const data = attachments[0]!.data as unknown;
      // lean() gives the driver's Binary, not a Buffer.
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from((data as { buffer: Uint8Array }).buffer);
      expect(bytes.toString()).toBe('not really a png');
      // A second save of the same mail (a re-read after a crash) changes nothing.
      await t.gateway.store.attachments.saveAll('mail-move', '<move-1@customer.example>', [{ index: 0, contentType: 'text/plain', size: 1 }]);
      expect(await t.gateway.store.attachments.list('mail-move', '<move-1@customer.example>')).toMatchObject([{ contentType: 'image/png', stored: true }]);
    } finally {
      await t.stop();
    }
  });

  it('does not re-ingest after a restart and picks up mail that arrived while it was down', async () => {
    await createMailbox('Restart');
    const base = await startTestGateway('imap_restart', { startWorkers: false });
    try {
      await seed(base, 'mail-restart', { mailboxes: ['Restart'] });
      const first = await startTestGateway('imap_restart', { shareWith: base });
      await appendMail(dovecot, 'Restart', [rawMail({ messageId: '<restart-1@customer.example>' })]);
      await until(first, async () => (await countInbound(first, 'mail-restart')) === 1);
      await poll(async () => (await first.gateway.store.mailCursors.get('mail-restart', 'Restart'))?.lastUid === 1);
      await first.stop();

      await appendMail(dovecot, 'Restart', [rawMail({ messageId: '<restart-2@customer.example>', text: 'Sent while you were down' })]);
      const second = await startTestGateway('imap_restart', { shareWith: base });
      try {
        await until(second, async () => (await countInbound(second, 'mail-restart')) >= 2);
        const ids = (await inbound(second, 'mail-restart')).map((m) => m.externalId);
        expect(ids).toEqual(['<restart-1@customer.example>', '<restart-2@customer.example>']);
        await poll(async () => (await second.gateway.store.mailCursors.get('mail-restart', 'Restart'))?.lastUid === 2);
      } finally {
        await second.stop();
      }
    } finally {
      await base.stop();
    }
  });

  it('reads a mailbox again when its UIDVALIDITY changes, without duplicating what it already has', async () => {
    await createMailbox('Validity');
    const base = await startTestGateway('imap_validity', { startWorkers: false });
    try {
      await seed(base, 'mail-validity', { mailboxes: ['Validity'] });
      const first = await startTestGateway('imap_validity', { shareWith: base });
      await appendMail(dovecot, 'Validity', [rawMail({ messageId: '<validity-1@customer.example>' })]);
      await until(first, async () => (await countInbound(first, 'mail-validity')) === 1);
      const before = await poll(async () => {
        const c = await first.gateway.store.mailCursors.get('mail-validity', 'Validity');
        return c?.lastUid === 1 ? c : undefined;
      });
      await first.stop();

      // The mailbox is deleted and created again (new UIDVALIDITY); the old mail comes back with it, plus a new one.
      // Done while no session has it selected: a live delete + re-create races inside dovecot (the stale session can
      // finish deleting the new mailbox). A live change is noticed by the periodic re-SELECT (IMAP_POLL_MS).
      const admin = await imapClient(dovecot);
      try {
        await admin.mailboxDelete('Validity');
        await admin.mailboxCreate('Validity');
        await admin.append('Validity', Buffer.from(rawMail({ messageId: '<validity-1@customer.example>' })));
        await admin.append('Validity', Buffer.from(rawMail({ messageId: '<validity-2@customer.example>', text: 'second' })));
      } finally {
        await admin.logout();
      }
      const second = await startTestGateway('imap_validity', { shareWith: base });
      try {
        const after = await poll(async () => {
          const c = await second.gateway.store.mailCursors.get('mail-validity', 'Validity');
          return c && c.uidValidity !== before.uidValidity && c.lastUid === 2 ? c : undefined;
        });
        expect(after.lastUid).toBe(2);
        const ids = (await inbound(second, 'mail-validity')).map((m) => m.externalId).sort();
        expect(ids).toEqual(['<validity-1@customer.example>', '<validity-2@customer.example>']);
      } finally {
        await second.stop();
      }
    } finally {
      await base.stop();
    }
  });

  it('ingests a storm of 1,000 mails exactly once', async () => {
    await createMailbox('Storm');
    // Intake only: the connection host runs, the reply workers do not (1,000 brain replies are another test's load).
    const t = await startTestGateway('imap_storm', { startWorkers: false });
    t.gateway.connections.start();
    try {
      await seed(t, 'mail-storm', { mailboxes: ['Storm'] });
      const started = Date.now();
      await appendMail(
        dovecot,
        'Storm',
        Array.from({ length: 1000 }, (_, i) => rawMail({ messageId: `<storm-${i}@customer.example>`, text: `storm mail ${i}` })),
      );
      await until(t, async () => (await countInbound(t, 'mail-storm')) >= 1000);
      const ids = await t.gateway.store.models.Message.distinct('externalId', { channelId: 'mail-storm', direction: 'inbound' });
      expect(ids).toHaveLength(1000);
      expect(await countInbound(t, 'mail-storm')).toBe(1000);
      await poll(async () => (await t.gateway.store.mailCursors.get('mail-storm', 'Storm'))?.lastUid === 1000);
      // eslint-disable-next-line no-console
      if (process.env.TEST_TIMINGS) console.log(`storm: 1000 mails in ${Date.now() - started} ms`);
    } finally {
      await t.stop();
    }
  }, 90_000);

  it('a gateway SIGKILLed mid-batch: the next holder resumes and every mail is ingested exactly once', async () => {
    await createMailbox('Kill');
    const total = 400;
    await appendMail(
      dovecot,
      'Kill',
      Array.from({ length: total }, (_, i) => rawMail({ messageId: `<kill-${i}@customer.example>`, text: `kill mail ${i}` })),
    );
    // This gateway holds the database and runs no connections until the killed one is gone; then only intake.
    const t = await startTestGateway('imap_kill', { startWorkers: false });
    try {
      await seed(t, 'mail-kill', { mailboxes: ['Kill'] });
      const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, '..', 'support', 'email-worker.ts'), t.connection.name, t.keyHex], {
        env: process.env,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = once(child, 'exit');
      try {
        const atKill = await poll(async () => {
          const n = await countInbound(t, 'mail-kill');
          return n >= 40 && n;
        }, 30_000);
        child.kill('SIGKILL');
        await exited;
        expect(atKill).toBeLessThan(total);
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }

      // The dead process's connection lease (1 s) expires; this one takes the channel over and resumes at the cursor.
      t.gateway.connections.start();
      await until(t, async () => (await countInbound(t, 'mail-kill')) >= total);
      const ids = await t.gateway.store.models.Message.distinct('externalId', { channelId: 'mail-kill', direction: 'inbound' });
      expect(ids).toHaveLength(total);
      expect(await countInbound(t, 'mail-kill')).toBe(total);
      await poll(async () => (await t.gateway.store.mailCursors.get('mail-kill', 'Kill'))?.lastUid === total);
      const flags = await poll(async () => {
        const f = await flagsIn('Kill');
        return [...f.values()].every((s) => s.has(PROCESSED_KEYWORD)) && f;
      });
      expect(flags.size).toBe(total);
    } finally {
      await t.stop();
    }
  }, 90_000);
});
