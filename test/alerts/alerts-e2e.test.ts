import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyCallback } from '../../adapters/api/signature';
import type { MessageRecord } from '../../conversations/types';
import type { Decision } from '../../src/brain/types';
import { CallbackPeer } from '../support/callback-peer';
import { OFFICE_HOURS, testClock } from '../support/clock';
import { DiscordPeer } from '../support/discord-peer';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { startSlackDesk, type SlackDesk } from '../support/slack-desk';
import { until } from '../support/until';

const SECRET_ENV = 'SB_TEST_ALERT_WEBHOOK_SECRET';
const SECRET = 'alert-webhook-secret-for-tests';
const OPS_CHANNEL = 'C0OPS';
const MINUTE = 60_000;

const CALM = ['How do I start a return?', 'What are your opening hours?', 'Can I pay with PayPal?', 'How long does shipping take?', 'Do you ship to Austria?'];
const ANGRY = [
  "I'm furious, my package still hasn't arrived and nobody answers",
  'This is ridiculous, third time I write and still no refund!!',
  'Absolutely terrible service, I am so angry right now',
  "I'm fed up, the order is wrong AGAIN and nobody cares",
  'Worst experience ever, you people are useless',
];

/** Counts the customer messages the brain decided on (what the frustration rule counts). */
function decidedCounter(t: TestGateway): { count: () => number } {
  let n = 0;
  for (const p of t.gateway.processors) p.on('processed', (_m: MessageRecord, d: Decision | undefined) => void (d && (n += 1)));
  return { count: () => n };
}

describe('alerts end to end (movable clock)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-alerts-'));
    process.env[SECRET_ENV] = SECRET;
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env[SECRET_ENV];
  });

  describe('a burst of angry messages', () => {
    const clock = testClock(OFFICE_HOURS);
    let desk: SlackDesk;
    let hook: CallbackPeer;
    let replies: CallbackPeer;

    beforeAll(async () => {
      hook = await new CallbackPeer().start();
      replies = await new CallbackPeer().start();
      const file = join(dir, 'frustration.yaml');
      writeFileSync(
        file,
        [
          'notify:',
          `  ops-slack: { desk: slack-desk, channel: ${OPS_CHANNEL} }`,
          `  pager: { webhook: "${hook.url}", secretEnv: ${SECRET_ENV} }`,
          'rules:',
          '  - { name: customers-upset, kind: frustration_spike, windowMinutes: 15, baselineHours: 3, minMessages: 5, minShare: 0.5, factor: 2,',
          '      pendingMinutes: 2, resendMinutes: 60, resolveAfterMinutes: 5 }',
        ].join('\n'),
      );
      // The loop's own runs are an hour apart: the test moves the clock and runs the evaluator itself.
      desk = await startSlackDesk('alerts_frustration', {
        clock: clock.now,
        callbackUrl: replies.url,
        env: { ALERTS_FILE: file, ALERT_EVALUATE_SECONDS: '3600', PUBLIC_URL: 'https://support.example.com' },
      });
    });
    afterAll(async () => {
      await desk?.t.stop();
      await desk?.peer.stop();
      await hook?.stop();
      await replies?.stop();
    });

    const opsPosts = () => desk.peer.posted(OPS_CHANNEL);
    const evaluate = () => desk.t.gateway.alerts.evaluator.tick();

    it('fires one alert into the Slack desk channel and one signed webhook, then one resolved notice each', async () => {
      const t = desk.t;
      const decided = decidedCounter(t);
      // A calm baseline: ten ordinary questions, hours before.
      for (let i = 0; i < 10; i++) expect((await postMessage(t, { id: `calm-${i}`, contact: { id: `calm-${i}` }, text: CALM[i % CALM.length] })).status).toBe(202);
      await until(t, async () => decided.count() >= 10);
      clock.advance(4 * 60 * MINUTE);

      for (let i = 0; i < 10; i++) expect((await postMessage(t, { id: `angry-${i}`, contact: { id: `angry-${i}` }, text: ANGRY[i % ANGRY.length] })).status).toBe(202);
      await until(t, async () => decided.count() >= 20);

      await evaluate();
      expect(await t.gateway.alerts.evaluator.list()).toMatchObject([{ rule: 'customers-upset', subject: 'all', state: 'pending' }]);
      expect(opsPosts()).toHaveLength(0);

      // Past the pending window: it fires, once.
      clock.advance(3 * MINUTE);
      await evaluate();
      await evaluate();
      expect(opsPosts()).toHaveLength(1);
      expect(hook.received).toHaveLength(1);

      const slack = opsPosts()[0]!.form;
      expect(slack.text).toMatch(/^Firing: Frustration spike \(customers-upset\): \d+ % of 10 customer messages were negative or frustrated in the last 15 min \(baseline \d+ % of 10 over 3 h\)/);
      expect(slack.blocks).toContain('https://support.example.com/console/inbox');

      const fired = hook.received[0]!;
      const seconds = Math.floor(clock.now().getTime() / 1000);
      expect(verifyCallback(SECRET, fired.body, String(fired.headers['x-switchboard-signature']), seconds)).toBe(true);
      expect(verifyCallback('another-secret', fired.body, String(fired.headers['x-switchboard-signature']), seconds)).toBe(false);
      expect(fired.headers['idempotency-key']).toBe(fired.json.id);
      expect(fired.json).toMatchObject({
        type: 'alert.firing',
        rule: 'customers-upset',
        kind: 'frustration_spike',
        severity: 'warning',
        subject: 'all',
        url: 'https://support.example.com/console/inbox',
      });
      expect(Date.parse(fired.json.since)).toBeLessThan(Date.parse(fired.json.firingSince));

      // The burst ages out of the window; the alert resolves only after five quiet minutes, with one notice.
      clock.advance(16 * MINUTE);
      await evaluate();
      expect(opsPosts()).toHaveLength(1);
      clock.advance(6 * MINUTE);
      await evaluate();
      await evaluate();
      expect(opsPosts()).toHaveLength(2);
      expect(opsPosts()[1]!.form.text).toMatch(/^Resolved: Frustration spike \(customers-upset\)/);
      expect(hook.received.map((r) => r.json.type)).toEqual(['alert.firing', 'alert.resolved']);
      expect(hook.received[1]!.json.id).not.toBe(fired.json.id);
      const seconds2 = Math.floor(clock.now().getTime() / 1000);
      expect(verifyCallback(SECRET, hook.received[1]!.body, String(hook.received[1]!.headers['x-switchboard-signature']), seconds2)).toBe(true);

      // The notices are on record with their delivery state.
      const { notices } = await t.gateway.alerts.overview();
      expect(notices.map((n) => [n.notice.type, n.target, n.status]).sort()).toEqual([
        ['alert.firing', 'ops-slack', 'sent'],
        ['alert.firing', 'pager', 'sent'],
        ['alert.resolved', 'ops-slack', 'sent'],
        ['alert.resolved', 'pager', 'sent'],
      ]);
    });

    it('a notice a target refuses is retried from its row, not lost and not sent twice to the others', async () => {
      const t = desk.t;
      hook.respondWith({ status: 503 });
      const decided = decidedCounter(t);
      for (let i = 0; i < 10; i++) await postMessage(t, { id: `angry2-${i}`, contact: { id: `angry2-${i}` }, text: ANGRY[i % ANGRY.length] });
      await until(t, async () => decided.count() >= 10);
      await evaluate();
      clock.advance(3 * MINUTE);
      await evaluate();
      expect(opsPosts()).toHaveLength(3);
      expect(hook.received.map((r) => r.status)).toEqual([200, 200, 503]);
      const failed = (await t.gateway.alerts.overview()).notices.find((n) => n.target === 'pager' && n.status === 'queued')!;
      expect(failed).toMatchObject({ attempts: 1, lastError: expect.stringContaining('HTTP 503') });

      // Before its back-off: nothing; after it: sent, once, with the same id.
      await evaluate();
      expect(hook.received).toHaveLength(3);
      clock.advance(2 * MINUTE);
      await evaluate();
      expect(hook.received.map((r) => r.status)).toEqual([200, 200, 503, 200]);
      expect(hook.received[3]!.json.id).toBe(hook.received[2]!.json.id);
      expect(opsPosts()).toHaveLength(3);
    });
  });

  describe('a dead Discord connection', () => {
    const clock = testClock();
    let peer: DiscordPeer;
    let hook: CallbackPeer;
    let t: TestGateway;

    beforeAll(async () => {
      peer = await new DiscordPeer().start();
      hook = await new CallbackPeer().start();
      const file = join(dir, 'down.yaml');
      writeFileSync(
        file,
        [
          'notify:',
          `  pager: { webhook: "${hook.url}", secretEnv: ${SECRET_ENV} }`,
          'rules:',
          '  - { name: channel-down, kind: channel_down, severity: critical, pendingMinutes: 1, resendMinutes: 0, resolveAfterMinutes: 1 }',
        ].join('\n'),
      );
      t = await startTestGateway('alerts_discord', { clock: clock.now, startWorkers: false, env: { ALERTS_FILE: file, ALERT_EVALUATE_SECONDS: '3600' } });
      await t.gateway.store.channels.ensure({ id: 'discord-alerts', kind: 'discord', name: 'Discord', settings: { apiUrl: peer.apiUrl }, secrets: { botToken: peer.token } });
      const started = once(t.gateway.connections, 'started');
      t.gateway.startWorkers();
      await started;
    });
    afterAll(async () => {
      await t?.stop();
      await peer?.stop();
      await hook?.stop();
    });

    it('fires "channel down" once while the connection stays dead', async () => {
      const evaluate = () => t.gateway.alerts.evaluator.tick();
      await evaluate();
      expect(await t.gateway.alerts.evaluator.list()).toEqual([]);

      // Discord goes away: discord.js keeps reconnecting, and the host gives the session up after three lease periods.
      const lost = once(t.gateway.connections, 'lost');
      await peer.stop();
      await lost;

      await evaluate();
      expect(await t.gateway.alerts.evaluator.list()).toMatchObject([{ rule: 'channel-down', subject: 'discord-alerts', state: 'pending' }]);
      for (let i = 0; i < 5; i++) {
        clock.advance(MINUTE);
        // The host's own retries go on meanwhile (each start fails): wait for one of its passes between evaluations.
        await once(t.gateway.connections, 'tick');
        await evaluate();
      }
      expect(hook.received.map((r) => r.json.type)).toEqual(['alert.firing']);
      expect(hook.received[0]!.json).toMatchObject({
        kind: 'channel_down',
        severity: 'critical',
        subject: 'discord-alerts',
        where: { channelId: 'discord-alerts', channelKind: 'discord' },
        summary: expect.stringContaining('discord channel discord-alerts is down: its discord connection is not up in any gateway process'),
      });
    });
  });
});
