import { extractEntities, findEmails, findPhones, redactPii } from '../../src/brain/entities';
import { asksForHuman } from '../../src/brain/intents';
import { detectLanguage } from '../../src/brain/language';
import { asksToOptOutOfAi, saysNotHelpful } from '../../src/brain/replies';
import { ANGER_CUES, COMPLAINT_CUES, NEGATED_COMPLAINTS, POSITIVE_CUES, QUESTION, REPEAT_CUES, REQUEST_WORDS, URGENT_CUES } from '../../src/brain/sentiment/cues';
import { decodeEntities, normalizeMessage } from '../../src/brain/sentiment/normalize';
import { tokenize } from '../../src/brain/intent/features';
import { chosenByText, csatScore } from '../../src/pipeline/choices';
import { boundForBrain } from '../../src/pipeline/brain-text';
import { splitSentences } from '../../knowledge/hybrid';
import { terms } from '../../knowledge/retriever';
import { convertMarkup, splitText } from '../../adapters/render';

/**
 * Every pattern that runs on customer (or agent) text must cost linear time on any input: one message of 1 MB
 * must not block the event loop for minutes (the old email pattern took 11 s on 100,000 letters). Each function is
 * fed the hostile shapes that make backtracking patterns explode, at 64 KB and 256 KB first (a quadratic one shows
 * ~16× growth there and fails in seconds instead of hanging), then at 1 MB under a generous bound.
 */
const run = (unit: string, n: number) => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);
const SHAPES: Record<string, (n: number) => string> = {
  letters: (n) => run('a', n),
  dots: (n) => run('.', n),
  'a.': (n) => run('a.', n),
  'digits+spaces': (n) => run('1 ', n),
  'zeros+spaces': (n) => run('0 ', n),
  digits: (n) => run('1', n),
  '@': (n) => run('@', n),
  'a@': (n) => run('a@', n),
  '@a.a.': (n) => `x@${run('a.', n)}`,
  'agent+spaces': (n) => `agent${run(' ', n)}x`,
  'human+spaces': (n) => `human${run(' ', n)}x`,
  '1+spaces': (n) => `1${run(' ', n)}x`,
  '[': (n) => run('[', n),
  '[a](https:': (n) => run('[a](https:', n),
  '**a': (n) => run('**a', n),
  ' _a': (n) => run(' _a', n),
  words: (n) => run('still waiting lost order again thanks for the delay ', n),
  '&a': (n) => run('&a', n),
  'newline+space': (n) => run('\n ', n),
  AB12: (n) => run('AB12 ', n),
  'order+spaces': (n) => `order${run(' ', n)}12345`,
  '+49': (n) => run('+49 ', n),
  '1-': (n) => run('1-', n),
  '!?': (n) => run('a!? ', n),
  'http://': (n) => run('http://', n),
  'é𝒳': (n) => run('é𝒳.', n),
};

const SMALL = 65_536;
const MB = 1_048_576;

/** The fastest of `runs` runs: a garbage collection or a JIT tier-up in one run is not the pattern's cost. */
function cost(fn: (text: string) => unknown, text: string, runs = 2): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    fn(text);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * The shapes on which `fn` grew faster than linearly (64 KB → 256 KB), and whether 1 MB made of every shape in turn
 * took over 2 s. Cheap enough to run on every function: a linear one spends well under a second here.
 */
function superlinear(fn: (text: string) => unknown, shapes: string[] = Object.keys(SHAPES)): string[] {
  const slow: string[] = [];
  for (const name of shapes) {
    const shape = SHAPES[name]!;
    // Quadratic growth is ~16× for 4× the input; allow 8× for noise above a floor where timing means something.
    const grew = (small: number, mid: number) => mid > 40 && mid / Math.max(small, 2) > 8;
    let small = cost(fn, shape(SMALL));
    let mid = cost(fn, shape(SMALL * 4));
    if (grew(small, mid)) {
      // A collection during the larger run (on a loaded CI machine) looks like growth: measured again, more often,
      // before it counts. A pattern that really is superlinear grows just as much the second time.
      small = cost(fn, shape(SMALL), 5);
      mid = cost(fn, shape(SMALL * 4), 5);
    }
    if (grew(small, mid)) slow.push(`${name}: ${small.toFixed(0)} ms → ${mid.toFixed(0)} ms for 4× the input`);
  }
  if (slow.length) return slow;
  const segment = Math.floor(MB / shapes.length);
  const full = cost(fn, shapes.map((name) => SHAPES[name]!(segment)).join(' '));
  if (full > 2000) slow.push(`1 MB of all shapes: ${full.toFixed(0)} ms`);
  return slow;
}

const CUES = [...REPEAT_CUES, ...COMPLAINT_CUES, ...ANGER_CUES, ...URGENT_CUES, ...POSITIVE_CUES].map((c) => c.pattern);

describe('linear time on adversarial 1 MB input', () => {
  jest.setTimeout(120_000);

  it.each<[string, (text: string) => unknown]>([
    ['email scanner', findEmails],
    ['phone windows', (t) => findPhones(t)],
    ['all entity patterns', (t) => extractEntities(t)],
    ['PII redaction', (t) => redactPii(t)],
    ['handoff request', asksForHuman],
    ['"not helpful"', saysNotHelpful],
    ['AI opt-out', asksToOptOutOfAi],
    ['choice by text', (t) => chosenByText(t, [{ id: 'a', title: 'Yes' }])],
    ['CSAT score', (t) => csatScore(undefined, t, undefined)],
    ['entity decoding', decodeEntities],
    ['sentiment normalisation', normalizeMessage],
    ['question and request words', (t) => [QUESTION.test(t), t.replace(NEGATED_COMPLAINTS, ' ').replace(REQUEST_WORDS, ' ')]],
    ['language detection', (t) => detectLanguage(t)],
    ['intent tokens', tokenize],
    ['retrieval terms', terms],
    ['sentence splitting', splitSentences],
    ['markdown to plain', (t) => convertMarkup(t, 'plain')],
    ['markdown to Slack', (t) => convertMarkup(t, 'slack-mrkdwn')],
    ['markdown to HTML', (t) => convertMarkup(t, 'html')],
    ['message splitting', (t) => splitText(t, 4096)],
    ['brain bound', (t) => boundForBrain(t, 4000)],
  ])('%s', (_name, fn) => {
    expect(superlinear(fn)).toEqual([]);
  });

  it('every sentiment cue pattern', () => {
    const slow = CUES.flatMap((pattern) => superlinear((t) => pattern.exec(t.toLowerCase()), ['letters', 'words', 'agent+spaces', 'a.', 'digits+spaces']).map((s) => `${pattern.source.slice(0, 40)}… ${s}`));
    expect(slow).toEqual([]);
  });

  it('the scanner finds what the single email pattern found, on hostile and ordinary text alike', () => {
    const PATTERN = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu;
    const samples = ['write to ada@example.com or bob.smith+x@mail.example.co.uk.', 'a@b.cc.d@e.com', 'x@y z@w.com', 'é@é.ée 𝒳𝒳@𝒳.com', '@@a@b.c@d.ef', 'no email here'];
    for (const s of samples) expect(findEmails(s).map((m) => [m.start, m.text])).toEqual([...s.matchAll(PATTERN)].map((m) => [m.index, m[0]]));
  });

  it('a message with more phone-like runs than the look-up budget still has every one redacted', () => {
    const text = Array.from({ length: 30 }, (_, i) => `call 030 ${String(1234500 + i)}`).join(', ');
    const { text: safe, redacted } = redactPii(text);
    expect(redacted).toHaveLength(30);
    expect(safe).not.toMatch(/\d{5}/);
  });
});
