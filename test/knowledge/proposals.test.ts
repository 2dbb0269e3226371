import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestPath } from '../../knowledge/ingest';
import { approveProposal, listProposals, proposalId, recordProposal, rejectProposal } from '../../knowledge/proposals';
import { bumpKnowledgeRevision, createKnowledgeModels, knowledgeRevision, loadChunks } from '../../knowledge/store';
import type { PassageSource } from '../../src/brain/answer/passages';
import { liveKnowledge } from '../../src/knowledge-live';
import { connectTestDb, type TestDb } from '../setup/db';
import { FakeEmbedder } from './fake-embedder';

const T0 = new Date('2026-11-25T09:00:00Z');

describe('proposed knowledge entries in MongoDB', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await connectTestDb('knowledge_proposals');
  });
  afterAll(() => db?.drop());

  const input = (answerKey: string, answer: string, question = 'Can I rent a tent?') => ({
    id: proposalId('conv-1', 'msg-1'),
    question,
    answer,
    answerKey,
    conversationId: 'conv-1',
    agent: { id: 'slack:U1', name: 'Dana' },
    team: 'support',
    now: T0,
  });

  it('records one proposal per question; a redelivery adds nothing, a second part of the answer is appended once', async () => {
    const first = await recordProposal(db.connection, input('agent:1', 'Yes, our Berlin store rents tents.'));
    expect(first).toMatchObject({ status: 'proposed', question: 'Can I rent a tent?', answer: 'Yes, our Berlin store rents tents.', answerKeys: ['agent:1'], agentName: 'Dana' });
    await recordProposal(db.connection, input('agent:1', 'Yes, our Berlin store rents tents.'));
    await recordProposal(db.connection, input('agent:2', 'It costs 15 euros per night.'));
    const again = await recordProposal(db.connection, input('agent:2', 'It costs 15 euros per night.'));
    expect(again).toMatchObject({ answer: 'Yes, our Berlin store rents tents.\n\nIt costs 15 euros per night.', answerKeys: ['agent:1', 'agent:2'] });
    expect(await listProposals(db.connection)).toHaveLength(1);
  });

  it('approves as edited into a learned chunk with its vector, and moves the revision; rejecting removes it', async () => {
    const id = proposalId('conv-1', 'msg-1');
    const before = await knowledgeRevision(db.connection);
    const embedder = new FakeEmbedder();
    const approved = await approveProposal(db.connection, id, { title: 'Tent rental', answer: 'Our Berlin store rents tents for 15 euros per night.', by: 'ana', now: T0, embedder });
    expect(approved).toMatchObject({ status: 'approved', title: 'Tent rental', decidedBy: 'ana', answer: 'Our Berlin store rents tents for 15 euros per night.' });
    expect(await knowledgeRevision(db.connection)).toBe(before + 1);

    const loaded = await loadChunks(db.connection, { vectorModel: embedder.id });
    expect(loaded.chunks).toEqual([
      { id: `learned:${id}`, docId: `learned:${id}`, docTitle: 'Tent rental', heading: 'Can I rent a tent?', title: 'Tent rental', text: 'Our Berlin store rents tents for 15 euros per night.' },
    ]);
    expect(loaded.vectors[0]!.length % embedder.dimensions).toBe(0);
    expect(await createKnowledgeModels(db.connection).Document.findById(`learned:${id}`).lean()).toMatchObject({ sourceType: 'learned', chunkCount: 1 });

    // A later ingest with --prune of an unrelated folder keeps it: no file backs a learned entry.
    const dir = await mkdtemp(join(tmpdir(), 'sb-learned-'));
    try {
      await writeFile(join(dir, 'faq.md'), '# FAQ\n\n## Opening hours\n\nWe are open from 9 to 18 on weekdays.\n');
      const report = await ingestPath(db.connection, dir, { prune: true });
      expect(report).toMatchObject({ added: 1, removed: 0 });
      expect(await knowledgeRevision(db.connection)).toBe(before + 2);
      expect((await loadChunks(db.connection)).chunks.map((c) => c.id)).toEqual(['faq#opening-hours', `learned:${id}`]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    const rejected = await rejectProposal(db.connection, id, { by: 'ana', now: T0 });
    expect(rejected.status).toBe('rejected');
    expect((await loadChunks(db.connection)).chunks.map((c) => c.id)).toEqual(['faq#opening-hours']);
    expect(await knowledgeRevision(db.connection)).toBe(before + 3);
    // A rejected proposal takes no further parts of an answer.
    expect(await recordProposal(db.connection, input('agent:3', 'We also rent stoves.'))).toMatchObject({ status: 'rejected', answerKeys: ['agent:1', 'agent:2'] });
  });

  it('refuses an unknown id and an emptied answer', async () => {
    await expect(approveProposal(db.connection, 'nope', { by: 'ana', now: T0 })).rejects.toThrow('no proposal nope');
    await expect(approveProposal(db.connection, proposalId('conv-1', 'msg-1'), { answer: '  ', by: 'ana', now: T0 })).rejects.toThrow('must not be empty');
  });
});

describe('live knowledge in a running gateway', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await connectTestDb('knowledge_live');
  });
  afterAll(() => db?.drop());

  /** A passage source that answers with the generation it was built as, so a test sees which build served a query. */
  function builder() {
    let builds = 0;
    let failNext = false;
    const build = async (): Promise<PassageSource> => {
      if (failNext) {
        failNext = false;
        throw new Error('store unavailable');
      }
      const generation = ++builds;
      return { retrieve: async () => [{ id: `gen-${generation}`, title: '', text: '', confidence: 1 }] };
    };
    return { build, builds: () => builds, failOnce: () => void (failNext = true) };
  }
  const served = async (source: PassageSource) => (await source.retrieve('q', 1))[0]!.id;

  it('with checks before every question: the first question after a change is answered from the rebuilt knowledge', async () => {
    const b = builder();
    const errors: unknown[] = [];
    const source = await liveKnowledge(db.connection, b.build, { checkEveryMs: 0, onReloadError: (err) => errors.push(err) });
    expect(await served(source)).toBe('gen-1');
    expect(await served(source)).toBe('gen-1');
    expect(b.builds()).toBe(1);

    await bumpKnowledgeRevision(db.connection);
    expect(await served(source)).toBe('gen-2');

    // A failed rebuild keeps the previous knowledge and is tried again at the next check.
    await bumpKnowledgeRevision(db.connection);
    b.failOnce();
    expect(await served(source)).toBe('gen-2');
    expect(errors).toHaveLength(1);
    expect(await served(source)).toBe('gen-3');
  });

  it('with a check interval: checks at most that often, in the background, and questions never wait for a rebuild', async () => {
    const b = builder();
    let clock = 0;
    let reloaded: (revision: number) => void = () => {};
    const source = await liveKnowledge(db.connection, b.build, { checkEveryMs: 1000, now: () => clock, onReloaded: (r) => reloaded(r) });
    await bumpKnowledgeRevision(db.connection);
    clock = 999;
    expect(await served(source)).toBe('gen-1'); // not due yet: no check at all
    expect(b.builds()).toBe(1);

    clock = 1000;
    const done = new Promise<number>((resolve) => (reloaded = resolve));
    expect(await served(source)).toBe('gen-1'); // due: the check starts, this question is not held up by it
    expect(await done).toBe(await knowledgeRevision(db.connection));
    expect(await served(source)).toBe('gen-2');
  });
});
