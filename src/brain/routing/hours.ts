/**
 * Business hours per team, in the team's own time zone. Intl does the zone arithmetic (DST included), so a
 * Berlin team opening at 08:00 opens at 08:00 Berlin time in summer and in winter.
 */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface BusinessHours {
  timezone: string;
  days: Weekday[];
  /** "HH:MM", local time. */
  open: string;
  close: string;
}

interface LocalTime {
  weekday: Weekday;
  minutes: number;
}

// Building an Intl formatter costs far more than using one: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function localTime(at: Date, timezone: string): LocalTime {
  let format = formatters.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(timezone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return { weekday: get('weekday').toLowerCase().slice(0, 3) as Weekday, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return h! * 60 + m!;
}

export function isOpen(hours: BusinessHours, at: Date): boolean {
  const local = localTime(at, hours.timezone);
  return hours.days.includes(local.weekday) && local.minutes >= toMinutes(hours.open) && local.minutes < toMinutes(hours.close);
}

/**
 * The next moment the team opens, to the minute. Walks forward in 15-minute steps (at most 8 days): simple,
 * exact for opening times on the quarter hour, and immune to DST edge cases a closed-form answer would get wrong.
 */
export function nextOpening(hours: BusinessHours, after: Date): Date | undefined {
  if (hours.days.length === 0) return undefined;
  const step = 15 * 60_000;
  let t = Math.ceil(after.getTime() / 60_000) * 60_000;
  const limit = t + 8 * 24 * 3_600_000;
  // Align to the opening minute's quarter so "08:00" is hit exactly.
  while (t < limit) {
    if (isOpen(hours, new Date(t))) return new Date(t);
    const local = localTime(new Date(t), hours.timezone);
    const toQuarter = (15 - (local.minutes % 15)) % 15;
    t += toQuarter ? toQuarter * 60_000 : step;
  }
  return undefined;
}

/** "Monday at 08:00 (Europe/Berlin)": what the customer reads. */
export function describeOpening(at: Date, timezone: string, now: Date): string {
  const day = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'long' }).format(at);
  const today = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'long' }).format(now);
  const time = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
  const sameDay = day === today && at.getTime() - now.getTime() < 24 * 3_600_000;
  return `${sameDay ? 'today' : day} at ${time} (${timezone})`;
}
