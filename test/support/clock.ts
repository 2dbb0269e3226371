/** Inside the demo teams' business hours (a Wednesday, 10:00 in Berlin): people are there to take a conversation. */
export const OFFICE_HOURS = '2026-11-25T09:00:00Z';

export interface TestClock {
  now(): Date;
  /** Moves the clock forward: a day of silence, an SLA deadline, without waiting for it. */
  advance(ms: number): void;
}

/**
 * A clock for a gateway and its peers to share: it reads `from` at the moment it is made (default: the real now)
 * and then runs at real speed, so timeouts still pass while tests move days with `advance`.
 */
export function testClock(from?: string): TestClock {
  let offsetMs = from === undefined ? 0 : Date.parse(from) - Date.now();
  return { now: () => new Date(Date.now() + offsetMs), advance: (ms) => void (offsetMs += ms) };
}
