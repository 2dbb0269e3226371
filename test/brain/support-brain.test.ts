import type { Embedder } from '../../knowledge/embedder';
import { SECTION_CHOICE_PREFIX } from '../../src/brain/answer/answer-path';
import { BGE_SMALL_EN_V15_Q, cachedModelFiles, loadEmbeddedEmbedder } from '../../src/brain/embeddings';
import type { SupportBrain } from '../../src/brain/support-brain';
import { brainContext as context, demoBrain as demo } from '../support/demo-brain';

// A Wednesday at 11:00 in Berlin: every demo team is at work.
const OFFICE_HOURS = new Date('2026-11-25T10:00:00Z');


const demoBrain = (now = OFFICE_HOURS): Promise<SupportBrain> => demo({ clock: () => now });

describe('the embedded support brain over the demo store', () => {
  let brain: SupportBrain;
  beforeAll(async () => {
    brain = await demoBrain();
  });

  it.each([
    ['How do I return an item?', 'Returns › How do I return an item?'],
    ['How long does shipping to Germany take?', 'Shipping › How long does delivery take and what does it cost in Europe?'],
    ['Can I pay with PayPal?', 'Payments › Which payment methods do you accept? Can I pay with PayPal?'],
    ['how do i cancel my order', 'Orders › How do I cancel my order?'],
    ['what are your opening hours', 'Contact › What are your customer service opening hours?'],
    ['Do you deliver to a parcel locker?', 'Shipping › Can you deliver to a parcel locker, PO box or pickup point?'],
    ['how do I delete my account', 'Account › How do I delete my account?'],
  ])('answers "%s" citing %s, with rating buttons', async (question, citation) => {
    const decision = await brain.decide(context(question));
    expect(decision.kind).toBe('answer');
    if (decision.kind !== 'answer') return;
    expect(decision.citations[0]!.title).toBe(citation);
    expect(decision.citations[0]!.url).toMatch(/^https:\/\/help\.example\/[a-z]+#[a-z0-9-]+$/);
    expect(decision.text.length).toBeGreaterThan(40);
    expect(decision.choices!.map((c) => c.id)).toEqual(['rate:helpful', 'rate:unhelpful', 'handoff']);
    expect(decision.annotations.answerScore).toBeGreaterThanOrEqual(0.35);
  });

  it('classifies the intent and routes to its team', async () => {
    const decision = await brain.decide(context('I forgot my password and cannot log in'));
    expect(decision.annotations).toMatchObject({ intent: 'account_access', outOfScope: false, team: 'accounts', sentiment: expect.any(String) });
  });

  it('marks a message that fits no intent as out of scope instead of forcing one', async () => {
    const decision = await brain.decide(context('What is the airspeed velocity of an unladen swallow?'));
    expect(decision.annotations).toMatchObject({ intent: 'out_of_scope', outOfScope: true });
  });

  it.each(['I want to talk to a person', 'agent', 'Can I speak to a human please?', 'connect me with a representative'])(
    'escalates "%s" as a customer request',
    async (text) => {
      expect(await brain.decide(context(text))).toMatchObject({ kind: 'escalate', reason: 'customer_request' });
    },
  );

  it('escalates when the handoff button is tapped', async () => {
    expect(await brain.decide(context('Talk to a person', { actionValue: 'handoff' }))).toMatchObject({ kind: 'escalate', reason: 'customer_request' });
  });

  it('abstains honestly and hands over with reason low_confidence when the help centre has no answer', async () => {
    const decision = await brain.decide(context('Quantum chromodynamics lecture schedule for next semester'));
    expect(decision).toMatchObject({ kind: 'escalate', reason: 'low_confidence', annotations: { unhelpful: true } });
    expect(decision.text).toMatch(/don't have a reliable answer/);
  });

  it('hands over in the customer language when the knowledge base is in another one', async () => {
    const decision = await brain.decide(context('Hallo, wie lange dauert die Lieferung nach Österreich ungefähr?'));
    expect(decision).toMatchObject({ kind: 'escalate', reason: 'unsupported_language', annotations: { language: 'de' } });
    expect(decision.text).toMatch(/Danke für Ihre Nachricht/);
  });

  it('hands an upset customer to a person with a higher priority', async () => {
    const decision = await brain.decide(context("I'm furious — my package STILL hasn't arrived after three weeks!!"));
    expect(decision).toMatchObject({ kind: 'escalate', reason: 'negative_sentiment', annotations: { sentiment: 'negative' } });
    if (decision.kind === 'escalate') expect(['high', 'urgent']).toContain(decision.priority);
  });

  it('escalates intents the admin marked as always human (complaints)', async () => {
    expect(await brain.decide(context('I want to make a formal complaint about an employee'))).toMatchObject({
      kind: 'escalate',
      reason: 'intent_policy',
      team: 'support',
    });
  });

  it('answers greetings and thanks from the intent files', async () => {
    expect(await brain.decide(context('Hello!'))).toMatchObject({ kind: 'answer', annotations: { intent: 'greeting' } });
    expect(await brain.decide(context('thank you so much'))).toMatchObject({ kind: 'answer', annotations: { intent: 'thanks' } });
  });

  it('records ratings; a second unhelpful answer in a row hands over', async () => {
    expect(await brain.decide(context('👍 Helpful', { actionValue: 'rate:helpful' }))).toMatchObject({ kind: 'answer', effects: { rating: 'helpful' } });
    expect(await brain.decide(context('👎 Not helpful', { actionValue: 'rate:unhelpful' }))).toMatchObject({
      kind: 'clarify',
      effects: { rating: 'unhelpful' },
      annotations: { unhelpful: true },
    });
    expect(await brain.decide(context("that didn't help", { conversation: { status: 'bot', unhelpfulTurns: 1 } }))).toMatchObject({
      kind: 'escalate',
      reason: 'repeated_failure',
      effects: { rating: 'unhelpful' },
    });
  });

  it('respects an AI opt-out, and records one asked for in words', async () => {
    expect(await brain.decide(context('How do I return an item?', { contact: { aiOptOut: true, vip: false } }))).toMatchObject({
      kind: 'escalate',
      reason: 'ai_opt_out',
    });
    expect(await brain.decide(context("I don't want to talk to a bot"))).toMatchObject({ kind: 'escalate', effects: { aiOptOut: true } });
  });

  it('annotates routing entities, and personal data by kind only', async () => {
    const decision = await brain.decide(context('Where is my order NW-EU-1048213? Email me at ada@example.com'));
    expect(decision.annotations.entities).toEqual([{ kind: 'order', value: 'NW-EU-1048213' }, { kind: 'email' }]);
  });

  it('gives VIP customers a higher priority when escalating', async () => {
    expect(await brain.decide(context('human please', { contact: { aiOptOut: false, vip: true } }))).toMatchObject({ priority: 'high' });
  });
});

describe('business hours', () => {
  it('outside the team hours, says when people are back and keeps helping until then', async () => {
    // Saturday 23:00 in Berlin: accounts (Mon–Fri 09:00–17:00) is closed until Monday.
    const brain = await demoBrain(new Date('2026-11-28T22:00:00Z'));
    const decision = await brain.decide(context('I want to talk to a person about my account password'));
    expect(decision).toMatchObject({ kind: 'escalate', reason: 'customer_request', team: 'accounts' });
    if (decision.kind !== 'escalate') return;
    expect(decision.text).toMatch(/back Monday at 09:00 \(Europe\/Berlin\)/);
    expect(decision.botHelpsUntil).toEqual(new Date('2026-11-30T08:00:00Z'));
  });

  it('while queued after hours the bot keeps answering and does not escalate twice', async () => {
    const brain = await demoBrain(new Date('2026-11-28T22:00:00Z'));
    const queued = { conversation: { status: 'pending' as const, unhelpfulTurns: 0 } };
    expect(await brain.decide(context('How do I return an item?', queued))).toMatchObject({ kind: 'answer' });
    expect(await brain.decide(context('human please', queued))).toMatchObject({ kind: 'clarify', text: expect.stringMatching(/already with our team/) });
  });
});

// The answer decision with the real encoder (bge-small-en-v1.5 int8); skipped only when the model is not prepared.
const encoderPrepared = cachedModelFiles(BGE_SMALL_EN_V15_Q) !== undefined;
(encoderPrepared ? describe : describe.skip)('the answer decision with the embedded encoder', () => {
  let brain: SupportBrain;
  let embedder: Embedder | undefined;
  beforeAll(async () => {
    embedder = await loadEmbeddedEmbedder({ prepare: false, log: () => undefined });
    brain = await demo({ clock: () => OFFICE_HOURS, ...(embedder ? { embedder } : {}) });
  }, 120_000);
  afterAll(async () => {
    await (embedder as { close?: () => Promise<void> } | undefined)?.close?.();
  });

  it('answers a message with two questions from both sections, citing both', async () => {
    const decision = await brain.decide(
      context("Hi, I bought trail runners last week and they're too tight. Can I exchange them for a bigger size? And do I have to pay for return shipping?"),
    );
    expect(decision.kind).toBe('answer');
    if (decision.kind !== 'answer') return;
    expect(decision.citations.map((c) => c.title).sort()).toEqual([
      'Returns › Can I exchange an item for a different size or colour?',
      'Returns › Do I have to pay for return shipping?',
    ]);
    expect(decision.text).toContain('choose "Exchange"');
    expect(decision.text).toContain('prepaid label');
  });

  it('asks which section is meant instead of handing over, and a tap answers from that section', async () => {
    const asked = await brain.decide(context("Hi, I bought hiking boots 2 weeks ago and they don't fit. How do I return them?"));
    expect(asked.kind).toBe('clarify');
    if (asked.kind !== 'clarify') return;
    const options = asked.choices!.filter((c) => c.id.startsWith(SECTION_CHOICE_PREFIX));
    expect(options.map((c) => c.id)).toContain(`${SECTION_CHOICE_PREFIX}returns#how-do-i-return-an-item`);
    expect(asked.choices!.at(-1)!.id).toBe('handoff');
    const tapped = options.find((c) => c.id.endsWith('#how-do-i-return-an-item'))!;
    // What the pipeline passes on a tap (or on the option's number typed on a channel without buttons).
    const answered = await brain.decide(context(tapped.title, { actionValue: tapped.id }));
    expect(answered).toMatchObject({ kind: 'answer', citations: [{ title: 'Returns › How do I return an item?' }] });
  });

  it('still hands over what the help centre does not cover', async () => {
    expect(await brain.decide(context('Do you sell hunting knives?'))).toMatchObject({ kind: 'escalate', reason: 'low_confidence' });
  });
});
