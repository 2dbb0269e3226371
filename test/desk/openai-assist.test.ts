import { Types } from 'mongoose';
import { postMessage } from '../support/gateway';
import { OpenAIPeer, everythingSent, modelAnalysis, type ChatHandlerInput } from '../support/openai-peer';
import { startSlackDesk, type SlackDesk } from '../support/slack-desk';
import { until } from '../support/until';
import { OFFICE_HOURS, testClock } from '../support/clock';

/** With a provider configured, the desk card's summary is the model's; without a usable answer, the desk's own. */
describe('agent assist with an OpenAI-compatible provider', () => {
  const peer = new OpenAIPeer();
  let desk: SlackDesk;
  let summaryAnswer: (input: ChatHandlerInput) => object | string;

  beforeAll(async () => {
    await peer.start();
    desk = await startSlackDesk('desk_openai', {
      clock: testClock(OFFICE_HOURS).now,
      env: { OPENAI_API_KEY: peer.apiKey, OPENAI_BASE_URL: peer.baseURL, OPENAI_EMBEDDING_MODEL: 'none', OPENAI_TIMEOUT_MS: '1500', OPENAI_MAX_RETRIES: '0' },
    });
    peer.onChat((input) => {
      const name = input.body.response_format?.json_schema?.name;
      if (name === 'handover_summary') return summaryAnswer(input);
      if (name === 'grounded_answer') return { answer: 'Refunds reach your account within 5 to 10 working days.', citedPassageIds: ['1'], supported: true };
      // The model reads the request for a person (`wants_human`); the hand-over itself is decided by our code.
      return modelAnalysis({ intent: 'refund_status', confidence: 0.9, wants_human: /human/.test(input.lastUserMessage) });
    });
  });
  afterAll(async () => {
    await desk.stop();
    await peer.stop();
  });

  async function escalate(id: string, text: string): Promise<string> {
    const res = await postMessage(desk.t, { id, contact: { id: `${id}-contact`, name: 'Ada' }, text });
    const { conversationId } = await res.json();
    await until(desk.t, async () => desk.card(conversationId), [desk.peer]);
    return conversationId;
  }

  it('puts the model-written summary on the card, with personal data redacted from the prompt', async () => {
    summaryAnswer = () => ({ summary: 'Ada wants to know when her refund arrives and asked for a person.' });
    const id = await escalate('oa-desk-1', 'When will my refund arrive? Mail me at ada@example.com — I want to talk to a human');
    const conversation = await desk.t.gateway.store.conversations.get(new Types.ObjectId(id));
    expect(conversation!.assist?.summary).toBe('Ada wants to know when her refund arrives and asked for a person.');
    expect(desk.card(id)!.blocks).toContain('Ada wants to know when her refund arrives');
    const summaryRequest = peer.chatRequests().find((r) => r.body.response_format?.json_schema?.name === 'handover_summary');
    expect(JSON.stringify(summaryRequest!.body)).toContain('[EMAIL]');
    expect(everythingSent(peer)).not.toContain('ada@example.com');
  });

  it('falls back to the analysis summary when the model answers nonsense', async () => {
    summaryAnswer = () => 'not json at all';
    const id = await escalate('oa-desk-2', 'Where is my refund? I want to talk to a human');
    const conversation = await desk.t.gateway.store.conversations.get(new Types.ObjectId(id));
    expect(conversation!.assist?.summary).toMatch(/^Ada wrote on API about refund status/);
  });
});
