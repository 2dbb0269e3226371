import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { inboundDedupeKey } from '../../conversations/messages';
import type { InboundEvent } from '../../adapters/types';
import { DiscordPeer } from '../support/discord-peer';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

const CHANNEL_ID = 'discord-test';

interface Discord {
  t: TestGateway;
  peer: DiscordPeer;
  privateKey: KeyObject;
  webhook: string;
}

/**
 * A gateway with a Discord channel whose REST API and gateway are the local peer. The channel is added after the
 * gateway started: the connection host finds it on its next scan, takes the lease and connects.
 */
async function startDiscord(name: string, settings: Record<string, unknown> = {}): Promise<Discord> {
  const peer = await new DiscordPeer().start();
  const t = await startTestGateway(name);
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const started = once(t.gateway.connections, 'started');
  await t.gateway.store.channels.ensure({
    id: CHANNEL_ID,
    kind: 'discord',
    name: 'Test Discord',
    settings: { apiUrl: peer.apiUrl, publicKey: publicKey.export({ format: 'der', type: 'spki' }).subarray(12).toString('hex'), threads: true, ...settings },
    secrets: { botToken: peer.token },
  });
  await started;
  return { t, peer, privateKey, webhook: `${t.url}/webhooks/${CHANNEL_ID}` };
}

/** Discord's HTTP interactions signing: Ed25519 over timestamp + raw body. */
function postInteraction(d: Discord, body: unknown, options: { wrongKey?: boolean } = {}) {
  const raw = JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const key = options.wrongKey ? generateKeyPairSync('ed25519').privateKey : d.privateKey;
  const signature = sign(null, Buffer.from(timestamp + raw), key).toString('hex');
  return fetch(d.webhook, { method: 'POST', headers: { 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': timestamp }, body: raw });
}

/** Resolves once the gateway persisted (or deliberately ignored) the event Discord sent with this id. */
function ingestedOnce(t: TestGateway, discordId: string): Promise<void> {
  const ingestor = t.gateway.deps.ingestor;
  return new Promise((resolve) => {
    const onIngested = (event: InboundEvent) => {
      const id = event.kind === 'unsupported' ? (event.raw as { id?: string } | undefined)?.id : event.externalId;
      if (id !== discordId) return;
      ingestor.off('ingested', onIngested);
      resolve();
    };
    ingestor.on('ingested', onIngested);
  });
}

/** Resolves once every event dispatched before it was handled: events of a channel are persisted in order. */
async function drained(t: TestGateway, peer: DiscordPeer): Promise<void> {
  const marker = peer.snowflake();
  const handled = ingestedOnce(t, marker);
  peer.sendGuild(peer.generalId, peer.snowflake(), 'marker, not for the bot', { id: marker });
  await handled;
}

/**
 * The shared contract (test/contract/adapter-contract.ts), case by case, mapped honestly onto a gateway channel.
 * It cannot run as is: its duplicate case finds messages by the contract's word ids in the dedupe key, and Discord
 * ids are snowflakes (discord.js derives timestamps from them). Customer messages travel the gateway, so
 * "delivered" means "persisted" (awaited through the ingestor); the HTTP cases (signature, unknown payload) run
 * against Discord's HTTP mechanism, the interactions endpoint on /webhooks/:channelId.
 */
describe('Discord adapter contract, mapped to a gateway channel', () => {
  let d: Discord;
  let t: TestGateway;
  let peer: DiscordPeer;
  const count = () => t.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID });

  beforeAll(async () => {
    d = await startDiscord('contract_discord');
    ({ t, peer } = d);
  });
  afterAll(async () => {
    await t.stop();
    await peer.stop();
  });

  it('rejects a bad signature with 401 and stores nothing', async () => {
    const before = await count();
    const click = { id: peer.snowflake(), type: 3, application_id: peer.applicationId, token: 't', version: 1, channel_id: '1', channel: { id: '1', type: 1 }, user: peer.user(peer.snowflake()), message: { id: '2', components: [] }, data: { custom_id: 'refund', component_type: 2 } };
    expect((await postInteraction(d, click, { wrongKey: true })).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it('acknowledges an unknown payload, stores nothing and keeps serving', async () => {
    const before = await count();
    // An autocomplete interaction: signed, well-formed, not something this channel handles.
    const res = await postInteraction(d, { id: peer.snowflake(), type: 4, application_id: peer.applicationId, token: 't', version: 1, data: { name: 'ask' } });
    expect(res.status).toBe(200);
    // And a gateway event we do not subscribe to the meaning of.
    peer.dispatch('TYPING_START', { channel_id: peer.generalId, guild_id: peer.guildId, user_id: peer.snowflake(), timestamp: Math.floor(Date.now() / 1000) });
    await drained(t, peer);
    expect(await count()).toBe(before);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
    expect(peer.liveSessions).toBe(1);
  });

  it('ignores its own messages', async () => {
    const before = await count();
    const user = peer.snowflake();
    const dm = peer.dmChannelOf(user);
    peer.dispatch('MESSAGE_CREATE', { id: peer.snowflake(), channel_id: dm, channel_type: 1, author: peer.bot, content: 'echo of our reply', timestamp: new Date().toISOString(), type: 0, mentions: [], attachments: [], embeds: [], components: [] });
    await drained(t, peer);
    expect(await count()).toBe(before);
    expect(peer.posted(dm)).toHaveLength(0);
  });

  it('never stores or answers an event flagged as our own, whatever the adapter', async () => {
    const channel = (await t.gateway.store.channels.get(CHANNEL_ID))!;
    const result = await t.gateway.deps.ingestor.ingest(channel, {
      kind: 'message',
      externalId: 'self-guard-1',
      from: { externalId: 'contract-self' },
      address: { to: 'contract-self' },
      parts: [{ type: 'text', text: 'an echo' }],
      sentAt: new Date(),
      isSelf: true,
      raw: {},
    });
    expect(result).toEqual({ kind: 'ignored', reason: 'own message' });
  });

  it('turns a duplicate delivery into one message and one reply, also across gateway sessions', async () => {
    const user = peer.snowflake();
    const dm = peer.dmChannelOf(user);
    const first = peer.snowflake();
    // A replay in the same session: discord.js drops a message id it has cached.
    peer.sendDm(user, 'How do I return an item?', first);
    peer.sendDm(user, 'How do I return an item?', first);
    await drained(t, peer);
    // A replay in a new session (after a reconnect or a takeover, the cache is empty): our dedupe key catches it.
    await t.gateway.connections.stop();
    const restarted = once(t.gateway.connections, 'started');
    t.gateway.connections.start();
    await restarted;
    expect(peer.identifies).toBe(2);
    peer.sendDm(user, 'How do I return an item?', first);
    // A second, different message drains the queue behind the duplicate: two replies in all, not three.
    const second = peer.sendDm(user, 'Can I pay with PayPal?');
    await drained(t, peer);
    const keys = [first, second].map((id) => inboundDedupeKey(CHANNEL_ID, id));
    const processed = () => t.gateway.store.models.Message.find({ channelId: CHANNEL_ID, direction: 'inbound', 'processing.state': 'done', dedupeKey: { $in: keys } }).lean();
    await until(t, async () => peer.posted(dm).length >= 2 && (await processed()).length >= 2, [peer]);
    const inbound = await processed();
    expect(inbound).toHaveLength(2);
    expect(await t.gateway.store.models.Message.countDocuments({ replyTo: { $in: inbound.map((m) => m._id) } })).toBe(2);
    await until(t, async () => (await t.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID, 'delivery.status': 'queued' })) === 0);
    expect(peer.posted(dm)).toHaveLength(2);
  });
});

describe('Discord channel', () => {
  let d: Discord;
  let t: TestGateway;
  let peer: DiscordPeer;

  beforeAll(async () => {
    d = await startDiscord('discord_channel');
    ({ t, peer } = d);
  });
  afterAll(async () => {
    await t.stop();
    await peer.stop();
  });

  const inboundOf = (discordId: string) => t.gateway.store.models.Message.findOne({ dedupeKey: inboundDedupeKey(CHANNEL_ID, discordId) }).lean();
  const replyTo = async (discordId: string) => {
    const inbound = await inboundOf(discordId);
    return inbound ? t.gateway.store.models.Message.findOne({ replyTo: inbound._id }).lean() : null;
  };
  const stored = () => t.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID });
  const postedTo = (channelId: string, n = 1) => until(t, async () => peer.posted(channelId).length >= n && peer.posted(channelId), [peer]);

  it('connects with one IDENTIFY carrying the four intents', () => {
    expect(peer.identifies).toBe(1);
    const identify = peer.received.find((f) => f.op === 2)!.d as { intents: number; token: string };
    // Guilds 1 + GuildMessages 512 + DirectMessages 4096 + MessageContent 32768.
    expect(identify.intents).toBe(37377);
    expect(identify.token).toBe(peer.token);
  });

  it('answers a DM in the DM channel, in markdown, without pinging anyone', async () => {
    const user = peer.snowflake();
    const id = peer.sendDm(user, 'How do I start a return?');
    const [call] = await postedTo(peer.dmChannelOf(user));
    expect(call!.authorization).toBe(`Bot ${peer.token}`);
    expect(call!.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(call!.body!.message_reference).toBeUndefined();
    expect(call!.body!.content).toMatch(/return/i);
    // The renderer's "Sources" footer stays a markdown link: Discord renders them.
    expect(call!.body!.content).toMatch(/Sources:\n1\. \[[^\]]*Return[^\]]*\]\(https:\/\/help\.example\/[^)]+\)/);
    await until(t, async () => (await replyTo(id))?.delivery?.status === 'sent');
    const reply = await replyTo(id);
    expect(reply?.delivery?.externalIds).toEqual([call!.messageId]);
    const inbound = await inboundOf(id);
    expect(inbound?.parts).toEqual([{ type: 'text', text: 'How do I start a return?' }]);
  });

  it('answers a guild mention in a thread opened on it, and keeps answering follow-ups there without a mention', async () => {
    const user = peer.snowflake();
    const mention = peer.sendGuild(peer.generalId, user, 'Can I pay with PayPal?', { mention: true });
    // A thread opened on a message has the message's id.
    const [first] = await postedTo(mention);
    const opened = peer.calls.find((c) => c.route === `/channels/${peer.generalId}/messages/${mention}/threads`);
    expect(opened).toMatchObject({ status: 201, body: { name: 'Can I pay with PayPal?', auto_archive_duration: 1440 } });
    expect(first!.body!.content).toBeTruthy();
    expect(peer.posted(peer.generalId)).toHaveLength(0);
    const inbound = await inboundOf(mention);
    expect(inbound?.parts).toEqual([{ type: 'text', text: 'Can I pay with PayPal?' }]);

    const followUp = peer.sendGuild(mention, user, 'How do I start a return?');
    await postedTo(mention, 2);
    const second = await inboundOf(followUp);
    expect(second?.conversationId).toEqual(inbound?.conversationId);
    // The thread existed: no second attempt to open it.
    expect(peer.calls.filter((c) => c.route.endsWith(`/messages/${mention}/threads`))).toHaveLength(1);
    const conversation = await t.gateway.store.conversations.get(inbound!.conversationId);
    expect(conversation?.address).toMatchObject({ to: peer.generalId, threadId: mention });
  });

  it('ignores guild messages without a mention, other bots, and its own echoed messages', async () => {
    const before = await stored();
    const plain = peer.sendGuild(peer.generalId, peer.snowflake(), 'just chatting');
    const otherBot = peer.sendGuild(peer.generalId, peer.snowflake(), 'beep', { mention: true, author: { ...peer.user(peer.snowflake(), 'otherbot'), bot: true } });
    await Promise.all([ingestedOnce(t, plain), ingestedOnce(t, otherBot)]);
    expect(await stored()).toBe(before);
    // Every reply above was echoed back by the peer as MESSAGE_CREATE; none was stored as a customer message.
    expect(await t.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID, direction: 'inbound', 'author.kind': 'contact', authorName: 'Switchboard' })).toBe(0);
    const own = peer.calls.filter((c) => c.messageId).map((c) => inboundDedupeKey(CHANNEL_ID, c.messageId!));
    expect(own.length).toBeGreaterThan(0);
    expect(await t.gateway.store.models.Message.countDocuments({ dedupeKey: { $in: own } })).toBe(0);
  });

  it('sends choices as buttons and stores a click as an action, acknowledging the interaction after storing it', async () => {
    const user = peer.snowflake();
    const dm = peer.dmChannelOf(user);
    const channel = (await t.gateway.store.channels.get(CHANNEL_ID))!;
    const adapter = t.gateway.deps.registry.get(channel);
    const choices = Array.from({ length: 7 }, (_, i) => ({ id: i === 0 ? 'refund' : `choice-${i}`, title: i === 0 ? 'Refund' : `Option ${i}` }));
    const receipt = await adapter.send({ to: dm }, { text: 'Which one?', format: 'markdown', parts: [], authorKind: 'bot', messageId: 'm-choices', conversationId: 'c', chunkIndex: 0, choices });
    const call = peer.posted(dm).at(-1)!;
    expect(receipt).toEqual({ status: 'sent', externalId: call.messageId });
    const rows = call.body!.components as Array<{ type: number; components: Array<{ custom_id: string; label: string }> }>;
    expect(rows.map((r) => r.components.length)).toEqual([5, 2]);
    expect(rows[0]!.components[0]).toMatchObject({ type: 2, custom_id: 'refund', label: 'Refund' });

    const acked = once(peer, 'callback');
    const interaction = peer.click(call, user, 'refund');
    const [route, body] = (await acked) as [string, { type: number }];
    expect(route).toBe(`/interactions/${interaction}/itoken-${interaction}/callback`);
    expect(body.type).toBe(6);
    // Stored before the ack went out.
    const action = await inboundOf(interaction);
    expect(action).toMatchObject({ actionValue: 'refund', parts: [{ type: 'text', text: 'Refund' }] });
    await postedTo(dm, 2);
  });

  it('retries a 429 after Retry-After through the outbox, then delivers', async () => {
    const user = peer.snowflake();
    const dm = peer.dmChannelOf(user);
    peer.rateLimit(new RegExp(`^/channels/${dm}/messages$`), 1);
    const retry = Promise.race(t.gateway.deliverers.map((x) => once(x, 'retry')));
    const id = peer.sendDm(user, 'Which payment methods do you accept?');
    const [, error, delayMs] = (await retry) as [unknown, { code: string }, number];
    expect(error.code).toBe('rate_limited:http_429');
    expect(delayMs).toBeGreaterThanOrEqual(1000);
    await postedTo(dm);
    const calls = peer.calls.filter((c) => c.route === `/channels/${dm}/messages`);
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    await until(t, async () => (await replyTo(id))?.delivery?.status === 'sent');
  });

  it('retries a 500 as unavailable', async () => {
    const user = peer.snowflake();
    const dm = peer.dmChannelOf(user);
    peer.serverError(new RegExp(`^/channels/${dm}/messages$`));
    const retry = Promise.race(t.gateway.deliverers.map((x) => once(x, 'retry')));
    peer.sendDm(user, 'How do I start a return?');
    const [, error] = (await retry) as [unknown, { code: string }];
    expect(error.code).toBe('unavailable:http_500');
    await postedTo(dm);
  });

  it('records a 403 Missing Access as a failed delivery with Discord’s code, without retrying', async () => {
    const user = peer.snowflake();
    const dm = peer.dmChannelOf(user);
    peer.forbid(new RegExp(`^/channels/${dm}/messages$`));
    const failed = Promise.race(t.gateway.deliverers.map((x) => once(x, 'failed')));
    const id = peer.sendDm(user, 'How do I start a return?');
    await failed;
    await until(t, async () => (await replyTo(id))?.delivery?.status === 'failed');
    const reply = await replyTo(id);
    expect(reply?.delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'rejected:50001', retryable: false } });
    expect(peer.calls.filter((c) => c.route === `/channels/${dm}/messages`)).toHaveLength(1);
  });

  it('answers a signed PING with PONG on the interactions endpoint, and nothing unsigned', async () => {
    const ping = { id: peer.snowflake(), type: 1, application_id: peer.applicationId, token: 't', version: 1 };
    const ok = await postInteraction(d, ping);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ type: 1 });
    expect((await postInteraction(d, ping, { wrongKey: true })).status).toBe(401);
    expect((await fetch(d.webhook, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(ping) })).status).toBe(401);
  });

  it('keeps receiving after the gateway connection drops (RESUME)', async () => {
    const resumed = once(peer, 'resume');
    peer.dropConnections();
    await resumed;
    const user = peer.snowflake();
    peer.sendDm(user, 'How do I start a return?');
    await postedTo(peer.dmChannelOf(user));
    expect(peer.identifies).toBe(1);
  });
});
