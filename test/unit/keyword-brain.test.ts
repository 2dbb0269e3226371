import { join } from 'node:path';
import { loadMarkdownFolder } from '../../knowledge/load';
import { KeywordRetriever } from '../../knowledge/retriever';
import { KeywordBrain } from '../../src/brain/keyword-brain';
import type { BrainContext } from '../../src/brain/types';

const context = (text: string, extra: Partial<BrainContext> = {}): BrainContext => ({
  text,
  channelKind: 'api',
  contact: { aiOptOut: false, vip: false },
  conversation: { status: 'bot', unhelpfulTurns: 0 },
  history: [],
  ...extra,
});

describe('the keyword brain over the demo help centre', () => {
  let brain: KeywordBrain;

  beforeAll(async () => {
    const chunks = await loadMarkdownFolder(join(__dirname, '..', '..', 'knowledge', 'demo'), 'https://help.example');
    expect(chunks.length).toBeGreaterThan(30);
    brain = new KeywordBrain(new KeywordRetriever(chunks), { minConfidence: 0.35, maxUnhelpfulTurns: 2, defaultTeam: 'support' });
  });

  it.each([
    ['How do I return an item?', 'Returns › How do I return an item?'],
    ['How long does shipping to Germany take?', 'Shipping › How long does delivery take and what does it cost in Europe?'],
    ['Can I pay with PayPal?', 'Payments › Which payment methods do you accept? Can I pay with PayPal?'],
    ['I forgot my password', 'Account › I forgot my password — how do I reset it?'],
    ['how do i cancel my order', 'Orders › How do I cancel my order?'],
    ['Can I change my order?', "Orders › Can I change or add something to an order I've already placed?"],
    ['what are your opening hours', 'Contact › What are your customer service opening hours?'],
    ['my promo code does not work', "Payments › My discount code isn't working — how do promo codes work?"],
    ['How can I track my parcel?', 'Shipping › Where is my parcel? How do I track my package?'],
    ['Do you deliver to a parcel locker?', 'Shipping › Can you deliver to a parcel locker, PO box or pickup point?'],
    ['how do I delete my account', 'Account › How do I delete my account?'],
  ])('answers "%s" citing %s', async (question, citation) => {
    const decision = await brain.decide(context(question));
    expect(decision.kind).toBe('answer');
    if (decision.kind !== 'answer') return;
    expect(decision.citations[0]!.title).toBe(citation);
    expect(decision.citations[0]!.url).toMatch(/^https:\/\/help\.example\/[a-z]+#[a-z0-9-]+$/);
    expect(decision.text.length).toBeGreaterThan(40);
    expect(decision.annotations.intentConfidence).toBeGreaterThanOrEqual(0.35);
  });

  it.each(['I want to talk to a person', 'agent', 'Can I speak to a human please?', 'connect me with a representative'])(
    'escalates "%s" as a customer request',
    async (text) => {
      const decision = await brain.decide(context(text));
      expect(decision).toMatchObject({ kind: 'escalate', reason: 'customer_request', team: 'support' });
    },
  );

  it('escalates when the handoff button is tapped', async () => {
    expect(await brain.decide(context('Talk to a person', { actionValue: 'handoff' }))).toMatchObject({ kind: 'escalate', reason: 'customer_request' });
  });

  it('abstains on questions the help centre cannot answer, then hands over on the second miss', async () => {
    const first = await brain.decide(context('What is the airspeed velocity of an unladen swallow?'));
    expect(first).toMatchObject({ kind: 'clarify', annotations: { reason: 'low_confidence' } });
    const second = await brain.decide(context('Quantum chromodynamics lecture schedule', { conversation: { status: 'bot', unhelpfulTurns: 1 } }));
    expect(second).toMatchObject({ kind: 'escalate', reason: 'low_confidence' });
  });

  it('greets, thanks, and respects an AI opt-out', async () => {
    expect(await brain.decide(context('Hello!'))).toMatchObject({ kind: 'clarify', annotations: { intent: 'greeting' } });
    expect(await brain.decide(context('thanks a lot'))).toMatchObject({ kind: 'answer', annotations: { intent: 'thanks' } });
    expect(await brain.decide(context('How do I return an item?', { contact: { aiOptOut: true, vip: false } }))).toMatchObject({
      kind: 'escalate',
      reason: 'ai_opt_out',
    });
  });

  it('annotates routing entities, and personal data by kind only', async () => {
    const decision = await brain.decide(context('Where is my order NW-EU-1048213? Email me at ada@example.com'));
    expect(decision.annotations.entities).toEqual([{ kind: 'order', value: 'NW-EU-1048213' }, { kind: 'email' }]);
  });

  it('gives VIP customers a higher priority when escalating', async () => {
    expect(await brain.decide(context('human please', { contact: { aiOptOut: false, vip: true } }))).toMatchObject({ priority: 'high' });
  });
});

describe('language detection', () => {
  const { detectLanguage } = require('../../src/brain/language') as typeof import('../../src/brain/language');
  it.each([
    ['How do I return an item?', 'en'],
    ['Wo ist mein Paket?', 'de'],
    ['Je voudrais un remboursement', 'fr'],
    ['hola, dónde está mi pedido', 'es'],
    ['Waar blijft mijn bestelling?', 'nl'],
    ['Il mio ordine non è arrivato', 'it'],
    ['Onde está a minha encomenda?', 'pt'],
  ])('"%s" is %s', (text, code) => {
    expect(detectLanguage(text)).toBe(code);
  });

  it('keeps the conversation language when a message is too short to tell', () => {
    expect(detectLanguage('ok', { fallback: 'de' })).toBe('de');
    expect(detectLanguage('#4711', { fallback: 'fr' })).toBe('fr');
    expect(detectLanguage('hi')).toBeUndefined();
  });
});
