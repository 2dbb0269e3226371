import { fromStored, type StoredRollup } from '../../src/reporting/seconds-codec';
import { checkReports } from '../../src/reporting/check';
import { ReportFigures, dayOf, percentileOf } from '../../src/reporting/figures';
import { SEED_TEAM_HOURS, seedReports } from '../../src/reporting/seed';
import type { ReportSettings } from '../../src/reporting/types';
import { connectTestDb, type TestDb } from '../setup/db';

const SETTINGS: ReportSettings = { assumeResolvedAfterMs: 30 * 60_000, durableAfterMs: 7 * 86_400_000, confirmIntents: ['thanks'] };
const NOW = new Date('2026-12-01T12:00:00Z');

/**
 * The seeded history generator against the reports: every figure equals what the generator tallied as it decided
 * each story (hand-off after a thanks in one episode, reopenings, unanswered surveys, a changed rating).
 */
describe('seeded history', () => {
  let db: TestDb;

  beforeAll(async () => {
    db = await connectTestDb('report_seed');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('gives figures equal to the generator’s own tallies, and the check agrees with the raw events', async () => {
    // 45 days back from 2026-12-01: the history holds Berlin's and New York's autumn clock changes.
    const truth = await seedReports(db.connection, { conversations: 600, messages: 3_000, days: 45, seed: 7, now: NOW }, SETTINGS);
    const from = dayOf(NOW.getTime() - 50 * 86_400_000);
    const to = dayOf(NOW.getTime());
    const { totals, breakdowns, series } = await new ReportFigures(db.connection).overview({ from, to, filter: {} });
    expect(totals).toMatchObject({
      conversations: truth.conversations,
      involved: truth.involved,
      aiResolved: truth.aiResolved,
      handedOff: truth.handedOff,
      resolved: truth.resolved,
      csatResponses: truth.csatCount,
    });
    expect(totals.automationRate).toBeCloseTo(truth.aiResolved / truth.conversations, 10);
    expect(totals.automationRate).toBeCloseTo(totals.involvementRate! * totals.aiResolutionRate!, 10);
    expect(totals.csat).toBeCloseTo(truth.csatSum / truth.csatCount, 10);
    expect(totals.csatResponseRate).toBeCloseTo(truth.csatCount / truth.surveyAsked, 10);
    expect(totals.helpfulAnswerRate).toBeCloseTo(truth.helpfulRatings / (truth.helpfulRatings + truth.unhelpfulRatings), 10);
    expect(Object.fromEntries(totals.handoffReasons.map((r) => [r.reason, r.count]))).toEqual(truth.handoffReasons);
    expect(Object.fromEntries(breakdowns.channelKind.map((b) => [b.key, b.conversations]))).toEqual(truth.byChannel);
    // Totals and the sum of the days agree.
    expect(series.reduce((n, d) => n + d.conversations, 0)).toBe(totals.conversations);
    expect(series.reduce((n, d) => n + d.handedOff, 0)).toBe(totals.handedOff);
    // Reopened episodes are not durable; everything else resolved over a week ago is.
    expect(totals.durableRate).toBeLessThan(1);

    // Business-hours durations, per team and in all, equal the generator's own stepping through isOpen.
    const figure = (list: number[]) => ({ median: percentileOf(list, 0.5), p90: percentileOf(list, 0.9), n: list.length });
    const merged = (byTeam: Record<string, number[]>) => Object.values(byTeam).flat().sort((a, b) => a - b);
    expect(totals.firstHumanResponseBusiness).toEqual(figure(merged(truth.firstHumanResponseBusinessS)));
    expect(totals.resolutionTimeBusiness).toEqual(figure(merged(truth.resolutionBusinessS)));
    expect(Object.keys(truth.resolutionBusinessS).sort()).toEqual(Object.keys(SEED_TEAM_HOURS).sort());
    const daily = (await db.connection.collection<StoredRollup>('report_daily').find({}).toArray()).map(fromStored);
    for (const team of Object.keys(SEED_TEAM_HOURS)) {
      const t = (await new ReportFigures(db.connection).overview({ from, to, filter: { team } })).totals;
      expect({ team, reply: t.firstHumanResponseBusiness, resolution: t.resolutionTimeBusiness }).toEqual({
        team,
        reply: figure(truth.firstHumanResponseBusinessS[team]!),
        resolution: figure(truth.resolutionBusinessS[team]!),
      });
      // Every duration, not only the percentiles: the rollups' lists are the truth's, as multisets.
      const lists = daily.filter((r) => r.team === team);
      expect(lists.flatMap((r) => r.firstHumanResponseBusinessS).sort((a, b) => a - b)).toEqual(truth.firstHumanResponseBusinessS[team]);
      expect(lists.flatMap((r) => r.resolutionBusinessS).sort((a, b) => a - b)).toEqual(truth.resolutionBusinessS[team]);
      if (SEED_TEAM_HOURS[team] === null) expect(t.firstHumanResponseBusiness).toEqual(t.firstHumanResponse);
    }
    // Waits over the weekend are long on the clock and short in business hours (Berlin is shut Saturday and Sunday).
    const orders = (await new ReportFigures(db.connection).overview({ from, to, filter: { team: 'orders' } })).totals;
    expect(orders.firstHumanResponse.p90! / 3600).toBeGreaterThan(60);
    expect(orders.firstHumanResponseBusiness.p90! / 3600).toBeLessThan(4);

    const check = await checkReports(db.connection, SETTINGS, NOW, from, to);
    expect(check).toMatchObject({ ok: true, episodes: truth.conversations });
  });
});
