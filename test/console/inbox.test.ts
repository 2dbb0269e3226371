import { consoleUser, type ConsoleClient } from '../support/console';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

interface Live<T> {
  version: string;
  data: T;
}
interface View {
  status: string;
  assigneeName: string | null;
  colleagues: Array<{ name: string; typing: boolean }>;
  messages: Array<{ text: string; internal: boolean; author: { kind: string; name: string | null }; delivery: { status: string } | null; reading: { decision: string | null } | null }>;
}

/** The inbox API as two agents on two gateway processes use it: live views, presence, claims, notes, reassignment. */
describe('console inbox', () => {
  let t: TestGateway;
  let second: TestGateway;
  let ana: ConsoleClient;
  let ben: ConsoleClient;
  let conversationId: string;

  beforeAll(async () => {
    t = await startTestGateway('console_inbox');
    second = await startTestGateway('console_inbox', { shareWith: t, startWorkers: false });
    ana = await consoleUser(t, 'agent', { teams: ['orders'] });
    ben = await consoleUser(t, 'agent', { url: second.url });
    const res = await postMessage(t, { id: 'inbox-1', contact: { id: 'inbox-customer', name: 'Carla' }, text: 'My order has not arrived, I want to talk to a human' });
    conversationId = ((await res.json()) as { conversationId: string }).conversationId;
    await until(t, async () => (await t.gateway.store.conversations.get(conversationId))?.status === 'pending');
  });
  afterAll(async () => {
    await second.stop();
    await t.stop();
  });

  const view = async (who: ConsoleClient, since?: string) => (await (await who.call('GET', `/console/api/conversations/${conversationId}${since ? `?since=${since}` : ''}`)).json()) as Live<View>;
  const act = (who: ConsoleClient, body: Record<string, unknown>) => who.call('POST', `/console/api/conversations/${conversationId}/act`, { key: `k${Math.random().toString(36).slice(2, 12)}`, ...body });

  it('lists the escalation with its reason and customer, in every view that should hold it', async () => {
    const rows = async (who: ConsoleClient, q: string) => ((await (await who.call('GET', `/console/api/inbox?${q}`)).json()) as Live<{ rows: Array<{ id: string; customer: string; reason: string }> }>).data.rows;
    const all = await rows(ana, 'view=all');
    expect(all).toEqual([expect.objectContaining({ id: conversationId, customer: 'Carla', reason: expect.any(String) })]);
    expect((await rows(ana, 'view=unassigned')).map((r) => r.id)).toEqual([conversationId]);
    expect(await rows(ana, 'view=mine')).toEqual([]);
    expect((await rows(ben, 'q=has%20not%20arrived')).map((r) => r.id)).toEqual([conversationId]);
    expect(await rows(ben, 'q=nothing%20like%20this')).toEqual([]);
    expect((await ana.call('GET', '/console/api/inbox?view=everything')).status).toBe(400);
  });

  it('shows a colleague on another process who is typing, then their claim, to a waiting long poll', async () => {
    const before = await view(ben);
    expect(before.data.messages[0]!.reading?.decision).toBe('escalate');
    // Ben waits for a change (on the second process) while Ana, on the first, opens the conversation and types.
    const waiting = view(ben, before.version);
    expect((await ana.call('POST', `/console/api/conversations/${conversationId}/presence`, { typing: true })).status).toBe(200);
    const typing = await waiting;
    expect(typing.version).not.toBe(before.version);
    expect(typing.data.colleagues).toEqual([{ name: expect.stringMatching(/^Agent/), typing: true }]);

    const claim = await act(ana, { act: 'claim' });
    expect(await claim.json()).toEqual({ ok: true, message: 'Claimed.' });
    const after = await view(ben);
    expect(after.data).toMatchObject({ status: 'assigned', colleagues: [{ typing: false }] });
    // Ben cannot take it from her, nor reply over her.
    const taken = await act(ben, { act: 'claim' });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { message: string }).message).toMatch(/^Already with Agent/);
    expect((await act(ben, { act: 'reply', text: 'Hello from Ben' })).status).toBe(409);
  });

  it('keeps notes internal, sends replies once per click key, and reassigns to a team', async () => {
    expect((await act(ana, { act: 'note', text: 'Carrier says it is in Leipzig' })).status).toBe(200);
    const key = 'same-click-key-1';
    expect((await ana.call('POST', `/console/api/conversations/${conversationId}/act`, { key, act: 'reply', text: 'Your parcel is in Leipzig.' })).status).toBe(200);
    expect((await ana.call('POST', `/console/api/conversations/${conversationId}/act`, { key, act: 'reply', text: 'Your parcel is in Leipzig.' })).status).toBe(200);
    const replies = await until(t, async () => {
      const rows = await t.gateway.store.models.Message.find({ conversationId, 'author.kind': 'agent' }).lean();
      return rows.length === 2 && rows.some((r) => r.delivery?.status === 'sent') && rows;
    });
    expect(replies.filter((r) => r.internal).map((r) => r.text)).toEqual(['Carrier says it is in Leipzig']);
    expect(replies.filter((r) => !r.internal).map((r) => r.text)).toEqual(['Your parcel is in Leipzig.']);
    expect(replies.find((r) => r.internal)!.delivery).toBeUndefined();

    expect((await act(ana, { act: 'reassign', team: 'nowhere' })).status).toBe(400);
    expect((await act(ana, { act: 'reassign', team: 'returns' })).status).toBe(200);
    expect(await t.gateway.store.conversations.get(conversationId)).toMatchObject({ status: 'pending', team: 'returns' });
    expect((await act(ben, { act: 'reassign', userId: ana.userId })).status).toBe(200);
    expect(await t.gateway.store.conversations.get(conversationId)).toMatchObject({ status: 'assigned', assignee: `console:${ana.userId}` });
  });
});
