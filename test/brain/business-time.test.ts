import { businessMs } from '../../src/brain/routing/business-time';
import { isOpen, type BusinessHours, type Weekday } from '../../src/brain/routing/hours';
import { parseRouting, RoutingConfigError } from '../../src/brain/routing/rules';
import { mulberry32 } from '../../src/random';

const H = 3_600_000;
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const berlin: BusinessHours = { timezone: 'Europe/Berlin', days: WEEKDAYS, open: '09:00', close: '17:00' };
const at = (iso: string) => new Date(iso);

/** The slow, obvious answer: minute by minute (a partial minute at either end), asking isOpen. */
function stepped(hours: BusinessHours, from: number, to: number): number {
  let total = 0;
  for (let t = from; t < to; ) {
    const next = Math.min(to, Math.floor(t / 60_000) * 60_000 + 60_000);
    if (isOpen(hours, new Date(t))) total += next - t;
    t = next;
  }
  return total;
}

describe('businessMs', () => {
  it('counts only the open hours across a weekend: Fri 16:00 → Mon 10:00 is 1 h + 1 h', () => {
    // 2026-11-13 is a Friday; Berlin is UTC+1 in November.
    expect(businessMs(berlin, at('2026-11-13T15:00:00Z'), at('2026-11-16T09:00:00Z'))).toBe(2 * H);
  });

  it('starts and ends outside the hours', () => {
    expect(businessMs(berlin, at('2026-11-14T11:00:00Z'), at('2026-11-15T11:00:00Z'))).toBe(0); // Sat → Sun
    expect(businessMs(berlin, at('2026-11-12T19:00:00Z'), at('2026-11-13T07:00:00Z'))).toBe(0); // Thu 20:00 → Fri 08:00
    expect(businessMs(berlin, at('2026-11-12T17:00:00Z'), at('2026-11-13T09:00:00Z'))).toBe(1 * H); // Thu 18:00 → Fri 10:00
    expect(businessMs(berlin, at('2026-11-16T06:00:00Z'), at('2026-11-16T17:00:00Z'))).toBe(8 * H); // Mon 07:00 → 18:00
    expect(businessMs(berlin, at('2026-11-16T09:30:00.250Z'), at('2026-11-16T09:30:01Z'))).toBe(750); // inside, to the ms
  });

  it('spans several weeks, across the autumn clock change, and a whole year', () => {
    // Mon 2026-10-12 00:00 → Mon 2026-11-02 00:00 Berlin: three weeks of 5 × 8 h (DST ends 2026-10-25).
    expect(businessMs(berlin, at('2026-10-11T22:00:00Z'), at('2026-11-01T23:00:00Z'))).toBe(3 * 5 * 8 * H);
    // Mon 2026-01-05 → Mon 2027-01-04, 00:00 Berlin: 52 weeks.
    expect(businessMs(berlin, at('2026-01-04T23:00:00Z'), at('2027-01-03T23:00:00Z'))).toBe(52 * 40 * H);
  });

  it('is exact on Europe/Berlin’s clock-change days', () => {
    const sunday: BusinessHours = { timezone: 'Europe/Berlin', days: ['sun'], open: '00:00', close: '12:00' };
    // 2026-03-29: 02:00 → 03:00 does not exist, so the morning is 11 h; 2026-10-25: 02:00–03:00 happens twice, 13 h.
    expect(businessMs(sunday, at('2026-03-28T12:00:00Z'), at('2026-03-30T12:00:00Z'))).toBe(11 * H);
    expect(businessMs(sunday, at('2026-10-24T12:00:00Z'), at('2026-10-26T12:00:00Z'))).toBe(13 * H);
    // Friday 16:00 CET → Monday 10:00 CEST (the weekend of the spring change): still 1 h + 1 h.
    expect(businessMs(berlin, at('2026-03-27T15:00:00Z'), at('2026-03-30T08:00:00Z'))).toBe(2 * H);
  });

  it('is exact on America/New_York’s clock-change days, with hours inside the gap and the repeated hour', () => {
    const ny = (open: string, close: string): BusinessHours => ({ timezone: 'America/New_York', days: ['sun'], open, close });
    // 2026-03-08: 02:00 → 03:00 skipped. 01:00–04:00 is 2 h; a window opening at 02:30 opens at the jump.
    expect(businessMs(ny('01:00', '04:00'), at('2026-03-07T12:00:00Z'), at('2026-03-09T12:00:00Z'))).toBe(2 * H);
    expect(businessMs(ny('02:30', '04:00'), at('2026-03-07T12:00:00Z'), at('2026-03-09T12:00:00Z'))).toBe(1 * H);
    // 2026-11-01: 01:00–02:00 twice. 01:00–04:00 is 4 h; 01:30–03:00 is open 01:30–02:00 EDT, then from 01:30 EST.
    expect(businessMs(ny('01:00', '04:00'), at('2026-10-31T12:00:00Z'), at('2026-11-02T12:00:00Z'))).toBe(4 * H);
    expect(businessMs(ny('01:30', '03:00'), at('2026-10-31T12:00:00Z'), at('2026-11-02T12:00:00Z'))).toBe(2 * H);
    // Ordinary hours that weekend: Fri 16:00 EDT → Mon 10:00 EST.
    const weekdays: BusinessHours = { timezone: 'America/New_York', days: WEEKDAYS, open: '09:00', close: '17:00' };
    expect(businessMs(weekdays, at('2026-10-30T20:00:00Z'), at('2026-11-02T15:00:00Z'))).toBe(2 * H);
  });

  it('is zero for empty and reversed spans, and wall-clock time without hours', () => {
    const t = at('2026-11-16T10:00:00Z');
    expect(businessMs(berlin, t, t)).toBe(0);
    expect(businessMs(berlin, t, new Date(t.getTime() - H))).toBe(0);
    expect(businessMs(undefined, t, new Date(t.getTime() + 50 * H))).toBe(50 * H);
    expect(businessMs(null, t, new Date(t.getTime() - H))).toBe(0);
    expect(businessMs({ ...berlin, days: [] }, t, new Date(t.getTime() + 200 * H))).toBe(0);
  });

  it('counts nothing for a window that closes before it opens, which the routing schema refuses', () => {
    expect(businessMs({ ...berlin, open: '17:00', close: '09:00' }, at('2026-11-16T00:00:00Z'), at('2026-11-20T00:00:00Z'))).toBe(0);
    expect(() => parseRouting('teams:\n  support:\n    hours: { timezone: Europe/Berlin, days: [mon], open: "17:00", close: "09:00" }\n')).toThrow(RoutingConfigError);
  });

  it('agrees with minute-by-minute isOpen on random spans around clock changes, in odd zones too', () => {
    const rand = mulberry32(15);
    // Lord Howe moves its clocks by 30 minutes; Kolkata is UTC+05:30; Sydney's changes are in April and October.
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Australia/Sydney', 'UTC'];
    const around = ['2026-03-08', '2026-03-29', '2026-04-05', '2026-10-04', '2026-10-25', '2026-11-01', '2026-07-15'];
    const all: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
    const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    for (let i = 0; i < 60; i++) {
      const openMin = Math.floor(rand() * 1380);
      const closeMin = openMin + 1 + Math.floor(rand() * (1439 - openMin));
      const hours: BusinessHours = {
        timezone: zones[i % zones.length]!,
        days: all.filter(() => rand() < 0.7),
        open: hhmm(openMin),
        close: hhmm(closeMin),
      };
      const from = Date.parse(`${around[Math.floor(rand() * around.length)]!}T00:00:00Z`) - Math.floor(rand() * 2 * 86_400_000);
      const to = from + Math.floor(rand() * 3 * 86_400_000);
      expect({ i, hours, ms: businessMs(hours, from, to) }).toEqual({ i, hours, ms: stepped(hours, from, to) });
    }
  });
});
