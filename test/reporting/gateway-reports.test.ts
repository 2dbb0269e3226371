import { consoleUser, type ConsoleClient } from '../support/console';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';
import { checkReports } from '../../src/reporting/check';
import type { Overview } from '../../src/reporting/figures';
import type { OutcomeRow } from '../../src/reporting/types';

/**
 * The reporting model fed by the real pipeline: facts reported by the store's repositories as things happen, one
 * outcome row per episode, daily rollups, and the console's report API over them.
 */
describe('reports from real conversations', () => {
  let t: TestGateway;
  let analyst: ConsoleClient;
  let agent: ConsoleClient;

  beforeAll(async () => {
    t = await startTestGateway('reports');
    analyst = await consoleUser(t, 'analyst');
    agent = await consoleUser(t, 'agent');
  });
  afterAll(async () => {
    await t.stop();
  });

  const outcomeOf = async (conversationId: string) => t.connection.db!.collection<OutcomeRow>('report_outcomes').findOne({ conversationId: new (await import('mongoose')).Types.ObjectId(conversationId) });
  const processed = (messageId: string) => until(t, async () => (await t.gateway.store.messages.get(messageId))?.processing?.state === 'done');

  it('counts an answer confirmed by a thanks as resolved by the AI, once however often the webhook is redelivered', async () => {
    const ask = { id: 'r-1', contact: { id: 'rep-1', name: 'Rita' }, text: 'How do I start a return?' };
    const first = (await (await postMessage(t, ask)).json()) as { conversationId: string; messageId: string };
    await processed(first.messageId);
    await postMessage(t, ask);
    const thanks = (await (await postMessage(t, { id: 'r-2', contact: { id: 'rep-1' }, text: 'thanks, that is all' })).json()) as { messageId: string };
    await processed(thanks.messageId);

    const outcome = await until(t, async () => {
      const o = await outcomeOf(first.conversationId);
      return o && o.customerMessages === 2 ? o : undefined;
    });
    expect(outcome).toMatchObject({ channelKind: 'api', involved: true, aiResolved: true, aiResolution: 'confirmed', handedOff: false, intent: 'return_item' });
    expect(outcome.firstBotResponseMs).toBeGreaterThanOrEqual(0);
    const facts = await t.connection.db!.collection('report_events').countDocuments({ conversationId: outcome.conversationId, 'fact.type': 'message' });
    expect(facts).toBe(2);
  });

  it('follows a hand-off through claim, reply, resolution and survey, then answers the overview and its drill-down', async () => {
    const asked = (await (await postMessage(t, { id: 'r-3', contact: { id: 'rep-2', name: 'Hugo' }, text: 'I want to talk to a human about my invoice' })).json()) as { conversationId: string; messageId: string };
    await processed(asked.messageId);
    const act = (body: Record<string, unknown>) => agent.call('POST', `/console/api/conversations/${asked.conversationId}/act`, { key: `k${Math.random().toString(36).slice(2, 12)}`, ...body });
    expect((await act({ act: 'claim' })).status).toBe(200);
    expect((await act({ act: 'reply', text: 'Hugo, I am looking at your invoice now.' })).status).toBe(200);
    expect((await act({ act: 'resolve' })).status).toBe(200);
    const survey = (await (await postMessage(t, { id: 'r-4', contact: { id: 'rep-2' }, text: '5' })).json()) as { messageId: string };
    await processed(survey.messageId);

    const outcome = await until(t, async () => {
      const o = await outcomeOf(asked.conversationId);
      return o?.csat !== null && o?.csat !== undefined ? o : undefined;
    });
    expect(outcome).toMatchObject({ involved: false, aiResolved: false, handedOff: true, handoffReason: 'customer_request', resolved: true, surveyAsked: true, csat: 5 });
    expect(outcome.firstHumanResponseMs).toBeGreaterThanOrEqual(0);
    expect(outcome.resolutionMs).toBeGreaterThanOrEqual(outcome.firstHumanResponseMs!);

    // The rollups are rebuilt by the workers' reporting loop; here the test runs its round itself.
    while (await t.gateway.reporting.tick());
    const today = new Date().toISOString().slice(0, 10);
    const overview = (await (await analyst.call('GET', `/console/api/reports/overview?from=${today}&to=${today}`)).json()) as Overview;
    expect(overview.totals).toMatchObject({ conversations: 2, involved: 1, aiResolved: 1, handedOff: 1, csat: 5, csatResponses: 1 });
    expect(overview.totals.automationRate).toBeCloseTo(0.5);
    expect(overview.totals.handoffReasons).toEqual([{ reason: 'customer_request', count: 1, rate: 0.5 }]);
    expect(overview.breakdowns.channelKind).toEqual([expect.objectContaining({ key: 'api', conversations: 2 })]);
    expect(overview.series).toHaveLength(1);

    // Drill-down: the conversations behind "handed off".
    const drill = (await (await analyst.call('GET', `/console/api/reports/conversations?from=${today}&to=${today}&outcome=handedOff`)).json()) as { total: number; conversations: Array<{ conversationId: string }> };
    expect(drill.total).toBe(1);
    expect(drill.conversations[0]!.conversationId).toBe(asked.conversationId);

    // Export: one row per episode, streamed as CSV.
    const csv = await (await analyst.call('GET', `/console/api/reports/export?from=${today}&to=${today}&format=csv`)).text();
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^conversationId,episode,day,/);
    expect(lines).toHaveLength(3);

    // Rollups and outcomes agree with the raw events; a tampered rollup is found.
    const settings = t.gateway.reporting.settings;
    expect(await checkReports(t.connection, settings, new Date(), today, today)).toMatchObject({ ok: true, episodes: 2 });
    await t.connection.db!.collection('report_daily').updateOne({ day: today }, { $inc: { aiResolved: 1 } });
    const tampered = await checkReports(t.connection, settings, new Date(), today, today);
    expect(tampered.ok).toBe(false);
    expect(tampered.rollupMismatches).toEqual([{ id: expect.stringMatching(new RegExp(`^${today}\\|api\\|`)), fields: ['aiResolved'] }]);
    // Rebuilding the day puts it right.
    await t.gateway.reporting.rollups.rebuildDay(today);
    expect((await checkReports(t.connection, settings, new Date(), today, today)).ok).toBe(true);

    // Agents work conversations; the reports are for analysts and up.
    expect((await agent.call('GET', `/console/api/reports/overview`)).status).toBe(403);
  });
});
