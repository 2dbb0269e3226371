import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { Embedder } from '../../knowledge/embedder';
import { docsToChunks, evaluateRetrieval, readJsonl } from '../../src/cli/eval-retrieval';

const docs = [
  { id: 'returns', title: 'Returns › How do I return an item?', text: 'Start a return from your account within 30 days; print the prepaid label.' },
  { id: 'shipping', title: 'Shipping › Delivery times', text: 'Parcels to Germany arrive in 2 to 4 working days with DHL.' },
  { id: 'payments', title: 'Payments › Payment methods', text: 'We accept Visa, Mastercard, PayPal and Klarna.' },
];

describe('eval retrieval', () => {
  it('measures ranking on answerable queries and abstention on unanswerable ones', async () => {
    const result = await evaluateRetrieval(
      docs,
      [
        { id: 'q1', query: 'how do I return an item', relevant: ['returns'] },
        { id: 'q2', query: 'can I pay with paypal', relevant: ['payments'] },
        { id: 'q3', query: 'delivery to germany', relevant: ['shipping'] },
        { id: 'q4', query: 'do you sell kayaks', relevant: [] },
      ],
      0.35,
    );
    expect(result).toEqual({ n: 4, hit1: 1, hit5: 1, mrr: 1, abstainRecall: 1, answeredPrecision: 1, coverage: 1, decision: 'threshold', msPerQuery: expect.any(Number) });
  });

  it('counts an answer to an unanswerable question against precision', async () => {
    const result = await evaluateRetrieval(docs, [{ id: 'q1', query: 'paypal refund for kayaks', relevant: [] }], 0.3);
    expect(result.abstainRecall).toBe(0);
    expect(result.answeredPrecision).toBe(0);
  });

  it('rejects relevant ids that are not documents, and duplicate documents', async () => {
    await expect(evaluateRetrieval(docs, [{ id: 'q9', query: 'x', relevant: ['nope'] }], 0.35)).rejects.toThrow(/q9.*"nope"/);
    await expect(evaluateRetrieval([...docs, docs[0]!], [{ id: 'q1', query: 'x', relevant: [] }], 0.35)).rejects.toThrow(/"returns" occurs more than once/);
  });

  it('ranks whole documents by their best passage, split at markdown headings and by length', async () => {
    const filler = (topic: string) => Array.from({ length: 60 }, (_, i) => `${topic} detail ${i}.`).join(' ');
    const guide = {
      id: 'guide',
      title: 'Customer guide',
      text: `Welcome to the guide.\n\n## Returns\n\n${filler('policy')}\n\nYou can return kayaks within 30 days.\n\n## Delivery\n\nWe deliver with DHL.`,
    };
    const chunks = docsToChunks([guide, docs[2]!]);
    expect(new Set(chunks.map((c) => c.docId))).toEqual(new Set(['guide', 'payments']));
    expect(chunks.filter((c) => c.docId === 'guide').length).toBeGreaterThan(3);
    const result = await evaluateRetrieval(
      [guide, docs[2]!],
      [
        { id: 'q1', query: 'return a kayak', relevant: ['guide'] },
        { id: 'q2', query: 'pay with klarna', relevant: ['payments'] },
      ],
      0.35,
    );
    expect(result).toMatchObject({ n: 2, hit1: 1, mrr: 1, answeredPrecision: 1 });
  });

  it('runs hybrid with an embedder, thresholding the confidence instead of word coverage', async () => {
    // Every text gets the same vector: ranking falls to BM25, and the confidence is the calibrated curve at cosine 1.
    const flat: Embedder = { id: 'flat', dimensions: 2, embed: async (texts) => texts.map(() => Float32Array.from([1, 0])) };
    const queries = [
      { id: 'q1', query: 'can I pay with paypal', relevant: ['payments'] },
      { id: 'q2', query: 'do you sell kayaks', relevant: [] },
    ];
    const answering = await evaluateRetrieval(docs, queries, 0.5, { embedder: flat });
    expect(answering).toMatchObject({ hit1: 1, abstainRecall: 0, answeredPrecision: 0.5 });
    // σ(bias + top) of the bge calibration is 0.9994: a threshold above it abstains on everything.
    const abstaining = await evaluateRetrieval(docs, queries, 0.9999, { embedder: flat });
    expect(abstaining).toMatchObject({ hit1: 1, abstainRecall: 1, answeredPrecision: null });
  });

  it('names the line and the problem of a malformed JSONL file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-jsonl-'));
    const file = join(dir, 'q.jsonl');
    const schema = z.object({ id: z.string(), query: z.string().min(1), relevant: z.array(z.string()) });
    writeFileSync(file, '{"id":"a","query":"x","relevant":[]}\n{"id":"b","query":"y"}\n');
    expect(() => readJsonl(file, schema)).toThrow(/q\.jsonl line 2: relevant:/);
    writeFileSync(file, '{"id":"a","query":"x","relevant":[]}\n\n{oops\n');
    expect(() => readJsonl(file, schema)).toThrow(/q\.jsonl line 3: not JSON/);
  });
});
