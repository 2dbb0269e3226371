import { verifyCallback } from '../../adapters/api/signature';
import type { AlertsResponse } from '../../src/http/console/api-types';
import { CallbackPeer } from '../support/callback-peer';
import { consoleUser } from '../support/console';
import { startTestGateway, type TestGateway } from '../support/gateway';

const SECRET_ENV = 'SB_TEST_CONSOLE_ALERT_SECRET';

/** alerts.yaml edited in the console: validated like the file, followed by every process, targets tested from there. */
describe('console alerts', () => {
  let t: TestGateway;
  let second: TestGateway;
  let hook: CallbackPeer;

  beforeAll(async () => {
    process.env[SECRET_ENV] = 'console-alert-secret';
    hook = await new CallbackPeer().start();
    // No ALERTS_FILE on disk here: the built-in rules are in force.
    const env = { KNOWLEDGE_REFRESH_MS: '0', ALERTS_FILE: '/nonexistent/alerts.yaml' };
    t = await startTestGateway('console_alerts', { startWorkers: false, env });
    second = await startTestGateway('console_alerts', { shareWith: t, startWorkers: false, env });
  });
  afterAll(async () => {
    await second?.stop();
    await t?.stop();
    await hook?.stop();
    delete process.env[SECRET_ENV];
  });

  it('shows the built-in rules to analysts, who may not change them', async () => {
    const analyst = await consoleUser(t, 'analyst');
    const res = await analyst.call('GET', '/console/api/alerts');
    expect(res.status).toBe(200);
    const body = (await res.json()) as AlertsResponse;
    expect(body.origin).toBe('file');
    expect(body.rules.map((r) => r.kind)).toEqual(['frustration_spike', 'repeated_failures', 'channel_down', 'queue_sla', 'store_unreachable']);
    expect(body.targets).toEqual([]);
    expect(body.alerts).toEqual([]);
    expect((await analyst.call('PUT', '/console/api/alerts', { yaml: body.yaml })).status).toBe(403);
    expect((await analyst.call('POST', '/console/api/alerts/test', { target: 'x' })).status).toBe(403);
    const agent = await consoleUser(t, 'agent');
    expect((await agent.call('GET', '/console/api/alerts')).status).toBe(403);
  });

  it('refuses bad rules naming the field, and stores nothing', async () => {
    const admin = await consoleUser(t, 'admin');
    const refusals: Array<[string, RegExp]> = [
      ['rules: [{ name: a, kind: frustration_spike, minShare: 3 }]', /alerts\.yaml: rules\.0\.minShare/],
      ['notify: { p: { webhook: "http://x.example/h", secretEnv: lower } }\nrules: []', /notify\.p\.secretEnv: an environment variable name/],
      ['rules: [{ name: a, kind: queue_sla, notify: [nobody] }]', /"nobody" is not a target in notify/],
      ['rules: [', /not valid YAML/],
    ];
    for (const [yaml, message] of refusals) {
      const res = await admin.call('PUT', '/console/api/alerts', { yaml });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_alerts');
      expect(body.error.message).toMatch(message);
    }
    expect(((await (await admin.call('GET', '/console/api/alerts')).json()) as AlertsResponse).origin).toBe('file');
  });

  it('saves rules every process follows, and sends a signed test notice to a target', async () => {
    const admin = await consoleUser(t, 'admin');
    const yaml = [
      'notify:',
      `  pager: { webhook: "${hook.url}", secretEnv: ${SECRET_ENV} }`,
      '  broken: { webhook: "http://127.0.0.1:9/nothing-listens-here", secretEnv: SB_TEST_UNSET_SECRET }',
      'rules:',
      '  - { name: store, kind: store_unreachable, pendingMinutes: 0, notify: [pager] }',
    ].join('\n');
    const saved = await admin.call('PUT', '/console/api/alerts', { yaml });
    expect(saved.status).toBe(200);
    await second.gateway.alerts.rules.refresh();
    expect(second.gateway.alerts.rules.config.rules.map((r) => r.name)).toEqual(['store']);

    const view = (await (await admin.call('GET', '/console/api/alerts')).json()) as AlertsResponse;
    expect(view.origin).toBe('console');
    // Where a webhook goes is shown; its secret never is.
    expect(view.targets).toEqual([
      { name: 'pager', type: 'webhook', detail: `${hook.url} (signed with ${SECRET_ENV})` },
      { name: 'broken', type: 'webhook', detail: 'http://127.0.0.1:9/nothing-listens-here (signed with SB_TEST_UNSET_SECRET)' },
    ]);
    expect(JSON.stringify(view)).not.toContain('console-alert-secret');

    const sent = await admin.call('POST', '/console/api/alerts/test', { target: 'pager' });
    expect(sent.status).toBe(200);
    const [received] = hook.received;
    expect(received!.json).toMatchObject({ type: 'alert.test', subject: 'pager' });
    expect(verifyCallback('console-alert-secret', received!.body, String(received!.headers['x-switchboard-signature']), Math.floor(Date.now() / 1000))).toBe(true);

    const refused = await admin.call('POST', '/console/api/alerts/test', { target: 'broken' });
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/SB_TEST_UNSET_SECRET is not set/);
    expect((await admin.call('POST', '/console/api/alerts/test', { target: 'nope' })).status).toBe(404);
  });
});
