import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Analysis } from '../../src/brain/analysis/types';
import { loadIntentCatalog, parseIntentFile } from '../../src/brain/catalog/intents';
import { describeOpening, isOpen, nextOpening, type BusinessHours } from '../../src/brain/routing/hours';
import { parseRouting, route } from '../../src/brain/routing/rules';

const analysis = (over: Partial<Analysis> = {}): Analysis => ({
  language: 'en',
  intent: { name: 'track_order', confidence: 0.9, outOfScope: false },
  sentiment: { label: 'neutral', score: 0, frustration: 0, urgent: false, cues: [] },
  wantsHuman: false,
  entities: [],
  ...over,
});

const RULES = parseRouting(`
defaultTeam: support
teams:
  support: {}
  orders: {}
  billing: {}
rules:
  - name: upset
    if: { sentiment: negative, frustration: 0.6 }
    then: { escalate: negative_sentiment, priority: high }
  - name: urgent
    if: { urgent: true }
    then: { priority: urgent }
  - name: vip
    if: { vip: true }
    then: { priority: high }
  - name: money data
    if: { entity: [card, iban] }
    then: { team: billing }
  - name: german orders
    if: { intent: track_order, language: de }
    then: { team: orders, priority: low }
`);

describe('routing rules', () => {
  it('falls back to the intent team, then the default team', () => {
    expect(route(RULES, { analysis: analysis(), intent: { name: 'track_order', team: 'orders', priority: 'normal', escalate: false, examples: [] }, vip: false, channelKind: 'webchat' })).toMatchObject({ team: 'orders', priority: 'normal', applied: [] });
    expect(route(RULES, { analysis: analysis(), vip: false, channelKind: 'webchat' })).toMatchObject({ team: 'support' });
  });

  it('escalates negative, frustrated messages with the rule reason, not merely negative ones', () => {
    const upset = analysis({ sentiment: { label: 'negative', score: -0.8, frustration: 0.8, urgent: false, cues: [] } });
    expect(route(RULES, { analysis: upset, vip: false, channelKind: 'webchat' })).toMatchObject({ escalate: 'negative_sentiment', priority: 'high', applied: ['upset'] });
    const mild = analysis({ sentiment: { label: 'negative', score: -0.2, frustration: 0.2, urgent: false, cues: [] } });
    expect(route(RULES, { analysis: mild, vip: false, channelKind: 'webchat' }).escalate).toBeUndefined();
  });

  it('only ever raises priority, and the first rule naming a team wins', () => {
    const facts = { analysis: analysis({ language: 'de', sentiment: { label: 'neutral' as const, score: 0, frustration: 0, urgent: true, cues: [] }, entities: [{ kind: 'card' as const, text: '', value: '', start: 0, end: 0 }] }), vip: true, channelKind: 'webchat' as const };
    expect(route(RULES, facts)).toMatchObject({ team: 'billing', priority: 'urgent', applied: ['urgent', 'vip', 'money data', 'german orders'] });
  });

  it('an out-of-scope message never matches an intent condition', () => {
    expect(route(RULES, { analysis: analysis({ language: 'de', intent: { name: 'track_order', confidence: 0.2, outOfScope: true } }), vip: false, channelKind: 'webchat' }).team).toBe('support');
  });

  it.each([
    ['rules:\n  - if: { mood: angry }\n    then: { priority: high }', /rules\.0\.if: Unrecognized key.*mood/],
    ['rules:\n  - if: { urgent: true }\n    then: { team: legal }', /rules\.0\.then\.team: unknown team "legal"/],
    ['rules:\n  - if: { urgent: true }\n    then: { priority: critical }', /rules\.0\.then\.priority/],
    ['teams:\n  support:\n    hours: { timezone: Mars/Olympus, days: [mon], open: "08:00", close: "18:00" }', /teams\.support\.hours\.timezone: unknown IANA time zone/],
    ['rules: [', /not valid YAML/],
  ])('rejects a bad file with the path of the problem: %s', (source, message) => {
    expect(() => parseRouting(source, 'routing.yaml')).toThrow(message);
  });
});

describe('business hours', () => {
  const berlin: BusinessHours = { timezone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' };

  it('reads hours in the team time zone, summer and winter alike', () => {
    expect(isOpen(berlin, new Date('2026-07-01T07:30:00Z'))).toBe(true); // 09:30 CEST
    expect(isOpen(berlin, new Date('2026-12-02T07:30:00Z'))).toBe(false); // 08:30 CET
    expect(isOpen(berlin, new Date('2026-12-02T08:00:00Z'))).toBe(true); // 09:00 CET
    expect(isOpen(berlin, new Date('2026-12-05T10:00:00Z'))).toBe(false); // Saturday
  });

  it('finds the next opening across a weekend and a DST change', () => {
    expect(nextOpening(berlin, new Date('2026-12-04T16:30:00Z'))).toEqual(new Date('2026-12-07T08:00:00Z'));
    // Friday evening before the clocks go back (25 Oct 2026): Monday 09:00 is now UTC+1.
    expect(nextOpening(berlin, new Date('2026-10-23T18:00:00Z'))).toEqual(new Date('2026-10-26T08:00:00Z'));
    expect(describeOpening(new Date('2026-12-07T08:00:00Z'), 'Europe/Berlin', new Date('2026-12-04T16:30:00Z'))).toBe('Monday at 09:00 (Europe/Berlin)');
  });

  it('a team with no days never opens', () => {
    expect(nextOpening({ ...berlin, days: [] }, new Date())).toBeUndefined();
  });
});

describe('intent files', () => {
  it('load the demo catalog with teams and priorities', () => {
    const intents = loadIntentCatalog(join(__dirname, '..', '..', 'knowledge', 'intents'));
    expect(intents.map((i) => i.name)).toEqual(expect.arrayContaining(['track_order', 'return_item', 'complaint', 'greeting']));
    expect(intents.find((i) => i.name === 'complaint')).toMatchObject({ team: 'support', priority: 'high', escalate: true });
  });

  it('name the file and the field that is wrong', () => {
    expect(() => parseIntentFile('x.yaml', 'name: Track Order\nexamples: [a, b, c]')).toThrow(/x\.yaml: name: use lower_snake_case/);
    expect(() => parseIntentFile('x.yaml', 'name: ok\nexamples: [just one]')).toThrow(/x\.yaml: examples: give at least 3/);
    const dir = mkdtempSync(join(tmpdir(), 'intents-'));
    try {
      writeFileSync(join(dir, 'a.yaml'), 'name: same\nexamples: [a, b, c]');
      writeFileSync(join(dir, 'b.yaml'), 'name: same\nexamples: [d, e, f]');
      expect(() => loadIntentCatalog(dir)).toThrow(/intent "same" is defined twice/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
