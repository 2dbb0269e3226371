import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateIntents, macroF1, readLabelledCsv } from '../../src/cli/eval';

const dir = mkdtempSync(join(tmpdir(), 'sb-eval-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

// A small, made-up help-desk domain: enough signal for the model to separate, and out-of-scope chatter.
const templates: Record<string, string[]> = {
  refund: ['i want my money back', 'refund my order please', 'how do i get a refund', 'can you refund me', 'money back for this item', 'return and refund'],
  tracking: ['where is my parcel', 'track my package', 'my delivery has not arrived', 'tracking number please', 'where is my order now', 'parcel tracking status'],
  password: ['i forgot my password', 'reset my password', 'cannot log in to my account', 'password reset link', 'locked out of my account', 'change my password'],
  oos: ['what is the weather today', 'tell me a joke', 'who won the football game', 'play some music', 'what is the capital of peru', 'how tall is everest'],
};
const rows = (pick: (i: number) => boolean) =>
  Object.entries(templates).flatMap(([label, texts]) => texts.filter((_, i) => pick(i)).map((t) => `"${t}",${label}`));

describe('eval intents', () => {
  const train = write('train.csv', ['text,category', ...rows((i) => i < 4)].join('\n'));
  const test = write('test.csv', ['text,category', ...rows((i) => i >= 4)].join('\n'));

  it('trains on TRAIN only and reports the documented metrics', () => {
    const result = evaluateIntents(readLabelledCsv(train, 'category'), readLabelledCsv(test, 'category'));
    expect(Object.keys(result)).toEqual(['n', 'accuracy', 'macroF1', 'inScopeAccuracy', 'oosRecall', 'trainSeconds', 'msPerMessage', 'p99Ms']);
    expect(result.n).toBe(8);
    for (const key of ['accuracy', 'macroF1', 'inScopeAccuracy', 'oosRecall'] as const) {
      expect(result[key]).toBeGreaterThanOrEqual(0);
      expect(result[key]).toBeLessThanOrEqual(1);
    }
    expect(result.inScopeAccuracy).toBeGreaterThanOrEqual(0.5);
    expect(result.p99Ms).toBeGreaterThanOrEqual(0);
    expect(result.p99Ms).toBeLessThan(50);
  });

  it('rejects clearly unrelated text, with or without oos rows in TRAIN', () => {
    const inScope = readLabelledCsv(train, 'category').filter((e) => e.label !== 'oos');
    const unrelated = [
      { text: 'zzz xxx 123', label: 'oos' },
      { text: 'refund my order please', label: 'refund' },
    ];
    const result = evaluateIntents(inScope, unrelated);
    expect(result.oosRecall).toBe(1);
    expect(result.inScopeAccuracy).toBe(1);
    // Threshold 0 turns confidence-based rejection off: with no oos class, everything gets an intent.
    expect(evaluateIntents(inScope, unrelated, 0).oosRecall).toBe(0);
  });

  it('computes macro-F1 over the gold classes', () => {
    expect(macroF1(['a', 'a', 'b', 'b'], ['a', 'a', 'b', 'b'])).toBe(1);
    // a: P=1/2 R=1/2 → F1 0.5; b: same → macro 0.5.
    expect(macroF1(['a', 'a', 'b', 'b'], ['a', 'b', 'a', 'b'])).toBeCloseTo(0.5);
    expect(macroF1(['a', 'b'], ['c', 'c'])).toBe(0);
  });

  it.each([
    ['a missing column', 'text,label\nhello,x\n', /line 1: header must contain "text" and "category"/],
    ['an empty text', 'text,category\n"  ",refund\n', /line 2: empty text/],
    ['an empty category', 'text,category\nhello,\nbye,x\n', /line 2: empty category/],
    ['an unclosed quote', 'text,category\nok,a\n"broken,a\n', /line 3/],
    ['no rows', 'text,category\n', /no rows/],
  ])('names the line and the problem for %s', (_name, content, message) => {
    const path = write(`bad-${Math.random()}.csv`, content);
    expect(() => readLabelledCsv(path, 'category')).toThrow(message);
  });

  it('prints the result as the last line of `switchboard eval intents`, and exits 2 on a bad file', () => {
    const bin = join(__dirname, '..', '..', 'bin', 'switchboard.js');
    const ok = spawnSync(process.execPath, [bin, 'eval', 'intents', '--train', train, '--test', test], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    const last = ok.stdout.trim().split('\n').at(-1)!;
    expect(JSON.parse(last)).toMatchObject({ n: 8, accuracy: expect.any(Number) });

    const bad = spawnSync(process.execPath, [bin, 'eval', 'intents', '--train', join(dir, 'missing.csv'), '--test', test], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/missing\.csv: cannot read \(ENOENT\)/);
  });
});
