import { createKnowledgeModels } from '../../knowledge/store';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

/**
 * The default product configuration: the embedded MiniLM model (prepared by scripts/prepare-models.sh, which
 * `.ci/run` calls), the demo help centre brought into MongoDB with its vectors, hybrid retrieval in the brain.
 */
describe('the gateway with the embedded embedding model', () => {
  let t: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway('hybrid_gateway', { env: { EMBEDDINGS: 'embedded' } });
  }, 120_000);
  afterAll(() => t?.stop());

  it('stores the knowledge base in MongoDB with one vector set per chunk', async () => {
    const { Chunk } = createKnowledgeModels(t.connection);
    const chunks = await Chunk.find({}, { vector: 1, vectorModel: 1 }).lean();
    expect(chunks.length).toBeGreaterThan(40);
    expect(chunks.every((c) => c.vectorModel === 'bge-small-en-v1.5-q' && (c.vector?.length ?? 0) % 384 === 0 && c.vector!.length > 0)).toBe(true);
  });

  // The answer decision (issue #13) hands the bare statement "the courier never brought my stuff and the tracking is
  // frozen" to people (answer probability 0.58 below its 0.88 threshold, chosen for precision); asked as a question
  // it is answered. The vectors still carry it: only "lost" is shared with the section's words.
  it('answers a paraphrase of the right section through the embedded model, citing it', async () => {
    const posted = await (await postMessage(t, { id: 'hy-1', contact: { id: 'hybrid' }, text: 'the courier never brought my stuff and the tracking is frozen, is it lost?' })).json();
    const answer = await until(t, async () => t.gateway.store.models.Message.findOne({ replyTo: posted.messageId }).lean());
    expect(answer.citations[0]!.title).toBe("Shipping › My package hasn't arrived or the tracking hasn't moved for days — is it lost?");
    expect(answer.citations[0]!.url).toBe('https://help.example/shipping#my-package-hasnt-arrived-or-the-tracking-hasnt-moved-for-days-is-it-lost');
  });

  it('abstains and hands over on a store question the help centre does not cover', async () => {
    const posted = await (await postMessage(t, { id: 'hy-2', contact: { id: 'hybrid-2' }, text: 'Do you sell kayaks and paddles for white water?' })).json();
    const conversation = await until(t, async () => {
      const conv = await t.gateway.store.conversations.get(posted.conversationId);
      return conv?.status === 'pending' && conv;
    });
    expect(conversation.escalationReason).toBe('low_confidence');
  });
});
