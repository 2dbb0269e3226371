import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateSentiment, readSentimentCsv } from '../../src/cli/eval-sentiment';

const FIXTURE = join(__dirname, '..', 'fixtures', 'sentiment-small.csv');
const BIN = join(__dirname, '..', '..', 'bin', 'switchboard.js');
const dir = mkdtempSync(join(tmpdir(), 'sb-eval-sentiment-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
// Rules only: the MiniLM blend is used by default when the model is prepared, which differs between machines.
const run = (test: string) => spawnSync(process.execPath, [BIN, 'eval', 'sentiment', '--test', test, '--no-embeddings'], { encoding: 'utf8' });

describe('eval sentiment', () => {
  it('reads the fixture and scores it with the embedded analyzer', async () => {
    const rows = readSentimentCsv(FIXTURE);
    expect(rows).toHaveLength(10);
    const result = await evaluateSentiment(rows);
    expect(Object.keys(result)).toEqual(['n', 'accuracy', 'macroF1', 'msPerMessage']);
    expect(result.n).toBe(10);
    // Plain customer-service messages, one per obvious case: the analyzer gets all of them.
    expect(result.accuracy).toBe(1);
    expect(result.macroF1).toBe(1);
    expect(result.msPerMessage).toBeGreaterThan(0);
  });

  it('prints the result as the last stdout line of `switchboard eval sentiment`, the same on every run', () => {
    const first = run(FIXTURE);
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/eval sentiment: scoring 10 rows/);
    const lines = first.stdout.trim().split('\n');
    const result = JSON.parse(lines[lines.length - 1]!) as Record<string, number>;
    expect(result).toEqual({ n: 10, accuracy: 1, macroF1: 1, msPerMessage: expect.any(Number) });

    const second = JSON.parse(run(FIXTURE).stdout.trim().split('\n').pop()!) as Record<string, number>;
    expect({ ...second, msPerMessage: 0 }).toEqual({ ...result, msPerMessage: 0 });
  });

  it.each([
    ['a wrong header', 'text,sentiment\nhello,neutral\n', /line 1: header must contain "text" and "label"/],
    ['an unknown label', 'text,label\nhello,neutral\n"two\nlines",positive\nbye,angry\n', /line 5: unknown label "angry"/],
    ['an empty text', 'text,label\nhello,neutral\n"   ",negative\n', /line 3: empty text/],
  ])('exits 2 naming the file line for %s', (_name, content, message) => {
    const path = write(`bad-${Math.random().toString(36).slice(2)}.csv`, content);
    const result = run(path);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(path);
    expect(result.stdout).toBe('');
  });
});
