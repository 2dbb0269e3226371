import { consoleUser } from '../support/console';
import { startTestGateway, type TestGateway } from '../support/gateway';

interface IntentsResponse {
  yaml: string;
  origin: string;
  intents: Array<{ name: string; team: string | null; escalate: boolean; examples: number }>;
}

interface PreviewResponse {
  decision: string;
  team: string | null;
  intent: string | null;
  intentConfidence: number | null;
}

const GIFT_CARDS = `
---
name: gift_card
description: Gift cards and vouchers.
team: billing
escalate: true
examples:
  - check my gift card balance
  - my gift card code does not work
  - redeem a gift card
  - can I buy a gift voucher
  - the voucher was not applied
`;

/** The intent catalog edited in the console: the intent files' own validation, then trained and in force everywhere. */
describe('console intent editor', () => {
  let t: TestGateway;
  let second: TestGateway;

  beforeAll(async () => {
    t = await startTestGateway('console_intents', { startWorkers: false, env: { KNOWLEDGE_REFRESH_MS: '0' } });
    second = await startTestGateway('console_intents', { shareWith: t, startWorkers: false, env: { KNOWLEDGE_REFRESH_MS: '0' } });
  });
  afterAll(async () => {
    await second.stop();
    await t.stop();
  });

  it('refuses a bad catalog naming the document and field, and stores nothing', async () => {
    const admin = await consoleUser(t, 'admin');
    const current = (await (await admin.call('GET', '/console/api/intents')).json()) as IntentsResponse;
    expect(current.origin).toBe('file');
    expect(current.intents.map((i) => i.name)).toContain('track_order');
    const documents = current.intents.length;

    const refusals: Array<[string, RegExp]> = [
      [`${current.yaml}---\nname: too_few\nexamples: [one, two]\n`, new RegExp(`document ${documents + 1} \\(too_few\\): examples: give at least 3 example utterances`)],
      [`${current.yaml}---\nname: Gift Cards\nexamples: [a, b, c]\n`, /name: use lower_snake_case/],
      [`${current.yaml}---\nname: track_order\nexamples: [a, b, c]\n`, /intent "track_order" is defined twice/],
      [`${current.yaml}---\nname: broken\nexamples: [a, b\n`, /not valid YAML/],
      [`${current.yaml}---\nname: extra\nexamples: [a, b, c]\nteem: billing\n`, /Unrecognized key/],
    ];
    for (const [yaml, message] of refusals) {
      const res = await admin.call('PUT', '/console/api/intents', { yaml });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_intents');
      expect(body.error.message).toMatch(message);
    }
    const after = (await (await admin.call('GET', '/console/api/intents')).json()) as IntentsResponse;
    expect(after.origin).toBe('file');
    expect(after.intents).toHaveLength(documents);
  });

  it('trains a saved catalog before answering, applies it on every process, and audits it', async () => {
    const admin = await consoleUser(t, 'admin');
    const analyst = await consoleUser(t, 'analyst');
    const preview = async (user: typeof admin) => (await (await user.call('POST', '/console/api/routing/preview', { text: 'how do I redeem my gift card' })).json()) as PreviewResponse;
    expect((await preview(admin)).intent).not.toBe('gift_card');

    const current = (await (await admin.call('GET', '/console/api/intents')).json()) as IntentsResponse;
    expect((await analyst.call('PUT', '/console/api/intents', { yaml: current.yaml + GIFT_CARDS })).status).toBe(403);
    const saved = await admin.call('PUT', '/console/api/intents', { yaml: current.yaml + GIFT_CARDS });
    expect(saved.status).toBe(200);
    expect(((await saved.json()) as IntentsResponse).intents.find((i) => i.name === 'gift_card')).toMatchObject({ team: 'billing', escalate: true, examples: 5 });

    // In force on this process as soon as the save returns: the model was retrained before the switch.
    const here = await preview(admin);
    expect(here).toMatchObject({ intent: 'gift_card', decision: 'escalate', team: 'billing' });
    expect(here.intentConfidence).toBeGreaterThan(0);

    // The other process retrains when it sees the stored revision (its first read starts the background check).
    const other = await consoleUser(t, 'analyst', { url: second.url });
    let there = await preview(other);
    for (let i = 0; i < 50 && there.intent !== 'gift_card'; i++) there = await preview(other);
    expect(there).toMatchObject({ intent: 'gift_card', team: 'billing' });

    const audit = ((await (await admin.call('GET', '/console/api/audit?action=intents.update')).json()) as { events: Array<{ outcome: string; diff: { added?: string[] } | null }> }).events;
    expect(audit.filter((e) => e.outcome === 'ok')).toHaveLength(1);
    expect(audit.find((e) => e.outcome === 'ok')!.diff!.added).toContain('name: gift_card');
  });
});
