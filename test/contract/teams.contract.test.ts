import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { createTeamsAdapter, createTeamsDesk } from '../../adapters/teams';
import { fromStoredAddress } from '../../conversations/conversations';
import { inboundDedupeKey } from '../../conversations/messages';
import { deskActionValue, type EscalationCard } from '../../adapters/desk';
import { AdapterError, type ChannelInstance, type RenderedMessage } from '../../adapters/types';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postTeamsActivity, TEAMS_ISSUER, TEAMS_TENANT, TeamsPeer } from '../support/teams-peer';
import { until } from '../support/until';
import { adapterContract } from './adapter-contract';

const CHANNEL_ID = 'teams-test';
const OPEN_CHANNEL_ID = 'teams-open';
const APP_ID = '5d0c7f3e-8a41-4c6b-9e2d-1b7a3f6c0e98';
const BOT_ID = `28:${APP_ID}`;

// The Agents SDK needs jwks-rsa → jose, which is ESM-only: Jest on Node 20 loads it only when jest.config.js
// transforms jose (see adapters/teams/index.ts). Say so once instead of 30 identical failures.
beforeAll(() => {
  try {
    require('@microsoft/agents-hosting');
  } catch (err) {
    throw new Error(
      `the Agents SDK cannot load under this Jest config (${String((err as Error).message).split('\n')[0]}); ` +
        "jest.config.js needs transformIgnorePatterns: ['/node_modules/(?!jose/)'] and a transform for '^.+/node_modules/jose/.+\\.js$'",
    );
  }
});

/** A gateway with a Teams channel whose connector, JWKS and token sidecar are the local peer; auth is on. */
async function startTeams(name: string): Promise<{ t: TestGateway; peer: TeamsPeer; webhook: string; token: (claims?: Record<string, unknown>) => string }> {
  const peer = await new TeamsPeer().start();
  const t = await startTestGateway(name);
  await t.gateway.store.channels.ensure({
    id: CHANNEL_ID,
    kind: 'teams',
    name: 'Test Teams',
    settings: {
      authorityEndpoint: peer.authorityEndpoint,
      issuers: [TEAMS_ISSUER],
      sidecarBaseUrl: peer.url,
      allowedServiceHosts: ['127.0.0.1'],
      botName: 'Switchboard',
    },
    secrets: { appId: APP_ID, appPassword: 'not-used-with-the-sidecar', tenantId: TEAMS_TENANT },
  });
  const token = (claims: Record<string, unknown> = {}) => peer.mint({ iss: TEAMS_ISSUER, aud: APP_ID, serviceurl: peer.serviceUrl, ...claims });
  return { t, peer, webhook: `${t.url}/webhooks/${CHANNEL_ID}`, token };
}

const personalConversation = (contactId: string) => `a:${contactId}`;

/** A 1:1 chat message as Teams sends it. */
function personal(peer: TeamsPeer, id: string, contactId: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'message',
    id,
    channelId: 'msteams',
    serviceUrl: peer.serviceUrl,
    timestamp: new Date().toISOString(),
    from: { id: `29:${contactId}`, name: `User ${contactId}`, aadObjectId: `aad-${contactId}` },
    recipient: { id: BOT_ID, name: 'Switchboard' },
    conversation: { id: personalConversation(contactId), conversationType: 'personal', tenantId: TEAMS_TENANT },
    channelData: { tenant: { id: TEAMS_TENANT } },
    text,
    ...extra,
  };
}

/** A channel post (or thread reply) that @mentions the bot. */
function channelMention(peer: TeamsPeer, id: string, rootId: string, text: string) {
  return {
    ...personal(peer, id, 'U-bob', `<at>Switchboard</at> ${text}`),
    conversation: { id: `19:general@thread.tacv2;messageid=${rootId}`, conversationType: 'channel', isGroup: true, tenantId: TEAMS_TENANT },
    channelData: { tenant: { id: TEAMS_TENANT }, team: { id: '19:team@thread.tacv2' }, channel: { id: '19:general@thread.tacv2' } },
    entities: [{ type: 'mention', text: '<at>Switchboard</at>', mentioned: { id: BOT_ID, name: 'Switchboard' } }],
  };
}

adapterContract('Teams', async () => {
  const { t, peer, webhook, token } = await startTeams('contract_teams');
  const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  return {
    t,
    driver: {
      channelId: CHANNEL_ID,
      unknownPayload: 'ack',
      peer,
      deliver: async ({ externalId, contactId, text, badSignature }) => {
        // A redelivery is the same activity id in the same conversation. A bad signature: same kid, another key.
        const jwt = badSignature ? peer.mint({ iss: TEAMS_ISSUER, aud: APP_ID, serviceurl: peer.serviceUrl }, { key: otherKey }) : token();
        return (await postTeamsActivity(webhook, personal(peer, externalId, contactId, text), { token: jwt })).status;
      },
      deliverUnknown: async () =>
        (
          await postTeamsActivity(
            webhook,
            { ...personal(peer, 'cu-1', 'contract-unknown', ''), type: 'conversationUpdate', membersAdded: [{ id: BOT_ID }], text: undefined },
            { token: token() },
          )
        ).status,
      deliverSelf: async ({ externalId, contactId, text }) =>
        (await postTeamsActivity(webhook, personal(peer, externalId, contactId, text, { from: { id: BOT_ID, name: 'Switchboard' } }), { token: token() })).status,
      repliesTo: (contactId) => peer.sent(personalConversation(contactId)).length,
      close: () => peer.stop(),
    },
  };
});

describe('Teams channel', () => {
  let t: TestGateway;
  let peer: TeamsPeer;
  let webhook: string;
  let token: (claims?: Record<string, unknown>) => string;

  beforeAll(async () => {
    ({ t, peer, webhook, token } = await startTeams('teams_channel'));
    await t.gateway.store.channels.ensure({
      id: OPEN_CHANNEL_ID,
      kind: 'teams',
      name: 'Teams without auth (local development)',
      settings: { authDisabled: true, allowedServiceHosts: ['127.0.0.1'] },
      secrets: {},
    });
  });
  afterAll(async () => {
    await peer.stop();
    await t.stop();
  });

  const messages = () => t.gateway.store.models.Message.countDocuments({ channelId: { $in: [CHANNEL_ID, OPEN_CHANNEL_ID] } });
  const inboundOf = (conversationId: string, activityId: string, channelId = CHANNEL_ID) =>
    t.gateway.store.models.Message.findOne({ dedupeKey: inboundDedupeKey(channelId, `${conversationId}:${activityId}`) }).lean();
  const replyTo = async (conversationId: string, activityId: string) => {
    const inbound = await inboundOf(conversationId, activityId);
    return inbound ? t.gateway.store.models.Message.findOne({ replyTo: inbound._id }).lean() : null;
  };
  const channel = async (): Promise<ChannelInstance> => (await t.gateway.store.channels.get(CHANNEL_ID))!;
  const rendered = (over: Partial<RenderedMessage> = {}): RenderedMessage => ({
    text: 'Which one?',
    format: 'markdown',
    parts: [],
    authorKind: 'bot',
    messageId: 'm-1',
    conversationId: 'c-1',
    chunkIndex: 0,
    ...over,
  });

  it('refuses a channel with auth disabled when NODE_ENV=production, and one without an app id', () => {
    const open: ChannelInstance = { id: 'x', kind: 'teams', name: 'x', settings: { authDisabled: true }, secrets: {} };
    const before = process.env.NODE_ENV;
    process.env.NODE_ENV = 'production';
    try {
      expect(() => createTeamsAdapter(open, { timeoutMs: 1000 })).toThrow(/authDisabled is not allowed when NODE_ENV=production/);
    } finally {
      process.env.NODE_ENV = before;
    }
    expect(() => createTeamsAdapter(open, { timeoutMs: 1000 })).not.toThrow();
    expect(() => createTeamsAdapter({ ...open, settings: {} }, { timeoutMs: 1000 })).toThrow(/secrets\.appId is required/);
  });

  it('with auth disabled, accepts an unsigned activity and answers without a token', async () => {
    const activity = { ...personal(peer, 'open-1', 'U-open', 'How do I start a return?'), recipient: { id: '28:local-bot', name: 'Local' } };
    const res = await postTeamsActivity(`${t.url}/webhooks/${OPEN_CHANNEL_ID}`, activity);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ events: 1, stored: 1 });
    const [call] = await until(t, async () => peer.sent(personalConversation('U-open')).length > 0 && peer.sent(personalConversation('U-open')), [peer]);
    expect(call!.authorization).toBeUndefined();
    expect(call!.body.from).toEqual({ id: '28:local-bot', name: 'Local' });
  });

  it.each<[string, () => string | undefined]>([
    ['no token', () => undefined],
    ['a token signed with another key', () => peer.mint({ iss: TEAMS_ISSUER, aud: APP_ID, serviceurl: peer.serviceUrl }, { key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey })],
    ['an expired token (beyond the 5-minute skew)', () => peer.mint({ iss: TEAMS_ISSUER, aud: APP_ID, serviceurl: peer.serviceUrl }, { expiresInSeconds: -600 })],
    ['a token for another bot (aud)', () => token({ aud: 'some-other-app-id' })],
    ['a token from another issuer', () => token({ iss: 'https://evil.example/issuer' })],
    ['a token for another serviceUrl', () => token({ serviceurl: 'https://smba.trafficmanager.net/emea/' })],
    ['a token with an unknown key id', () => peer.mint({ iss: TEAMS_ISSUER, aud: APP_ID, serviceurl: peer.serviceUrl }, { kid: 'rotated-away' })],
    ['garbage', () => 'not.a.jwt'],
  ])('rejects %s with 401 and stores nothing', async (_label, makeToken) => {
    const before = await messages();
    const jwt = makeToken();
    const res = await postTeamsActivity(webhook, personal(peer, `bad-${_label.length}`, 'U-intruder', 'hello'), jwt ? { token: jwt } : {});
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('bad_signature');
    expect(await messages()).toBe(before);
  });

  it('answers a personal chat in that chat, with the bot token and markdown, and stores a complete address', async () => {
    const res = await postTeamsActivity(webhook, personal(peer, 'dm-1', 'U-ada', 'How do I start a return?'), { token: token() });
    expect(res.status).toBe(200);
    const [call] = await until(t, async () => peer.sent(personalConversation('U-ada')).length > 0 && peer.sent(personalConversation('U-ada')), [peer]);
    expect(call!.path).toBe('/v3/conversations/a:U-ada/activities');
    expect(call!.authorization).toBe(`Bearer ${peer.outboundToken}`);
    expect(call!.body).toMatchObject({ type: 'message', textFormat: 'markdown', from: { id: BOT_ID, name: 'Switchboard' } });
    expect(call!.body.text).toMatch(/return/i);
    expect(call!.body.text).toMatch(/Sources:\n1\. \[[^\]]*Return[^\]]*\]\(https:\/\/help\.example\/[^)]+\)/);
    // The outbound token came from the sidecar, once (it is cached).
    expect(peer.calls.filter((c) => c.kind === 'token').length).toBe(1);

    await until(t, async () => (await replyTo('a:U-ada', 'dm-1'))?.delivery?.status === 'sent');
    const reply = await replyTo('a:U-ada', 'dm-1');
    expect(reply?.delivery?.externalIds).toEqual([expect.stringMatching(/^\d+$/)]);
    const inbound = await inboundOf('a:U-ada', 'dm-1');
    expect(inbound?.author).toMatchObject({ kind: 'contact', name: 'User U-ada' });
    const conversation = await t.gateway.store.models.Conversation.findById(inbound!.conversationId).lean();
    expect(fromStoredAddress(conversation!.address as never)).toEqual({
      to: 'a:U-ada',
      extra: {
        serviceUrl: peer.serviceUrl,
        conversationId: 'a:U-ada',
        conversationType: 'personal',
        botId: BOT_ID,
        botName: 'Switchboard',
        tenantId: TEAMS_TENANT,
      },
    });
  });

  it('answers a channel @mention in its thread, without the mention, and keeps the thread one conversation', async () => {
    const root = '1700000000555';
    const thread = `19:general@thread.tacv2;messageid=${root}`;
    expect((await postTeamsActivity(webhook, channelMention(peer, root, root, 'Can I pay with PayPal &amp; gift cards?'), { token: token() })).status).toBe(200);
    const [call] = await until(t, async () => peer.sent(thread).length > 0 && peer.sent(thread), [peer]);
    expect(call!.path).toBe(`/v3/conversations/${thread}/activities`);
    const first = await inboundOf(thread, root);
    expect(first?.parts).toEqual([{ type: 'text', text: 'Can I pay with PayPal & gift cards?' }]);

    // A reply in the same thread: same conversation id (root), its own activity id.
    expect((await postTeamsActivity(webhook, channelMention(peer, '1700000000777', root, 'And Klarna?'), { token: token() })).status).toBe(200);
    const second = await until(t, async () => inboundOf(thread, '1700000000777'));
    expect(String(second.conversationId)).toBe(String(first!.conversationId));
    const conversation = await t.gateway.store.models.Conversation.findById(first!.conversationId).lean();
    expect(fromStoredAddress(conversation!.address as never)).toMatchObject({
      to: '19:general@thread.tacv2',
      threadId: root,
      extra: { conversationId: thread, conversationType: 'channel', teamId: '19:team@thread.tacv2', teamsChannelId: '19:general@thread.tacv2' },
    });
  });

  it('stores an Adaptive Card Action.Submit tap as an action and answers it', async () => {
    const tap = personal(peer, 'tap-1', 'U-tapper', '', { text: undefined, replyToId: '1700000000001', value: { choice: 'How do I start a return?', title: 'Returns' } });
    const res = await postTeamsActivity(webhook, tap, { token: token() });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ events: 1, stored: 1 });
    const stored = await inboundOf('a:U-tapper', 'tap-1');
    expect(stored).toMatchObject({ actionValue: 'How do I start a return?', parts: [{ type: 'text', text: 'Returns' }] });
    await until(t, async () => peer.sent(personalConversation('U-tapper')).length > 0, [peer]);
  });

  it('retries a 429 after Retry-After through the outbox, then delivers', async () => {
    peer.rateLimit(1, (c) => c.kind === 'send' && c.conversationId === 'a:U-busy');
    const retry = Promise.race(t.gateway.deliverers.map((d) => once(d, 'retry')));
    expect((await postTeamsActivity(webhook, personal(peer, 'busy-1', 'U-busy', 'Which payment methods do you accept?'), { token: token() })).status).toBe(200);
    const [, error, delayMs] = (await retry) as [unknown, { code: string }, number];
    expect(error.code).toBe('rate_limited:http_429');
    expect(delayMs).toBeGreaterThanOrEqual(1000);
    await until(t, async () => peer.sent('a:U-busy').length > 0, [peer]);
    const calls = peer.calls.filter((c) => c.kind === 'send' && c.conversationId === 'a:U-busy');
    expect(calls.map((c) => c.status)).toEqual([429, 201]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    await until(t, async () => (await replyTo('a:U-busy', 'busy-1'))?.delivery?.status === 'sent');
  });

  it.each([
    [403, 'BotNotInConversationRoster'],
    [400, 'BadArgument'],
  ])('records a %s from the connector as a failed delivery with the error, without retrying', async (status, code) => {
    const contact = `U-gone-${status}`;
    peer.fail(status, code, (c) => c.kind === 'send' && c.conversationId === `a:${contact}`);
    const failed = Promise.race(t.gateway.deliverers.map((d) => once(d, 'failed')));
    expect((await postTeamsActivity(webhook, personal(peer, `gone-${status}`, contact, 'How do I start a return?'), { token: token() })).status).toBe(200);
    await failed;
    await until(t, async () => (await replyTo(`a:${contact}`, `gone-${status}`))?.delivery?.status === 'failed');
    const reply = await replyTo(`a:${contact}`, `gone-${status}`);
    expect(reply?.delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: `rejected:http_${status}`, retryable: false } });
    expect(reply?.delivery?.error?.message).toContain(code);
    expect(peer.calls.filter((c) => c.kind === 'send' && c.conversationId === `a:${contact}`)).toHaveLength(1);
  });

  it.each([
    ['conversationUpdate', { type: 'conversationUpdate', membersAdded: [{ id: BOT_ID }] }],
    ['typing', { type: 'typing' }],
    ['messageReaction', { type: 'messageReaction', reactionsAdded: [{ type: 'like' }] }],
    ['installationUpdate', { type: 'installationUpdate', action: 'add' }],
    ['an unknown invoke', { type: 'invoke', name: 'composeExtension/query', value: {} }],
    ['an unknown activity type', { type: 'somethingNew' }],
  ])('acknowledges %s with 200 and stores nothing', async (_label, shape) => {
    const before = await messages();
    const res = await postTeamsActivity(webhook, { ...personal(peer, `ack-${_label}`, 'U-acks', ''), text: undefined, ...shape }, { token: token() });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stored: 0 });
    expect(await messages()).toBe(before);
  });

  it('answers malformed JSON with 400 (401 without a token) and stores nothing', async () => {
    const before = await messages();
    const bad = await postTeamsActivity(webhook, undefined, { token: token(), rawBody: '{"type":"message",' });
    expect(bad.status).toBe(400);
    expect((await postTeamsActivity(webhook, undefined, { rawBody: '{"type":' })).status).toBe(401);
    expect((await postTeamsActivity(`${t.url}/webhooks/${OPEN_CHANNEL_ID}`, undefined, { rawBody: 'not json' })).status).toBe(400);
    expect(await messages()).toBe(before);
  });

  it('sends choices as Action.Submit buttons, edits with PUT and posts typing', async () => {
    const adapter = t.gateway.deps.registry.get(await channel());
    const to = { to: '19:help@thread.tacv2', threadId: '1700000000100', extra: { serviceUrl: peer.serviceUrl, botId: BOT_ID } };
    const receipt = await adapter.send(to, rendered({ choices: [{ id: 'refund', title: 'Refund' }, { id: 'swap', title: 'Exchange' }] }));
    expect(receipt).toEqual({ status: 'sent', externalId: expect.stringMatching(/^\d+$/) });
    const call = peer.sent('19:help@thread.tacv2;messageid=1700000000100').at(-1)!;
    expect(call.body.text).toBe('Which one?');
    const [attachment] = call.body.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(attachment.content.actions).toEqual([
      { type: 'Action.Submit', title: 'Refund', data: { choice: 'refund', title: 'Refund' } },
      { type: 'Action.Submit', title: 'Exchange', data: { choice: 'swap', title: 'Exchange' } },
    ]);

    await adapter.edit!(to, receipt.externalId!, rendered({ text: 'Sorted: a refund.', authorKind: 'agent', authorName: 'Dana' }));
    const put = peer.calls.filter((c) => c.kind === 'update').at(-1)!;
    expect(put.path).toBe(`/v3/conversations/19:help@thread.tacv2;messageid=1700000000100/activities/${receipt.externalId}`);
    expect(put.body).toMatchObject({ id: receipt.externalId, text: '**Dana:** Sorted: a refund.' });

    await adapter.typing!(to);
    expect(peer.sent('19:help@thread.tacv2;messageid=1700000000100').at(-1)!.body).toMatchObject({ type: 'typing' });

    // A serviceUrl outside Microsoft's hosts and the allowed list never gets the bot's token.
    await expect(adapter.send({ ...to, extra: { serviceUrl: 'https://attacker.example/' } }, rendered())).rejects.toMatchObject({ code: 'rejected', retryable: false });
  });

  describe('desk surface', () => {
    const escalation: EscalationCard = {
      conversationId: '6650aa00bb11cc22dd33ee44',
      customer: { name: 'Ada Lovelace', handle: 'ada@example.com', channelKind: 'webchat', channelName: 'Web chat' },
      reason: 'low_confidence',
      reasonLabel: 'The bot was not sure of an answer',
      team: 'Billing',
      priority: 'high',
      intent: 'refund',
      sentiment: 'negative',
      frustration: 0.62,
      summary: 'Wants a refund for a damaged tent.',
      lastMessages: [{ author: 'Ada', text: 'The tent arrived torn.' }],
      suggestedReply: { text: 'Sorry! Here is how refunds work.', sources: [{ title: 'Refunds', url: 'https://help.example/refunds' }] },
      status: 'pending',
      statusLine: 'Waiting for an agent',
      buttons: [{ action: 'claim', title: 'Claim', value: deskActionValue('claim', '6650aa00bb11cc22dd33ee44'), style: 'primary' }],
    };

    it('posts the card as a new channel thread, redraws it with PUT and posts into the thread', async () => {
      const desk = createTeamsDesk(await channel(), { timeoutMs: 2000 });
      const ref = await desk.postCard({ channel: '19:desk@thread.tacv2', extra: { serviceUrl: peer.serviceUrl, tenantId: TEAMS_TENANT, teamId: '19:team@thread.tacv2' } }, escalation);
      const create = peer.calls.filter((c) => c.kind === 'create').at(-1)!;
      expect(create.authorization).toBe(`Bearer ${peer.outboundToken}`);
      expect(create.body).toMatchObject({ isGroup: true, tenantId: TEAMS_TENANT, channelData: { channel: { id: '19:desk@thread.tacv2' }, tenant: { id: TEAMS_TENANT } } });
      const card = create.body.activity.attachments[0].content;
      expect(card.type).toBe('AdaptiveCard');
      expect(card.actions[0]).toMatchObject({ type: 'Action.Submit', title: 'Claim', data: { action: 'sb:claim:6650aa00bb11cc22dd33ee44' } });
      expect(ref).toEqual({
        channel: '19:desk@thread.tacv2',
        rootId: expect.stringMatching(/^\d+$/),
        extra: { conversationId: `19:desk@thread.tacv2;messageid=${ref.rootId}`, serviceUrl: peer.serviceUrl, tenantId: TEAMS_TENANT, teamId: '19:team@thread.tacv2' },
      });

      await desk.updateCard(ref, { ...escalation, status: 'assigned', assignee: 'Dana', statusLine: 'Claimed by Dana', buttons: [] });
      const put = peer.calls.filter((c) => c.kind === 'update').at(-1)!;
      expect(put.path).toBe(`/v3/conversations/19:desk@thread.tacv2;messageid=${ref.rootId}/activities/${ref.rootId}`);
      expect(JSON.stringify(put.body.attachments[0].content)).toContain('Claimed by Dana');

      const posted = await desk.postInThread(ref, { kind: 'customer', authorName: 'Ada', text: 'Any news?', buttons: [{ action: 'send_suggested', title: 'Send suggestion', value: deskActionValue('send_suggested', escalation.conversationId) }] });
      expect(posted.id).toMatch(/^\d+$/);
      const post = peer.sent(`19:desk@thread.tacv2;messageid=${ref.rootId}`).at(-1)!;
      expect(post.body.text).toBe('**Ada:** Any news?');
      expect(post.body.attachments[0].content.actions).toEqual([{ type: 'Action.Submit', title: 'Send suggestion', data: { action: 'sb:send_suggested:6650aa00bb11cc22dd33ee44' } }]);
    });

    it('maps connector failures of desk calls to AdapterError', async () => {
      const desk = createTeamsDesk(await channel(), { timeoutMs: 2000 });
      const ref = { channel: '19:desk@thread.tacv2', rootId: '1', extra: { conversationId: '19:desk@thread.tacv2;messageid=1', serviceUrl: peer.serviceUrl } };
      peer.fail(403, 'BotNotInConversationRoster', (c) => c.kind === 'send' && c.conversationId === '19:desk@thread.tacv2;messageid=1');
      const rejected = await desk.postInThread(ref, { kind: 'event', text: 'Claimed by Dana' }).catch((e: unknown) => e);
      expect(rejected).toBeInstanceOf(AdapterError);
      expect(rejected).toMatchObject({ code: 'rejected', retryable: false, options: { platformCode: 'http_403' } });
      peer.rateLimit(3, (c) => c.kind === 'create');
      const limited = await desk.postCard({ channel: '19:desk@thread.tacv2', extra: { serviceUrl: peer.serviceUrl } }, escalation).catch((e: unknown) => e);
      expect(limited).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 3000 });
      peer.fail(500, 'ServiceError', (c) => c.kind === 'update');
      await expect(desk.updateCard(ref, escalation)).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    });
  });
});
