import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackPeer } from '../support/callback-peer';
import { OFFICE_HOURS, testClock } from '../support/clock';
import { postMessage } from '../support/gateway';
import { SmtpPeer } from '../support/smtp-peer';
import { startTeamsDesk, TEAMS_DESK_CHANNEL, type TeamsDesk } from '../support/teams-desk';
import { until } from '../support/until';

const MINUTE = 60_000;

/**
 * Alerts to a Teams desk channel (Bot Connector, new thread) and by email (over an email channel's SMTP server and
 * over ALERT_SMTP_URL), raised by the failures and queue rules from what the gateway really did.
 */
describe('alert targets: Teams and email', () => {
  const clock = testClock(OFFICE_HOURS);
  let dir: string;
  let desk: TeamsDesk;
  let smtp: SmtpPeer;
  let replies: CallbackPeer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-alert-targets-'));
    smtp = await new SmtpPeer().start();
    replies = await new CallbackPeer().start();
    const file = join(dir, 'alerts.yaml');
    writeFileSync(
      file,
      [
        'notify:',
        '  ops-teams: { desk: teams-desk }',
        '  leads: { email: [lead@shop.example], via: support-mail }',
        '  ops-mail: { email: [ops@shop.example, oncall@shop.example] }',
        'rules:',
        '  - { name: failing, kind: repeated_failures, windowMinutes: 10, threshold: 3, pendingMinutes: 0, notify: [ops-teams] }',
        '  - { name: queue, kind: queue_sla, thresholdMinutes: 30, pendingMinutes: 0, resendMinutes: 0, notify: [ops-teams, leads, ops-mail] }',
      ].join('\n'),
    );
    desk = await startTeamsDesk('alerts_targets', {
      clock: clock.now,
      callbackUrl: replies.url,
      env: {
        ALERTS_FILE: file,
        ALERT_EVALUATE_SECONDS: '3600',
        ALERT_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        ALERT_EMAIL_FROM: 'alerts@shop.example',
        PUBLIC_URL: 'https://support.example.com',
      },
    });
    await desk.t.gateway.store.channels.ensure({
      id: 'support-mail',
      kind: 'email',
      name: 'Support mail',
      // Only its SMTP side is used here; nothing listens on the IMAP port, so its connection keeps failing quietly.
      settings: { imap: { host: '127.0.0.1', port: 9 }, smtp: { host: '127.0.0.1', port: smtp.port }, from: 'support@shop.example', fromName: 'Support' },
      secrets: {},
    });
  });
  afterAll(async () => {
    await desk?.t.stop();
    await desk?.peer.stop();
    await smtp?.stop();
    await replies?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** New threads the bot opened in the desk channel that are notices (not escalation cards). */
  const teamsNotices = () =>
    desk.peer.calls
      .filter((c) => c.kind === 'create' && c.status < 300 && c.body?.channelData?.channel?.id === TEAMS_DESK_CHANNEL)
      .map((c) => String(c.body?.activity?.text ?? ''))
      .filter((text) => /^(🔴|🟠|✅) \*\*/.test(text));

  it('failed deliveries raise "repeated failures" in the Teams desk channel', async () => {
    const t = desk.t;
    // The integrator's endpoint fails three times, then takes the reply.
    replies.respondWith({ status: 500 }, { status: 500 }, { status: 500 });
    expect((await postMessage(t, { id: 'f-1', contact: { id: 'cust-fail' }, text: 'How do I start a return?' })).status).toBe(202);
    await replies.waitForDelivered(1);
    await t.gateway.alerts.evaluator.tick();
    const notices = teamsNotices();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('**Firing: Repeated failures (failing, api-test)**');
    expect(notices[0]).toContain('3 failures on api channel api-test in the last 10 min: 3 failed delivery attempts, 0 dead letters, 0 processing errors');
    expect(notices[0]).toContain('[Open in the console](https://support.example.com/console/channels/api-test)');
  });

  it('a conversation waiting past the SLA reaches Teams and three mailboxes over two SMTP routes, once', async () => {
    const t = desk.t;
    expect((await postMessage(t, { id: 'q-1', contact: { id: 'cust-wait' }, text: 'I want to talk to a person right now' })).status).toBe(202);
    await until(t, async () => (await t.gateway.store.models.Conversation.findOne({ status: 'pending' }).lean()) !== null);
    await t.gateway.alerts.evaluator.tick();
    expect(teamsNotices()).toHaveLength(1);

    clock.advance(31 * MINUTE);
    await t.gateway.alerts.evaluator.tick();
    await t.gateway.alerts.evaluator.tick();
    const queue = teamsNotices().filter((n) => n.includes('Queue over SLA'));
    expect(queue).toHaveLength(1);
    expect(queue[0]).toMatch(/1 conversation of team \w+ waiting over 30 min for a first answer from a person \(oldest 31 min\)/);

    expect(smtp.received.map((m) => [m.envelope.from, m.envelope.to.join(',')]).sort()).toEqual([
      ['alerts@shop.example', 'ops@shop.example,oncall@shop.example'],
      ['support@shop.example', 'lead@shop.example'],
    ]);
    const mail = smtp.received[0]!.parsed;
    expect(mail.subject).toMatch(/^\[Switchboard\] Firing: Queue over SLA \(queue, \w+\)$/);
    expect(mail.text).toContain('Open in the console: https://support.example.com/console/inbox?team=');
    expect(String(mail.headers.get('x-switchboard-alert'))).toMatch(/^queue\|\w+#1\.1$/);
  });

  it('an evaluator killed after storing the notices but before saving the state sends nothing twice', async () => {
    const t = desk.t;
    // What a kill -9 between the two writes leaves: the notices on record, the alert's state not.
    const states = t.connection.collection('alert_states');
    expect((await states.deleteMany({ rule: 'queue' })).deletedCount).toBe(1);
    const before = { teams: teamsNotices().length, mails: smtp.received.length };
    await t.gateway.alerts.evaluator.tick();
    // The same firing is derived again, with the same notice ids: already stored, so not sent again.
    expect(await states.countDocuments({ rule: 'queue', state: 'firing', episode: 1, sequence: 1 })).toBe(1);
    expect({ teams: teamsNotices().length, mails: smtp.received.length }).toEqual(before);
  });
});
