import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { evaluateRetrieval, readJsonl } from '../../src/cli/eval-retrieval';

const docs = [
  { id: 'returns', title: 'Returns › How do I return an item?', text: 'Start a return from your account within 30 days; print the prepaid label.' },
  { id: 'shipping', title: 'Shipping › Delivery times', text: 'Parcels to Germany arrive in 2 to 4 working days with DHL.' },
  { id: 'payments', title: 'Payments › Payment methods', text: 'We accept Visa, Mastercard, PayPal and Klarna.' },
];

describe('eval retrieval', () => {
  it('measures ranking on answerable queries and abstention on unanswerable ones', () => {
    const result = evaluateRetrieval(
      docs,
      [
        { id: 'q1', query: 'how do I return an item', relevant: ['returns'] },
        { id: 'q2', query: 'can I pay with paypal', relevant: ['payments'] },
        { id: 'q3', query: 'delivery to germany', relevant: ['shipping'] },
        { id: 'q4', query: 'do you sell kayaks', relevant: [] },
      ],
      0.35,
    );
    expect(result).toEqual({ n: 4, hit1: 1, hit5: 1, mrr: 1, abstainRecall: 1, answeredPrecision: 1, msPerQuery: expect.any(Number) });
  });

  it('counts an answer to an unanswerable question against precision', () => {
    const result = evaluateRetrieval(docs, [{ id: 'q1', query: 'paypal refund for kayaks', relevant: [] }], 0.3);
    expect(result.abstainRecall).toBe(0);
    expect(result.answeredPrecision).toBe(0);
  });

  it('rejects relevant ids that are not documents', () => {
    expect(() => evaluateRetrieval(docs, [{ id: 'q9', query: 'x', relevant: ['nope'] }], 0.35)).toThrow(/q9.*"nope"/);
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
