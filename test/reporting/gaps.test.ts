import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { consoleUser } from '../support/console';
import { until } from '../support/until';
import type { GapGroup } from '../../src/reporting/gaps';

/** Knowledge gaps: the questions the bot handed over for want of an answer, grouped, from real conversations. */
describe('knowledge gaps', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway('report_gaps');
  });
  afterAll(async () => {
    await t.stop();
  });

  it('groups the unanswered questions and leaves out the ones the bot answered', async () => {
    const ask = async (id: string, contact: string, text: string) => {
      const { messageId } = (await (await postMessage(t, { id, contact: { id: contact }, text })).json()) as { messageId: string };
      return until(t, async () => {
        const m = await t.gateway.store.messages.get(messageId);
        return m?.processing?.state === 'done' ? m : undefined;
      });
    };
    const unanswered = [
      await ask('g-1', 'gap-1', 'Do you sell gift vouchers for the shop?'),
      await ask('g-2', 'gap-2', 'Do you offer gift vouchers?'),
      await ask('g-3', 'gap-3', 'Is there a loyalty programme with points?'),
    ];
    const answered = await ask('g-4', 'gap-4', 'How do I start a return?');
    expect(unanswered.map((m) => m.annotations?.reason)).toEqual(['low_confidence', 'low_confidence', 'low_confidence']);
    expect(answered.annotations?.decision).toBe('answer');

    const analyst = await consoleUser(t, 'analyst');
    const today = new Date().toISOString().slice(0, 10);
    const { groups } = (await (await analyst.call('GET', `/console/api/reports/gaps?from=${today}&to=${today}`)).json()) as { groups: GapGroup[] };
    // Keyword grouping here (the test gateway runs without the encoder): the two voucher questions share words.
    expect(groups.map((g) => g.count).sort()).toEqual([1, 2]);
    const vouchers = groups.find((g) => g.count === 2)!;
    expect(vouchers.examples.map((e) => e.text).sort()).toEqual(['Do you offer gift vouchers?', 'Do you sell gift vouchers for the shop?']);
    expect(JSON.stringify(groups)).not.toContain('start a return');
  });
});
