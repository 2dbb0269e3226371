import { loadEmbeddedEmbedder } from '../../src/brain/embeddings';
import { contextualQuery, isDependentFollowUp } from '../../src/brain/context';
import { knowledgeTopics, loadOffTopicWeights, offTopicAfterAbstaining, OffTopicModel } from '../../src/brain/offtopic';
import { expectedWaitMinutes, queueStatusText } from '../../src/brain/queue-status';
import { disclosureFor, replyLanguage, Voice } from '../../src/brain/replies';
import { loadConfig } from '../../src/config';
import { parseRouting } from '../../src/brain/routing/rules';
import type { SupportBrain } from '../../src/brain/support-brain';
import type { BrainContext, QueueStatus } from '../../src/brain/types';
import type { Embedder } from '../../knowledge/embedder';
import { brainContext as context, demoBrain } from '../support/demo-brain';

// A Wednesday at 11:00 in Berlin: every demo team is at work. Saturday 23:00: every team is closed.
const OFFICE_HOURS = new Date('2026-11-25T10:00:00Z');
const SATURDAY_NIGHT = new Date('2026-11-28T22:00:00Z');


const asked = (question: string, answer: string): BrainContext['history'] => [
  { author: 'contact', text: question },
  { author: 'bot', text: answer },
];

describe('follow-ups are read with the question they follow', () => {
  it.each(['and how long does that take?', 'what about the US?', 'and for exchanges?', 'How about Canada?', 'is it free?', 'ok, and if it was a gift?'])(
    '"%s" depends on the turn before',
    (text) => expect(isDependentFollowUp(text)).toBe(true),
  );

  it.each(['How do I cancel my order?', 'and how do I change my email address?', 'Where is my parcel NW-1234?', 'thanks', 'I bought boots two weeks ago and they do not fit, and I want to send them back'])(
    '"%s" stands alone',
    (text) => expect(isDependentFollowUp(text)).toBe(false),
  );

  it('builds the query from the previous customer question, swapping a name the follow-up replaces', () => {
    const history = asked('How long does shipping to Germany take?', 'Two to five working days.');
    expect(contextualQuery('and how much does that cost?', history)).toEqual({ query: 'How long does shipping to Germany take? and how much does that cost?', followUp: true });
    expect(contextualQuery('what about the US?', history)).toEqual({ query: 'How long does shipping to take? what about the US?', followUp: true });
    expect(contextualQuery('what about the US?', [])).toEqual({ query: 'what about the US?', followUp: false });
  });

  it('follows a chain of follow-ups back to the question that started it', () => {
    const history = [...asked('How do I return an item?', 'Start it in your account.'), ...asked('and for exchanges?', 'Exchanges work the same way.')];
    expect(contextualQuery('is that free?', history).query).toBe('How do I return an item? and for exchanges? is that free?');
  });
});

describe('one language per reply', () => {
  it.each(['de', 'fr', 'es', 'nl'])('%s: buttons, hand-over, after-hours note and status are all in the language', (language) => {
    const voice = Voice.for(language);
    const english = Voice.for('en');
    const routing = parseRouting('teams:\n  billing:\n    name: Billing\n    hours: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], open: "09:00", close: "17:00" }\n');
    const queue: QueueStatus = { team: 'billing', position: 2, recentFirstReplyMs: [], repliedSinceHandoff: false };
    const sentences = [
      voice.handover('handoff'),
      voice.foreignHandover(),
      voice.say('sorryUnhelpful'),
      voice.afterHours('Billing', new Date('2026-11-30T08:00:00Z'), 'Europe/Berlin', SATURDAY_NIGHT),
      queueStatusText(voice, routing, queue, OFFICE_HOURS),
      queueStatusText(voice, routing, queue, SATURDAY_NIGHT),
      voice.offTopic(['Returns', 'Shipping']),
      ...voice.ratingChoices.map((c) => c.title),
      voice.handoffChoice.title,
    ];
    const englishSentences = [english.handover('handoff'), english.say('sorryUnhelpful'), english.offTopic([]), english.handoffChoice.title];
    for (const s of sentences) {
      expect(englishSentences).not.toContain(s);
      // No English sentence words around the admin's names (team names are quoted as names).
      expect(s).not.toMatch(/\b(the|our|you|your|will|team is back|queue|usually|returns|shipping)\b/i);
    }
    expect(voice.ratingChoices.map((c) => c.id)).toEqual(english.ratingChoices.map((c) => c.id));
  });

  it('English off-topic replies list the help centre topics; other languages do not quote English titles', () => {
    expect(Voice.for('en').offTopic(['Returns', 'Shipping', 'Payments'])).toMatch(/questions about returns, shipping and payments/);
    expect(Voice.for('de').offTopic(['Returns'])).not.toMatch(/Returns/);
  });

  it('lets one- and two-word messages keep the conversation language instead of the detector guess', () => {
    expect(replyLanguage('Hello!', 'it', undefined)).toBe('en');
    expect(replyLanguage('Danke!', 'de', 'de')).toBe('de');
    expect(replyLanguage('Wie lange dauert die Lieferung?', 'de', 'en')).toBe('de');
  });

  it('says the built-in AI disclosure in the customer language, and an admin wording as written', () => {
    const builtIn = loadConfig({}).AI_DISCLOSURE;
    expect(disclosureFor(builtIn, 'en')).toBe(builtIn);
    expect(disclosureFor(builtIn, 'fr')).toMatch(/^Je suis Switchboard, un assistant IA/);
    expect(disclosureFor(builtIn, 'it')).toMatch(/^Sono Switchboard/);
    expect(disclosureFor('Hi, I am Robo, a bot.', 'de')).toBe('Hi, I am Robo, a bot.');
  });

  it('describes the help centre from its article titles', () => {
    expect(knowledgeTopics([{ docTitle: 'Returns' }, { docTitle: 'Returns' }, { docTitle: 'Shipping' }])).toEqual(['Returns', 'Shipping']);
  });
});

describe('queue status', () => {
  const routing = parseRouting(
    'expectedWaitMinutes: 20\nteams:\n  billing:\n    name: Billing\n    expectedWaitMinutes: 10\n    hours: { timezone: Europe/Berlin, days: [mon, tue, wed, thu, fri], open: "09:00", close: "17:00" }\n  support:\n    name: Customer support\n',
  );
  const minutes = (m: number) => m * 60_000;

  it('quotes the median of recent first replies once there are enough, the configured wait before that', () => {
    const measured: QueueStatus = { team: 'billing', position: 3, recentFirstReplyMs: [minutes(4), minutes(7), minutes(8), minutes(30)], repliedSinceHandoff: false };
    expect(expectedWaitMinutes(routing, measured)).toBe(7.5);
    expect(queueStatusText(Voice.for('en'), routing, measured, OFFICE_HOURS)).toBe("A person from billing will reply here. You're 3rd in the queue, usually within 10 minutes.");
    expect(expectedWaitMinutes(routing, { ...measured, recentFirstReplyMs: [minutes(50), minutes(70)] })).toBe(10);
    expect(expectedWaitMinutes(routing, { ...measured, team: 'support', recentFirstReplyMs: [] })).toBe(20);
    expect(queueStatusText(Voice.for('en'), routing, { ...measured, position: 1, recentFirstReplyMs: [minutes(90), minutes(100), minutes(150)] }, OFFICE_HOURS)).toBe(
      "A person from billing will reply here. You're next in the queue, usually within 2 hours.",
    );
  });

  it('outside the team hours says when people are back instead of quoting minutes', () => {
    const text = queueStatusText(Voice.for('en'), routing, { team: 'billing', position: 2, recentFirstReplyMs: [], repliedSinceHandoff: false }, SATURDAY_NIGHT);
    expect(text).toBe("A person from billing will reply here. The billing team is back Monday at 09:00 (Europe/Berlin), and will see your conversation first thing. You're 2nd in the queue.");
  });
});

describe('the demo brain around its answers', () => {
  let brain: SupportBrain;
  beforeAll(async () => {
    brain = await demoBrain({ clock: () => OFFICE_HOURS });
  });
  const queued = (position: number, repliedSinceHandoff = false): Partial<BrainContext> => ({
    conversation: { status: 'pending', unhelpfulTurns: 0, language: 'en' },
    queue: { team: 'billing', position, recentFirstReplyMs: [], repliedSinceHandoff },
  });

  // Billing has no recent first replies here: its expectedWaitMinutes (30) from knowledge/routing.yaml is quoted.
  it('after a hand-off answers a status question with the queue, acknowledges added details once, then leaves it to people', async () => {
    const ask = { ...context('any update? how long will this take?'), ...queued(3, true) } as BrainContext & { queue: QueueStatus };
    expect((await brain.whileQueued(ask))?.text).toBe("A person from billing will reply here. You're 3rd in the queue, usually within 30 minutes.");
    const details = { ...context('My order number is NW-EU-1048213'), ...queued(3) } as BrainContext & { queue: QueueStatus };
    expect((await brain.whileQueued(details))?.text).toMatch(/^Thanks — I've added this to your conversation for the team\. A person from billing/);
    expect(await brain.whileQueued({ ...details, ...queued(3, true) } as BrainContext & { queue: QueueStatus })).toBeUndefined();
  });

  it('while queued, answers in the customer language', async () => {
    const german = { ...context('Ich habe noch ein Foto von dem kaputten Karton, wohin soll ich es schicken?'), ...queued(2) } as BrainContext & { queue: QueueStatus };
    const reply = await brain.whileQueued({ ...german, conversation: { status: 'pending', unhelpfulTurns: 0, language: 'de' } });
    expect(reply?.text).toBe(
      'Danke — ich habe das für unser Team zu Ihrem Anliegen hinzugefügt. Eine Kollegin oder ein Kollege aus dem Team „Billing“ antwortet Ihnen hier. Sie sind an 2. Stelle in der Warteschlange, in der Regel innerhalb von 30 Minuten.',
    );
  });

  it('while queued, a customer who no longer needs a person takes the request back', async () => {
    const done = { ...context('Never mind, I found it in my spam folder'), ...queued(2, true) } as BrainContext & { queue: QueueStatus };
    expect(await brain.whileQueued(done)).toMatchObject({ text: expect.stringMatching(/no longer need them/), effects: { withdraw: true } });
    const notDone = { ...context('The colour is wrong and I still want the refund'), ...queued(2, true) } as BrainContext & { queue: QueueStatus };
    expect(await brain.whileQueued(notDone)).toBeUndefined();
  });

  it('while queued, a tap on "talk to a person" gets the status again', async () => {
    const tap = { ...context('Talk to a person', { actionValue: 'handoff' }), ...queued(1, true) } as BrainContext & { queue: QueueStatus };
    expect((await brain.whileQueued(tap))?.text).toBe("A person from billing will reply here. You're next in the queue, usually within 30 minutes.");
  });

  it('hands a German customer over in German only, after-hours note included', async () => {
    const night = await demoBrain({ clock: () => SATURDAY_NIGHT });
    const decision = await night.decide(context('Hallo, wie lange dauert die Lieferung nach Österreich ungefähr?'));
    expect(decision).toMatchObject({ kind: 'escalate', reason: 'unsupported_language' });
    expect(decision.text).toMatch(/Danke für Ihre Nachricht/);
    expect(decision.text).toMatch(/Unser Team „Customer support“ ist Montag um 08:00 Uhr \(Europe\/Berlin\) wieder da/);
    expect(decision.text).not.toMatch(/\b(the|our|team is back|just ask)\b/);
  });

  it('without the encoder, a message nothing answers is still handed over as before', async () => {
    expect(await brain.decide(context('Quantum chromodynamics lecture schedule for next semester'))).toMatchObject({ kind: 'escalate', reason: 'low_confidence' });
  });
});

describe('off-topic with the shared encoder', () => {
  let brain: SupportBrain;
  let embedder: Embedder | undefined;
  beforeAll(async () => {
    embedder = await loadEmbeddedEmbedder({ prepare: false, log: () => undefined });
    if (embedder) brain = await demoBrain({ clock: () => OFFICE_HOURS, embedder });
  });

  it('has the encoder prepared', () => {
    expect(embedder ? 'prepared' : 'missing: run bash scripts/prepare-models.sh').toBe('prepared');
  });

  it.each(["What's the weather in Paris?", 'write me a poem', 'tell me a joke', 'who won the match', 'Can you recommend a good film for tonight?'])(
    '"%s" gets a short answer about what the assistant is for, not a hand-over',
    async (text) => {
      const decision = await brain.decide(context(text));
      expect(decision).toMatchObject({ kind: 'clarify', annotations: { reason: 'off_topic' } });
      expect(decision.text).toMatch(/I can help with questions about .*returns.*shipping/);
      if (decision.kind === 'clarify') expect(decision.choices?.map((c) => c.id)).toEqual(['handoff']);
    },
  );

  it.each(['my parcel is stuck because of the weather?', 'is the jacket good for hiking in Iceland'])('"%s" stays a support question', async (text) => {
    const decision = await brain.decide(context(text));
    expect(decision.annotations.reason).not.toBe('off_topic');
    expect(['answer', 'escalate']).toContain(decision.kind);
  });

  it('a follow-up is answered from the section it asks about', async () => {
    const shipping = asked('How long does shipping to Germany take?', 'Two to five working days.');
    const us = await brain.decide(context('and what about the US?', { history: shipping }));
    // Read with the previous question it is about shipping to the US; the answer decision may answer it or ask which
    // of two shipping sections is meant, and then the US section must be an option.
    const usSection = 'Shipping › How much is shipping within the United States and how fast is it?';
    if (us.kind === 'clarify') expect(us.choices?.map((c) => c.title)).toContain('How much is shipping within the United States and how fast is it?');
    else expect(us).toMatchObject({ kind: 'answer', citations: [{ title: usSection }] });
    const returns = asked('How do I return an item?', 'Start the return in your account.');
    const exchanges = await brain.decide(context('and for exchanges?', { history: returns }));
    // The exchange section first; the return section it continues may be quoted beside it (a two-section answer).
    expect(exchanges.kind).toBe('answer');
    expect(exchanges.kind === 'answer' && exchanges.citations[0]).toMatchObject({ title: 'Returns › Can I exchange an item for a different size or colour?' });
  });

  it('never calls a foreign-language message off-topic: the head reads English', async () => {
    const decision = await brain.decide(context("Quel temps fait-il à Paris aujourd'hui ?"));
    expect(decision).toMatchObject({ kind: 'escalate', reason: 'unsupported_language' });
    expect(decision.text).toMatch(/^Merci pour votre message/);
  });

  it('uses weights only for the encoder they were trained on', () => {
    expect(loadOffTopicWeights('bge-small-en-v1.5-q')).toMatchObject({ encoder: 'bge-small-en-v1.5-q', dimensions: 384 });
    expect(loadOffTopicWeights('minilm-l6-v2-q')).toBeUndefined();
    expect(OffTopicModel.forEmbedder(undefined)).toBeUndefined();
  });

  it('needs the intent model or retrieval to agree before a probable off-topic becomes one', () => {
    expect(offTopicAfterAbstaining({ probability: 0.7, outOfScope: false })).toBe(false);
    expect(offTopicAfterAbstaining({ probability: 0.75, outOfScope: true })).toBe(true);
    expect(offTopicAfterAbstaining({ probability: undefined, outOfScope: true })).toBe(false);
  });
});
