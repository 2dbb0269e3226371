import type { Brain, BrainContext, Decision } from '../../src/brain/types';
import { demoBrain } from '../support/demo-brain';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

/**
 * The demo brain, except that a message containing POISON never finishes its turn, like a pattern that pins the
 * CPU or a worker killed mid-turn: the promise stays pending until the test ends. Every context it is given is kept.
 */
class PoisonedBrain implements Brain {
  readonly name = 'poisoned';
  readonly usesHistory = true;
  readonly seen: BrainContext[] = [];
  private readonly hung: Array<(err: Error) => void> = [];

  constructor(private readonly inner: Brain) {}

  decide(context: BrainContext): Promise<Decision> {
    this.seen.push(context);
    if (!context.text.includes('POISON')) return this.inner.decide(context);
    return new Promise((_resolve, reject) => this.hung.push(reject));
  }

  /** Ends the hung turns (their workers are long replaced) so the gateway can stop. */
  release(): void {
    for (const reject of this.hung.splice(0)) reject(new Error('worker gone'));
  }
}

describe('a message whose processing never finishes', () => {
  let t: TestGateway;
  let brain: PoisonedBrain;

  beforeAll(async () => {
    brain = new PoisonedBrain(await demoBrain());
    // Three workers, two attempts: two turns hang (each keeps its worker), the third claim quarantines.
    t = await startTestGateway('quarantine', { brain, env: { WORKERS: '3', LEASE_MS: '400', PROCESS_MAX_ATTEMPTS: '2', BRAIN_MAX_CHARS: '4000' } });
  });
  afterAll(async () => {
    brain.release();
    await t.stop();
  });

  it('is quarantined after the attempts run out and never reaches the brain again, not even as history', async () => {
    const poison = `POISON ${'lorem ipsum '.repeat(200)}end`;
    const first = await (await postMessage(t, { id: 'q-1', contact: { id: 'poisoner' }, text: poison })).json();
    const quarantined = await until(t, async () => {
      const m = await t.gateway.store.messages.get(first.messageId);
      return m?.processing?.state === 'done' ? m : undefined;
    });
    // Counted before each turn: two turns started and hung, the third claim did not run the brain.
    expect(quarantined.processing).toMatchObject({ outcome: 'quarantined', attempts: 3 });
    expect(brain.seen.filter((c) => c.text.includes('POISON'))).toHaveLength(2);
    const conversation = await t.gateway.store.conversations.get(first.conversationId);
    expect(conversation).toMatchObject({ status: 'pending', escalationReason: 'processing_error', priority: 'high' });
    // Nothing was said on the bot's behalf for the poisoned message; its full text stays stored for agents.
    expect(await t.gateway.store.models.Message.countDocuments({ replyTo: first.messageId })).toBe(0);
    expect(quarantined.text).toBe(poison);

    // An agent hands the conversation back; the customer's next short message is answered as usual.
    await t.gateway.store.conversations.returnToBot(conversation!._id);
    const next = await (await postMessage(t, { id: 'q-2', contact: { id: 'poisoner' }, text: 'How do I return an item?' })).json();
    expect(next.conversationId).toBe(first.conversationId);
    const reply = await until(t, async () => t.gateway.store.models.Message.findOne({ replyTo: next.messageId }).lean());
    expect(reply.citations[0]!.title).toMatch(/Returns/);
    const input = brain.seen.at(-1)!;
    expect(input.text).toBe('How do I return an item?');
    expect(JSON.stringify(input.history)).not.toContain('POISON');
  });

  it('a message longer than BRAIN_MAX_CHARS is analysed on its prefix, stored whole and marked truncated', async () => {
    const long = `How do I return an item? ${'This is a very long story about my parcel. '.repeat(200)}The end.`;
    const sent = await (await postMessage(t, { id: 'long-1', contact: { id: 'storyteller' }, text: long })).json();
    const done = await until(t, async () => {
      const m = await t.gateway.store.messages.get(sent.messageId);
      return m?.processing?.state === 'done' ? m : undefined;
    });
    expect(done.text).toBe(long);
    expect(done.annotations?.truncatedFrom).toBe(long.length);
    const input = brain.seen.find((c) => c.text.startsWith('How do I return an item? This is'))!;
    expect(input.text.length).toBeLessThanOrEqual(4000);
    expect(input.text.length).toBeGreaterThan(3200);
    expect(long.startsWith(input.text)).toBe(true);
    // Cut at a word boundary: the prefix ends with a whole word.
    expect(long[input.text.length]).toMatch(/\s/);
  });
});
