import { Types } from 'mongoose';
import type { Annotations, ReportFact } from '../../conversations';
import { figuresOf, percentileOf } from '../../src/reporting/figures';
import { foldOutcome } from '../../src/reporting/outcome';
import { rollUp } from '../../src/reporting/rollups';
import type { OutcomeRow, ReportEventRow, ReportSettings } from '../../src/reporting/types';

const SETTINGS: ReportSettings = { assumeResolvedAfterMs: 30 * 60_000, durableAfterMs: 7 * 86_400_000, confirmIntents: ['thanks'] };
const T0 = Date.parse('2026-11-02T09:00:00Z');
const min = (n: number) => new Date(T0 + n * 60_000);

/** A conversation's events, written as the repositories would report them. */
function episode(facts: Array<[minute: number, fact: ReportFact]>, options: { episode?: number; channelKind?: string; team?: string | null } = {}): ReportEventRow[] {
  const conversationId = new Types.ObjectId();
  return facts.map(([m, fact], i) => ({
    _id: `${String(conversationId)}:${options.episode ?? 0}:${fact.type}:${i}`,
    conversationId,
    episode: options.episode ?? 0,
    at: min(m),
    channelKind: options.channelKind ?? 'webchat',
    channelId: `${options.channelKind ?? 'webchat'}-main`,
    team: options.team === undefined ? null : options.team,
    fact,
  }));
}
const said = (key: string, a: Annotations): ReportFact => ({ type: 'message', key, annotations: a });
const answered = (key: string, intent = 'return_item'): ReportFact => said(key, { decision: 'answer', intent, language: 'en', answerSource: 'returns#how' });

describe('outcome of one episode', () => {
  it('a thanks after an answer confirms the AI resolved it, at once', () => {
    const o = foldOutcome(episode([[0, answered('m1')], [0, { type: 'first_bot_response', ms: 900 }], [2, said('m2', { decision: 'answer', intent: 'thanks' })]]), SETTINGS, min(3))!;
    expect(o).toMatchObject({ involved: true, aiResolved: true, aiResolution: 'confirmed', handedOff: false, resolved: true, intent: 'return_item', language: 'en', firstBotResponseMs: 900, customerMessages: 2, botAnswers: 2 });
    // Resolved two minutes in (the last customer message), durable only once seven days have passed.
    expect(o.resolutionMs).toBe(2 * 60_000);
    expect(o.durable).toBeNull();
    expect(o.recheckAt).toEqual(new Date(min(2).getTime() + SETTINGS.durableAfterMs));
  });

  it('an answered customer who stays away is assumed resolved only after the window, and the fold says when to look again', () => {
    const events = episode([[0, answered('m1')]]);
    const early = foldOutcome(events, SETTINGS, min(29))!;
    expect(early).toMatchObject({ aiResolved: false, resolved: false, settled: false, recheckAt: min(30) });
    const late = foldOutcome(events, SETTINGS, min(30))!;
    expect(late).toMatchObject({ aiResolved: true, aiResolution: 'assumed', resolved: true });
    // A 👎 on the answer means it did not help, however long they stay away.
    const rated = foldOutcome(episode([[0, answered('m1')], [1, { type: 'rated', key: 'a1', value: 'unhelpful' }]]), SETTINGS, min(90))!;
    expect(rated).toMatchObject({ aiResolved: false, unhelpfulRatings: 1, helpfulRatings: 0 });
  });

  it('a hand-off wins over a resolution in the same episode, and the human times are measured', () => {
    const o = foldOutcome(
      episode(
        [
          [0, answered('m1')],
          [3, said('m2', { decision: 'escalate', reason: 'low_confidence', intent: 'refund_status' })],
          [3, { type: 'handed_off', reason: 'low_confidence', team: 'billing', priority: 'normal' }],
          [5, { type: 'claimed', agent: 'console:u1' }],
          [7, { type: 'first_human_reply', ms: 4 * 60_000 }],
          [20, { type: 'resolved', ms: 20 * 60_000, surveyed: true }],
          [22, { type: 'survey_answered', score: 4 }],
        ],
        { team: 'support' },
      ),
      SETTINGS,
      min(60 * 24 * 8),
    )!;
    expect(o).toMatchObject({
      involved: true,
      aiResolved: false,
      handedOff: true,
      handoffReason: 'low_confidence',
      team: 'billing',
      resolved: true,
      resolutionMs: 20 * 60_000,
      firstHumanResponseMs: 4 * 60_000,
      surveyAsked: true,
      csat: 4,
      durable: true,
      settled: true,
    });
  });

  it('a reopened episode is not durable; machine mail is not the customer speaking; the latest rating of an answer counts', () => {
    const reopened = foldOutcome(episode([[0, answered('m1')], [1, said('m2', { decision: 'answer', intent: 'thanks' })], [60, { type: 'reopened' }]]), SETTINGS, min(61))!;
    expect(reopened).toMatchObject({ aiResolved: true, reopened: true, durable: false });
    const mail = foldOutcome(episode([[0, said('auto', { decision: 'silent', reason: 'auto-submitted' })]]), SETTINGS, min(90))!;
    expect(mail).toMatchObject({ customerMessages: 0, involved: false, resolved: false });
    const changed = foldOutcome(
      episode([[0, answered('m1')], [1, { type: 'rated', key: 'a1', value: 'unhelpful' }], [2, { type: 'rated', key: 'a1', value: 'helpful' }]].map(([m, f]) => [m, f] as [number, ReportFact])),
      SETTINGS,
      min(3),
    )!;
    // Two rating events of one answer (the store keeps the latest per answer; here both reach the fold in order).
    expect(changed).toMatchObject({ helpfulRatings: 1, unhelpfulRatings: 0, aiResolution: 'confirmed' });
  });
});

describe('rollups and figures', () => {
  it('sums outcomes per day and dimensions, and the figures follow docs/metrics.md', () => {
    const now = min(60 * 24 * 10);
    const outcomes: OutcomeRow[] = [
      // Resolved by the AI (confirmed), the bot answered in 1 s.
      foldOutcome(episode([[0, answered('a')], [0, { type: 'first_bot_response', ms: 1_000 }], [1, said('b', { decision: 'answer', intent: 'thanks' })]]), SETTINGS, now)!,
      // Assumed resolved: answered, customer left.
      foldOutcome(episode([[0, answered('c')], [0, { type: 'first_bot_response', ms: 3_000 }]]), SETTINGS, now)!,
      // Bot tried, then handed off for low confidence; a person resolved it in 10 minutes, survey 5.
      foldOutcome(
        episode([
          [0, answered('d')],
          [0, { type: 'first_bot_response', ms: 2_000 }],
          [1, { type: 'handed_off', reason: 'low_confidence', team: 'support', priority: 'normal' }],
          [4, { type: 'first_human_reply', ms: 180_000 }],
          [10, { type: 'resolved', ms: 600_000, surveyed: true }],
          [11, { type: 'survey_answered', score: 5 }],
        ]),
        SETTINGS,
        now,
      )!,
      // Asked for a person straight away (bot not involved); resolved in 30 minutes, survey unanswered.
      foldOutcome(
        episode([
          [0, said('e', { decision: 'escalate', reason: 'requested' })],
          [0, { type: 'handed_off', reason: 'requested', team: 'support', priority: 'high' }],
          [6, { type: 'first_human_reply', ms: 360_000 }],
          [30, { type: 'resolved', ms: 1_800_000, surveyed: true }],
        ]),
        SETTINGS,
        now,
      )!,
    ];
    const rows = rollUp('2026-11-02', outcomes, now);
    const f = figuresOf(rows);
    expect(f).toMatchObject({ conversations: 4, involved: 3, aiResolved: 2, handedOff: 2, resolved: 4 });
    expect(f.involvementRate).toBeCloseTo(3 / 4);
    expect(f.aiResolutionRate).toBeCloseTo(2 / 3);
    // Automation = involvement × AI resolution.
    expect(f.automationRate).toBeCloseTo((3 / 4) * (2 / 3));
    expect(f.deflectionRate).toBeCloseTo(2 / 4);
    expect(f.handoffReasons).toEqual([
      { reason: 'low_confidence', count: 1, rate: 0.25 },
      { reason: 'requested', count: 1, rate: 0.25 },
    ]);
    // Rates of hand-off reasons and AI resolution never add up to more than all conversations.
    expect(f.handoffRate! + f.automationRate!).toBeLessThanOrEqual(1);
    expect(f.firstBotResponse).toEqual({ median: 2, p90: 3, n: 3 });
    expect(f.firstHumanResponse).toEqual({ median: 180, p90: 360, n: 2 });
    // Resolution: AI (1 min, and the assumed one at 0 min after its only message), people 10 and 30 minutes.
    expect(f.resolutionTime).toEqual({ median: 60, p90: 1_800, n: 4 });
    expect(f.csat).toBe(5);
    expect(f.csatResponseRate).toBeCloseTo(1 / 2);
    expect(f.durableRate).toBe(1);
  });

  it('takes nearest-rank percentiles', () => {
    expect(percentileOf([], 0.5)).toBeNull();
    expect(percentileOf([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentileOf([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
  });
});
