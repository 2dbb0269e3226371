import { Types } from 'mongoose';
import { createKnowledgeModels } from '../../knowledge/store';
import { proposalModel, type ProposalRecord } from '../../knowledge/proposals';
import type { MessageRecord } from '../../conversations/types';
import { knowledgeApproveCommand, knowledgeGapsCommand, knowledgeProposalsCommand, knowledgeRejectCommand } from '../../src/cli/knowledge-proposals';
import type { GapReport } from '../../src/learning/gaps';
import { Capture } from '../support/capture';
import { OFFICE_HOURS, testClock } from '../support/clock';
import { postMessage } from '../support/gateway';
import { uriWithDb } from '../support/mongo-uri';
import { startSlackDesk, type SlackDesk } from '../support/slack-desk';
import { until } from '../support/until';

/**
 * Learning from agents, end to end, with the embedded model and the real stand-in MongoDB: a question the help
 * centre cannot answer is handed over, an agent answers it in the Slack thread, the pair becomes a proposal, an
 * admin approves it with the CLI while the gateway runs, and the next customer asking it in other words is
 * answered from it with a citation. A rejected proposal never goes live; revoking takes an entry out again.
 */
describe('learning from agents and ratings', () => {
  let desk: SlackDesk;
  let env: Record<string, string>;
  let seq = 0;

  beforeAll(async () => {
    desk = await startSlackDesk('learning', { clock: testClock(OFFICE_HOURS).now, env: { EMBEDDINGS: 'embedded', KNOWLEDGE_REFRESH_MS: '0' } });
    env = { MONGODB_URI: uriWithDb(process.env.MONGODB_URI!, desk.t.connection.name), LOG_LEVEL: 'silent', EMBEDDINGS: 'embedded' };
  }, 180_000);
  afterAll(() => desk?.stop());

  const store = () => desk.t.gateway.store;

  /** A new customer asks `text` on the API channel; resolves with the bot's reply and the conversation afterwards. */
  async function ask(text: string) {
    const posted = (await (await postMessage(desk.t, { id: `q-${++seq}`, contact: { id: `customer-${seq}` }, text })).json()) as { messageId: string; conversationId: string };
    // Done, not just replied to: the reply is queued before the conversation is handed over.
    await until(desk.t, async () => (await store().models.Message.findById(posted.messageId).lean<MessageRecord>())?.processing?.state === 'done');
    const reply = (await store().models.Message.findOne({ replyTo: new Types.ObjectId(posted.messageId) }).lean<MessageRecord>())!;
    const conversation = (await store().conversations.get(new Types.ObjectId(posted.conversationId)))!;
    return { reply, conversation, conversationId: posted.conversationId, contactId: `customer-${seq}` };
  }

  async function cli<T>(run: (io: { env: Record<string, string>; stdout: Capture; stderr: Capture }) => Promise<T>) {
    const stdout = new Capture();
    const stderr = new Capture();
    process.exitCode = undefined;
    const result = await run({ env, stdout, stderr });
    const code = process.exitCode ?? 0;
    process.exitCode = undefined;
    return { result, code, out: stdout.text, err: stderr.text };
  }

  const proposalsOf = (conversationId: string) => proposalModel(desk.t.connection).find({ conversationId }).lean<ProposalRecord[]>();

  /** A customer asks, the bot hands over, the agent answers in the card's thread (the answer event delivered twice). */
  async function escalateAndAnswer(question: string, answer: string) {
    const asked = await ask(question);
    expect(asked.conversation).toMatchObject({ status: 'pending', escalationReason: 'low_confidence' });
    const card = await until(desk.t, async () => desk.card(asked.conversationId), [desk.peer]);
    const eventId = `EvAnswer${seq}`;
    expect((await desk.agentSays(card.ts, answer, { eventId })).status).toBe(200);
    expect((await desk.agentSays(card.ts, answer, { eventId, retryNum: 1 })).status).toBe(200);
    return { ...asked, card };
  }

  let tentProposal: ProposalRecord;

  it('keeps an agent answer to an escalated question as one proposal, with personal data redacted', async () => {
    const asked = await ask('Can I rent a tent for a weekend instead of buying one?');
    expect(asked.conversation).toMatchObject({ status: 'pending', escalationReason: 'low_confidence' });
    const card = await until(desk.t, async () => desk.card(asked.conversationId), [desk.peer]);

    // A holding reply is not knowledge.
    expect((await desk.agentSays(card.ts, 'Hi! Let me check that for you, one moment please.')).status).toBe(200);
    expect(await proposalsOf(asked.conversationId)).toEqual([]);

    const answer = 'Yes: our Munich and Berlin stores rent out tents for 15 euros per night, with a 100 euro deposit. Reserve at least three days ahead by writing to rentals@northwind.example or calling +49 30 1234567.';
    expect((await desk.agentSays(card.ts, answer, { eventId: 'EvTent' })).status).toBe(200);
    expect((await desk.agentSays(card.ts, answer, { eventId: 'EvTent', retryNum: 1 })).status).toBe(200);

    const proposals = await proposalsOf(asked.conversationId);
    expect(proposals).toHaveLength(1);
    tentProposal = proposals[0]!;
    expect(tentProposal).toMatchObject({ status: 'proposed', question: 'Can I rent a tent for a weekend instead of buying one?', agentName: 'Dana', team: asked.conversation.team });
    expect(tentProposal.answer).toContain('rent out tents for 15 euros per night');
    expect(tentProposal.answer).toContain('[EMAIL]');
    expect(tentProposal.answer).toContain('[PHONE]');
    expect(tentProposal.answer).not.toContain('rentals@northwind.example');
    expect(tentProposal.answerKeys).toHaveLength(1);

    const listed = await cli((io) => knowledgeProposalsCommand({}, io));
    expect(listed.code).toBe(0);
    expect(listed.out).toContain(tentProposal._id);
    expect(listed.out).toContain('Q: Can I rent a tent for a weekend instead of buying one?');
  });

  const paraphrase = 'is it possible to hire a tent for a short camping trip?';

  it('does not answer from a proposal before an admin approves it', async () => {
    const asked = await ask(paraphrase);
    expect(asked.conversation.status).toBe('pending');
    expect(asked.reply.citations).toEqual([]);
  });

  it('answers the next customer asking it in other words from the approved entry, citing it', async () => {
    const approved = await cli((io) => knowledgeApproveCommand(tentProposal._id, { title: 'Tent rental', by: 'admin-ana' }, io));
    expect(approved.err).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.result).toMatchObject({ status: 'approved', title: 'Tent rental', decidedBy: 'admin-ana' });
    expect(approved.out).toContain(`Approved ${tentProposal._id}`);
    const listed = await cli((io) => knowledgeProposalsCommand({ status: 'approved', json: true }, io));
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ id: tentProposal._id, status: 'approved', title: 'Tent rental' })]);
    const chunk = await createKnowledgeModels(desk.t.connection).Chunk.findById(`learned:${tentProposal._id}`).lean();
    expect(chunk).toMatchObject({ title: 'Tent rental', heading: tentProposal.question, text: tentProposal.answer });
    expect(chunk!.vector?.length).toBeGreaterThan(0);

    for (const question of ['Do you do tent hire? I only need one for a weekend', paraphrase]) {
      const asked = await ask(question);
      expect(asked.conversation.status).toBe('bot');
      expect(asked.reply.citations).toEqual([{ title: 'Tent rental' }]);
      expect(asked.reply.text).toContain('rent out tents for 15 euros per night');
      expect(asked.reply.annotations).toMatchObject({ decision: 'answer', answerSource: `learned:${tentProposal._id}` });
    }
  });

  it('never puts a rejected proposal live, and revoking an approved entry takes it out', async () => {
    const kayaks = await escalateAndAnswer(
      'Do you sell kayaks and paddles for white water?',
      "No, we don't stock kayaks or paddles: we focus on hiking and camping gear, so a water-sports specialist is your best bet.",
    );
    const [proposal] = await proposalsOf(kayaks.conversationId);
    expect(proposal).toMatchObject({ status: 'proposed' });
    const rejected = await cli((io) => knowledgeRejectCommand(proposal!._id, { by: 'admin-ana' }, io));
    expect(rejected.result).toMatchObject({ status: 'rejected', decidedBy: 'admin-ana' });
    expect(await createKnowledgeModels(desk.t.connection).Chunk.findById(`learned:${proposal!._id}`).lean()).toBeNull();
    const again = await ask('do you have white water kayaks and paddles for sale?');
    expect(again.conversation.status).toBe('pending');
    expect(again.reply.citations).toEqual([]);

    const revoked = await cli((io) => knowledgeRejectCommand(tentProposal._id, {}, io));
    expect(revoked.result).toMatchObject({ status: 'rejected' });
    const tent = await ask(paraphrase);
    expect(tent.conversation.status).toBe('pending');
    expect(tent.reply.citations).toEqual([]);

    const unknown = await cli((io) => knowledgeApproveCommand('nope', {}, io));
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('no proposal nope');
  });

  it('keeps 👎 ratings (with the rated answer and its source) and abstentions for the knowledge-gap report', async () => {
    const answered = await ask('How do I return an item?');
    expect(answered.reply.citations.length).toBeGreaterThan(0);
    const source = answered.reply.annotations!.answerSource!;
    await postMessage(desk.t, { id: `rate-${seq}`, contact: { id: answered.contactId }, choice: { id: 'rate:unhelpful', title: '👎 Not helpful' } });
    await until(desk.t, async () => (await store().models.Message.findById(answered.reply._id).lean<MessageRecord>())?.rating?.value === 'unhelpful');

    const gaps = await cli((io) => knowledgeGapsCommand({ json: true }, io));
    expect(gaps.code).toBe(0);
    const report = JSON.parse(gaps.out) as GapReport;
    expect(report.counts.unhelpful).toBe(1);
    expect(report.unhelpfulSources).toEqual([{ id: source, title: answered.reply.citations[0]!.title, count: 1 }]);
    expect(report.recent.find((g) => g.kind === 'unhelpful')).toMatchObject({ question: 'How do I return an item?', source: { id: source } });
    // Asked with the same words before the approval and after the revocation, handed over both times.
    expect(report.repeatedQuestions).toContainEqual({ question: paraphrase, count: 2 });
    expect(report.counts.byReason.low_confidence).toBeGreaterThanOrEqual(5);
    // The first tent question led to the (since revoked) entry: the report links them.
    expect(report.recent.find((g) => g.question === 'Can I rent a tent for a weekend instead of buying one?')).toMatchObject({
      kind: 'abstained',
      reason: 'low_confidence',
      proposal: { id: tentProposal._id, status: 'rejected' },
    });

    const text = await cli((io) => knowledgeGapsCommand({}, io));
    expect(text.out).toContain('1 answer(s) rated 👎');
    expect(text.out).toContain(`2×  ${paraphrase}`);
  });
});
