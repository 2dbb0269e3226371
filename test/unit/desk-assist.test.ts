import { Types } from 'mongoose';
import pino from 'pino';
import { AgentAssist, draftEmail, nextBestAction, summarize } from '../../src/desk/assist';
import type { Brain, BrainContext } from '../../src/brain/types';
import { demoBrain } from '../support/demo-brain';
import { answerCommand } from '../../src/desk/commands';
import type { ConversationRecord, MessageRecord } from '../../conversations/types';

const conversationId = new Types.ObjectId();
const conversation = {
  _id: conversationId,
  channelKind: 'whatsapp',
  status: 'pending',
  escalationReason: 'negative_sentiment',
  latest: { intent: 'late_delivery', sentiment: 'negative', frustration: 0.8, entities: [{ kind: 'order', value: '4711' }, { kind: 'email' }] },
} as unknown as ConversationRecord;

const message = (author: MessageRecord['author']['kind'], text: string, extra: Partial<MessageRecord> = {}) =>
  ({ _id: new Types.ObjectId(), direction: author === 'contact' ? 'inbound' : 'outbound', author: { kind: author }, text, ...extra }) as MessageRecord;

const history = [
  message('contact', 'Where is my parcel? It was due on Monday.'),
  message('bot', 'Deliveries take 3–5 working days.', { rating: { value: 'unhelpful', at: new Date() } }),
  message('contact', 'This is the third time I ask. Still nothing!'),
];

describe('agent assist without a provider', () => {
  it('summarises who, what, how they feel, what they said and why people took over', () => {
    const summary = summarize({ conversation, customerName: 'Ada Lovelace', history });
    expect(summary).toContain('Ada Lovelace wrote on WhatsApp about late delivery (negative, frustration 0.80)');
    expect(summary).toContain('First: “Where is my parcel? It was due on Monday.” Latest: “This is the third time I ask. Still nothing!”');
    expect(summary).toContain('The bot replied 1 time, 1 rated unhelpful; handed over because: the customer is upset.');
    expect(summary).toContain('Mentioned: order 4711, an email.');
  });

  it('drafts an email around the suggestion and suggests concrete next steps', () => {
    const draft = draftEmail({ conversation, customerName: 'Ada Lovelace', history }, { summary: '', suggestion: { text: 'Hi Ada, your parcel ships today.', citations: [{ title: 'Delivery › Times', url: 'https://help.example/delivery' }] }, at: new Date() }, 'Dana');
    expect(draft.split('\n').slice(0, 5)).toEqual(['Subject: Re: late delivery', '', 'Hi Ada,', '', 'your parcel ships today.']);
    expect(draft).toContain('- Delivery › Times: https://help.example/delivery');
    expect(draft.endsWith('Best regards,\nDana')).toBe(true);
    const next = nextBestAction({ conversation, customerName: 'Ada', history });
    expect(next).toBe(
      ['1. Claim the conversation so the customer knows a person has it.', '2. Acknowledge the frustration and apologise once before solving.', '3. Look up order 4711 in the order system and give the customer a concrete date or status.'].join('\n'),
    );
  });
});

describe('agent assist reads what the processor lets the brain read', () => {
  it('asks the brain with the customer turn bounded to BRAIN_MAX_CHARS, not a pasted 200,000-character log', async () => {
    const demo = await demoBrain();
    const asked: string[] = [];
    // The real demo brain, with the texts it is asked recorded.
    const brain: Brain = { name: demo.name, usesHistory: demo.usesHistory, decide: (ctx: BrainContext) => (asked.push(ctx.text), demo.decide(ctx)) };
    const assist = new AgentAssist(brain, pino({ level: 'silent' }), 1000);
    const pasted = `How do I return an item? ${'log line 0x1f '.repeat(15_000)}`;
    await assist.suggest({ conversation, customerName: 'Ada', history: [message('contact', pasted)] });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.length).toBeLessThanOrEqual(1000);
    expect(asked[0]!.startsWith('How do I return an item?')).toBe(true);
  });
});

describe('desk commands', () => {
  it('answers unknown words with the help text without touching the store', async () => {
    const text = await answerCommand({} as never, { text: 'frobnicate', agentId: 'a', deskChannelId: 'd', now: new Date() });
    expect(text).toContain('`open`');
    expect(text).toContain('`mine`');
    expect(text).toContain('`status`');
  });
});
