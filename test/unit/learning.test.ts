import { Types } from 'mongoose';
import type { MessageRecord } from '../../conversations/types';
import { contentWords, MIN_ANSWER_WORDS, questionMessages } from '../../src/learning/agent-answers';

let at = 0;
function message(direction: 'inbound' | 'outbound', kind: MessageRecord['author']['kind'], text: string, extra: Partial<MessageRecord> = {}): MessageRecord {
  return {
    _id: new Types.ObjectId(),
    conversationId: new Types.ObjectId(),
    contactId: new Types.ObjectId(),
    channelId: 'web',
    direction,
    author: { kind },
    parts: [{ type: 'text', text }],
    text,
    citations: [],
    receivedAt: new Date(Date.UTC(2026, 10, 25, 9, 0, at++)),
    createdAt: new Date(0),
    ...extra,
  };
}
const customer = (text: string, extra: Partial<MessageRecord> = {}) => message('inbound', 'contact', text, extra);
const agent = (text: string, key: string) => message('outbound', 'agent', text, { dedupeKey: key });
const bot = (text: string) => message('outbound', 'bot', text);

describe('what an agent reply and its question are, for learning', () => {
  it('counts content words: pleasantries and holding replies have none', () => {
    expect(contentWords('Hi! Let me check that for you, one moment please.')).toBe(0);
    expect(contentWords('Thanks, you are welcome — glad I could help!')).toBeLessThan(MIN_ANSWER_WORDS);
    expect(contentWords('Our Berlin store rents tents for 15 euros per night.')).toBeGreaterThanOrEqual(MIN_ANSWER_WORDS);
  });

  it('takes the customer messages since the previous real answer, without greetings, button taps or machine mail', () => {
    const history = [
      customer('Do you sell stoves?'),
      agent('Yes, we sell gas and multi-fuel stoves in every store.', 'agent:a1'),
      customer('hello?'),
      customer('Can I rent a tent for a weekend?'),
      customer('Talk to a person', { actionValue: 'handoff' }),
      customer('Out of office', { automated: 'auto-reply' }),
      bot("I'm passing your question to a member of our team."),
      agent('Hi! Let me check, one moment.', 'agent:a2'),
      customer('It is for two people'),
      agent('Yes: our Berlin store rents two-person tents for 15 euros per night.', 'agent:a3'),
    ];
    expect(questionMessages(history, 'agent:a3').map((m) => m.text)).toEqual(['Can I rent a tent for a weekend?', 'It is for two people']);
    expect(questionMessages(history, 'agent:a1').map((m) => m.text)).toEqual(['Do you sell stoves?']);
  });

  it('gives an answer in two messages one question, so both parts join one proposal', () => {
    const history = [customer('Do you sell stoves?'), agent('Yes, we sell gas and multi-fuel stoves in every store.', 'agent:a1'), agent('They start at 40 euros for the basic gas model.', 'agent:a2')];
    expect(questionMessages(history, 'agent:a2')).toEqual(questionMessages(history, 'agent:a1'));
    expect(questionMessages(history, 'agent:a2').map((m) => m.text)).toEqual(['Do you sell stoves?']);
  });

  it('finds no question when the customer never asked one', () => {
    expect(questionMessages([customer('hi'), bot('Hello! How can I help?'), agent('Hello, this is Dana from the support team here.', 'agent:a1')], 'agent:a1')).toEqual([]);
  });
});
