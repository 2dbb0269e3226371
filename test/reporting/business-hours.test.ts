import { fromStored, type StoredRollup } from '../../src/reporting/seconds-codec';
import { Types } from 'mongoose';
import type { BusinessHours } from '../../src/brain/routing/hours';
import { checkReports } from '../../src/reporting/check';
import { openReporting } from '../../src/reporting';
import type { OutcomeRow, ReportEventRow, ReportSettings } from '../../src/reporting/types';
import { connectTestDb, type TestDb } from '../setup/db';

const SETTINGS: ReportSettings = { assumeResolvedAfterMs: 30 * 60_000, durableAfterMs: 7 * 86_400_000, confirmIntents: ['thanks'] };
const H = 3_600_000;
const berlin: BusinessHours = { timezone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' };
const silent = { warn: () => undefined };

/**
 * The sink stamps the hours in force on the facts that end a business-hours duration, so the fold (live, the
 * settling sweep and `reports check` alike) measures them in the hours of the moment, and a later change of a
 * team's hours does not rewrite what was already measured.
 */
describe('business hours in the reporting sink', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await connectTestDb('report_hours');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('measures in the hours in force when each fact was written, and the check agrees', async () => {
    // Friday 2026-11-13 15:59 Berlin (UTC+1): a customer asks for a person; the orders team closes at 17:00.
    const start = new Date('2026-11-13T14:59:00Z');
    const handoff = new Date('2026-11-13T15:00:00Z'); // Fri 16:00
    const reply = new Date('2026-11-16T09:00:00Z'); // Mon 10:00
    const resolved = new Date('2026-11-16T14:00:00Z'); // Mon 15:00
    let now = resolved;
    const reporting = openReporting(db.connection, SETTINGS, () => now, silent);
    const id = new Types.ObjectId();
    await db.connection.collection('conversations').insertOne({ _id: id, channelKind: 'email', channelId: 'email-main', team: 'orders', episode: 0 });
    let ordersHours: BusinessHours | null = berlin;
    reporting.useHours((team) => (team === 'orders' ? ordersHours : null));

    await reporting.sink({ conversationId: id, at: start, fact: { type: 'message', key: 'm1', annotations: { decision: 'escalate', reason: 'customer_request' } } });
    await reporting.sink({ conversationId: id, at: handoff, fact: { type: 'handed_off', reason: 'customer_request', team: 'orders', priority: 'normal' } });
    await reporting.sink({ conversationId: id, at: reply, fact: { type: 'first_human_reply', ms: reply.getTime() - handoff.getTime() } });
    // The team goes 24/7 before the resolution: the reply keeps its Friday-to-Monday hours, the resolution has the new ones.
    ordersHours = null;
    await reporting.sink({ conversationId: id, at: resolved, fact: { type: 'resolved', ms: 0, surveyed: false } });

    const events = await db.connection.collection<ReportEventRow>('report_events').find({ conversationId: id }).toArray();
    const stamp = Object.fromEntries(events.map((e) => [e.fact.type, 'hours' in e ? e.hours : 'absent']));
    expect(stamp).toEqual({ message: 'absent', handed_off: 'absent', first_human_reply: berlin, resolved: null });

    const outcome = (await db.connection.collection<OutcomeRow>('report_outcomes').findOne({ conversationId: id }))!;
    expect(outcome).toMatchObject({ team: 'orders', firstHumanResponseMs: reply.getTime() - handoff.getTime(), firstHumanResponseBusinessMs: 2 * H, resolutionBusinessMs: resolved.getTime() - start.getTime() });

    now = new Date(resolved.getTime() + H);
    while (await reporting.tick());
    const check = await checkReports(db.connection, SETTINGS, now, '2026-11-13', '2026-11-16');
    expect(check).toMatchObject({ ok: true, episodes: 1 });
    const [rollup] = await db.connection.collection<StoredRollup>('report_daily').find({ day: '2026-11-13' }).toArray();
    expect(fromStored(rollup!)).toMatchObject({ firstHumanResponseBusinessS: [7200], resolutionBusinessS: [Math.round((resolved.getTime() - start.getTime()) / 1000)] });
  });

  it('leaves the business durations unknown when no routing is known to the process', async () => {
    const reporting = openReporting(db.connection, SETTINGS, () => new Date('2026-11-20T12:00:00Z'), silent);
    const id = new Types.ObjectId();
    await db.connection.collection('conversations').insertOne({ _id: id, channelKind: 'email', channelId: 'email-main', team: 'orders', episode: 0 });
    await reporting.sink({ conversationId: id, at: new Date('2026-11-20T10:00:00Z'), fact: { type: 'handed_off', reason: 'customer_request', team: 'orders', priority: 'normal' } });
    await reporting.sink({ conversationId: id, at: new Date('2026-11-20T10:05:00Z'), fact: { type: 'first_human_reply', ms: 300_000 } });
    const outcome = (await db.connection.collection<OutcomeRow>('report_outcomes').findOne({ conversationId: id }))!;
    expect(outcome).toMatchObject({ firstHumanResponseMs: 300_000, firstHumanResponseBusinessMs: null });
  });

  it('reads rollups and outcome rows stored before business hours existed without a mismatch', async () => {
    // An old outcome row lacks the new fields; the check treats a missing field as the fold's empty value.
    const reporting = openReporting(db.connection, SETTINGS, () => new Date('2026-11-25T12:00:00Z'), silent);
    const id = new Types.ObjectId();
    await db.connection.collection('conversations').insertOne({ _id: id, channelKind: 'email', channelId: 'email-main', team: 'orders', episode: 0 });
    await reporting.sink({ conversationId: id, at: new Date('2026-11-25T10:00:00Z'), fact: { type: 'handed_off', reason: 'customer_request', team: 'orders', priority: 'normal' } });
    while (await reporting.tick());
    await db.connection.collection('report_outcomes').updateOne({ conversationId: id }, { $unset: { firstHumanResponseBusinessMs: 1, resolutionBusinessMs: 1 } });
    await db.connection.collection('report_daily').updateMany({ day: '2026-11-25' }, { $unset: { firstHumanResponseBusinessS: 1, resolutionBusinessS: 1 } });
    expect(await checkReports(db.connection, SETTINGS, new Date('2026-11-25T12:00:00Z'), '2026-11-25', '2026-11-25')).toMatchObject({ ok: true });
    const overview = await reporting.figures.overview({ from: '2026-11-25', to: '2026-11-25', filter: {} });
    expect(overview.totals.firstHumanResponseBusiness).toEqual({ median: null, p90: null, n: 0 });
  });
});
