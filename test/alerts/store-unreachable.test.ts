import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallbackPeer } from '../support/callback-peer';
import { testClock } from '../support/clock';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { TcpProxy } from '../support/tcp-proxy';

const DRIVER = { serverSelectionTimeoutMS: 1_000, heartbeatFrequencyMS: 200, connectTimeoutMS: 2_000, socketTimeoutMS: 5_000 };
const SECRET_ENV = 'SB_TEST_STORE_ALERT_SECRET';
const MINUTE = 60_000;

/** The one alert that cannot be stored: sent from the evaluating process's memory, written back when the store returns. */
describe('store unreachable alert', () => {
  const clock = testClock();
  let dir: string;
  let proxy: TcpProxy;
  let hook: CallbackPeer;
  let t: TestGateway;

  beforeAll(async () => {
    process.env[SECRET_ENV] = 'store-alert-secret';
    dir = mkdtempSync(join(tmpdir(), 'sb-store-alert-'));
    hook = await new CallbackPeer().start();
    const file = join(dir, 'alerts.yaml');
    writeFileSync(
      file,
      [
        'notify:',
        `  pager: { webhook: "${hook.url}", secretEnv: ${SECRET_ENV} }`,
        'rules:',
        '  - { name: store, kind: store_unreachable, severity: critical, pendingMinutes: 1, resolveAfterMinutes: 1, resendMinutes: 0 }',
      ].join('\n'),
    );
    let uri: string;
    ({ proxy, uri } = await TcpProxy.inFrontOf(process.env.MONGODB_URI!));
    t = await startTestGateway('alerts_store', { clock: clock.now, startWorkers: false, mongo: { uri, options: DRIVER }, env: { ALERTS_FILE: file, ALERT_EVALUATE_SECONDS: '3600' } });
  });
  afterAll(async () => {
    await proxy.restore();
    await t?.stop();
    await proxy.cut();
    await hook?.stop();
    rmSync(dir, { recursive: true, force: true });
    delete process.env[SECRET_ENV];
  });

  it('fires once while MongoDB is away and resolves once it is back', async () => {
    const evaluator = t.gateway.alerts.evaluator;
    // This process holds the evaluator lease before the outage.
    await evaluator.tick();

    const lost = once(t.connection, 'disconnected');
    await proxy.cut();
    await lost;
    expect(t.gateway.availability.current.available).toBe(false);

    await evaluator.tick();
    expect(hook.received).toHaveLength(0);
    clock.advance(2 * MINUTE);
    await evaluator.tick();
    await evaluator.tick();
    expect(hook.received.map((r) => r.json.type)).toEqual(['alert.firing']);
    expect(hook.received[0]!.json).toMatchObject({ kind: 'store_unreachable', severity: 'critical', subject: 'store', summary: expect.stringContaining('MongoDB is unreachable from gateway process') });

    const back = once(t.connection, 'reconnected');
    await proxy.restore();
    await back;
    await evaluator.tick();
    // The state kept in memory is in the store now, still firing until a quiet minute has passed.
    expect(await evaluator.list()).toMatchObject([{ rule: 'store', state: 'firing' }]);
    clock.advance(2 * MINUTE);
    await evaluator.tick();
    expect(hook.received.map((r) => r.json.type)).toEqual(['alert.firing', 'alert.resolved']);
    expect(await evaluator.list()).toMatchObject([{ rule: 'store', state: 'resolved' }]);
    // The firing notice, sent from memory, is on record now, and is not sent again from the store.
    await evaluator.tick();
    expect(hook.received).toHaveLength(2);
    const { notices } = await t.gateway.alerts.overview();
    expect(notices.map((n) => [n.notice.type, n.status]).sort()).toEqual([
      ['alert.firing', 'sent'],
      ['alert.resolved', 'sent'],
    ]);
  });
});
