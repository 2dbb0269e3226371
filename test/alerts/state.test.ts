import { parseAlertRules, AlertRulesError, DEFAULT_ALERTS_YAML, type ResolvedRule } from '../../src/alerts/rules';
import { step, type AlertStateRow, type Observation } from '../../src/alerts/state';

const rule = (overrides: Partial<ResolvedRule> = {}): ResolvedRule =>
  ({ name: 'upset', kind: 'store_unreachable', enabled: true, severity: 'warning', pendingMinutes: 5, resendMinutes: 60, resolveAfterMinutes: 10, ...overrides }) as ResolvedRule;
const seen: Observation = { subject: 'all', summary: 'bad', where: {}, path: '/console', value: 1 };
const at = (minutes: number) => new Date(Date.UTC(2026, 11, 3, 12, 0) + minutes * 60_000);

/** Runs the state machine over a minute-by-minute script of "condition holds?" and returns the notices by minute. */
function run(r: ResolvedRule, holds: (minute: number) => boolean, minutes: number): Array<[number, string]> {
  let state: AlertStateRow | undefined;
  const notices: Array<[number, string]> = [];
  for (let m = 0; m <= minutes; m++) {
    const result = step(r, 'all', state, holds(m) ? seen : undefined, at(m));
    state = result.next;
    if (result.notice) notices.push([m, result.notice]);
  }
  return notices;
}

describe('alert state machine', () => {
  it('fires after the pending window, repeats at the resend interval and resolves once the condition stayed gone', () => {
    expect(run(rule(), (m) => m >= 2 && m < 130, 160)).toEqual([
      [7, 'firing'],
      [67, 'repeat'],
      [127, 'repeat'],
      [140, 'resolved'],
    ]);
  });

  it('forgets a condition that goes away before the pending window ends', () => {
    expect(run(rule(), (m) => m >= 2 && m < 6, 30)).toEqual([]);
  });

  it('does not flap: a condition hovering on and off within resolveAfterMinutes stays one firing alert', () => {
    // On for 3 minutes, off for 4, over and over for two hours, then off for good.
    const hovering = (m: number) => m < 120 && m % 7 < 3;
    expect(run(rule({ resendMinutes: 0 }), hovering, 180)).toEqual([]);
    expect(run(rule({ resendMinutes: 0, pendingMinutes: 0 }), hovering, 180)).toEqual([
      [0, 'firing'],
      // The last "on" minute is 119 (17 × 7); ten minutes off after it.
      [130, 'resolved'],
    ]);
  });

  it('a fresh firing after a resolution is a new episode (new notice ids)', () => {
    let state: AlertStateRow | undefined;
    const r = rule({ pendingMinutes: 0, resolveAfterMinutes: 0 });
    state = step(r, 'all', state, seen, at(0)).next;
    expect(state).toMatchObject({ state: 'firing', episode: 1, sequence: 1 });
    state = step(r, 'all', state, undefined, at(1)).next;
    expect(state).toMatchObject({ state: 'resolved', episode: 1, sequence: 2 });
    state = step(r, 'all', state, seen, at(2)).next;
    expect(state).toMatchObject({ state: 'firing', episode: 2, sequence: 1 });
  });
});

describe('alerts.yaml', () => {
  it('parses the built-in rules with the defaults applied', () => {
    const config = parseAlertRules(DEFAULT_ALERTS_YAML, 'built-in');
    expect(config.rules.map((r) => r.kind)).toEqual(['frustration_spike', 'repeated_failures', 'channel_down', 'queue_sla', 'store_unreachable']);
    expect(config.rules[0]).toMatchObject({ pendingMinutes: 5, resendMinutes: 240, resolveAfterMinutes: 5 });
    expect(config.rules[2]).toMatchObject({ pendingMinutes: 2, severity: 'critical' });
  });

  it.each([
    ['rules: [{ name: a, kind: nope }]', /rules\.0\.kind/],
    ['rules: [{ name: a, kind: queue_sla }, { name: a, kind: store_unreachable }]', /"a" is used by another rule/],
    ['rules: [{ name: a, kind: queue_sla, notify: [pager] }]', /"pager" is not a target in notify/],
    ['notify: { x: { webhook: "ftp://x" } }\nrules: []', /notify\.x/],
    ['notify: { x: { email: not-an-address } }\nrules: []', /notify\.x/],
    ['rules: [{ name: a, kind: frustration_spike, minShare: 2 }]', /rules\.0\.minShare/],
    ['rules: [{ name: A B, kind: queue_sla }]', /rules\.0\.name/],
    ['rules: [', /not valid YAML/],
  ])('refuses %s naming the problem', (source, message) => {
    expect(() => parseAlertRules(source, 'alerts.yaml')).toThrow(AlertRulesError);
    expect(() => parseAlertRules(source, 'alerts.yaml')).toThrow(message);
  });
});
