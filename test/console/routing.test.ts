import { consoleUser } from '../support/console';
import { startTestGateway, type TestGateway } from '../support/gateway';

/** Routing edited in the console: the YAML file's validation and messages, then in force on every process. */
describe('console routing editor', () => {
  let t: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway('console_routing', { startWorkers: false, env: { KNOWLEDGE_REFRESH_MS: '0' } });
    second = await startTestGateway('console_routing', { shareWith: t, startWorkers: false, env: { KNOWLEDGE_REFRESH_MS: '0' } });
  });
  afterAll(async () => {
    await second.stop();
    await t.stop();
  });

  it('refuses invalid rules naming the problem, applies valid ones on every process, and audits the change', async () => {
    const admin = await consoleUser(t, 'admin');
    const analyst = await consoleUser(t, 'analyst');
    const current = (await (await admin.call('GET', '/console/api/routing')).json()) as { yaml: string; origin: string };
    expect(current.origin).toBe('file');

    const bad = await admin.call('PUT', '/console/api/routing', { yaml: `${current.yaml}\n  - name: Nowhere\n    if: { vip: true }\n    then: { team: nowhere }\n` });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/unknown team "nowhere"/);
    expect((await analyst.call('PUT', '/console/api/routing', { yaml: current.yaml })).status).toBe(403);

    const edited = current.yaml.replace(/teams:\n/, 'teams:\n  loyalty:\n    name: Loyalty desk\n');
    const saved = await admin.call('PUT', '/console/api/routing', { yaml: edited });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as { teams: string[] }).teams).toContain('loyalty');

    // The other process reads the stored revision (here on its next request; KNOWLEDGE_REFRESH_MS in production).
    const other = await consoleUser(t, 'agent', { url: second.url });
    const me = async () => ((await (await other.call('GET', '/console/api/me')).json()) as { teams: string[] }).teams;
    // Its first read starts the background check; a later one answers from the saved revision.
    let teams = await me();
    for (let i = 0; i < 50 && !teams.includes('loyalty'); i++) teams = await me();
    expect(teams).toContain('loyalty');

    const audit = ((await (await admin.call('GET', '/console/api/audit?action=routing.update')).json()) as { events: Array<{ outcome: string; diff: { added?: string[] } | null }> }).events;
    expect(audit.map((e) => e.outcome).sort()).toEqual(['ok', 'refused']);
    expect(audit.find((e) => e.outcome === 'ok')!.diff!.added).toEqual(['  loyalty:', '    name: Loyalty desk']);
  });
});
