import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { inboundDedupeKey } from '../../conversations/messages';
import type { InboundEvent } from '../../adapters/types';
import type { IngestResult } from '../../src/pipeline/ingest';
import { DiscordPeer } from '../support/discord-peer';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';
import { adapterContract } from './adapter-contract';

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

/** Resolves with what ingest made of the event Discord sent with this id, once it was persisted (or deliberately ignored). */
function ingestedOnce(t: TestGateway, discordId: string): Promise<IngestResult> {
  const ingestor = t.gateway.deps.ingestor;
  return new Promise((resolve) => {
    const onIngested = (event: InboundEvent, result: IngestResult) => {
      const id = event.kind === 'unsupported' ? (event.raw as { id?: string } | undefined)?.id : event.externalId;
      if (id !== discordId) return;
      ingestor.off('ingested', onIngested);
      resolve(result);
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
 * Ends the gateway session and opens a fresh one (a new IDENTIFY, not a RESUME), as after a reconnect that could
 * not resume or a takeover by another process: the new discord.js client starts with an empty message cache.
 */
async function newSession(t: TestGateway, peer: DiscordPeer): Promise<void> {
  const identifies = peer.identifies;
  await t.gateway.connections.stop();
  const restarted = once(t.gateway.connections, 'started');
  t.gateway.connections.start();
  await restarted;
  expect(peer.identifies).toBe(identifies + 1);
}

/**
 * The shared contract, through Discord's real transports. Customer messages travel the gateway as DM
 * MESSAGE_CREATEs; the signature and unknown-payload cases run against Discord's only signed transport, the HTTP
 * interactions endpoint on /webhooks/:channelId. The suite's ids are mapped to snowflakes (discord.js derives
 * timestamps from them), the same contract id always to the same snowflake, and its contacts to Discord users,
 * each with their stable DM channel.
 */
adapterContract('Discord', async () => {
  const d = await startDiscord('contract_discord');
  const { t, peer } = d;
  const stable = (known: Map<string, string>) => (key: string) => {
    if (!known.has(key)) known.set(key, peer.snowflake());
    return known.get(key)!;
  };
  const platformId = stable(new Map());
  const userOf = stable(new Map());
  const dmOf = (contactId: string) => peer.dmChannelOf(userOf(contactId));
  /** Message ids dispatched in the current gateway session. */
  let session = new Set<string>();

  /** Dispatches a DM from the contact and resolves with what ingest made of it. */
  const dispatchDm = (id: string, contactId: string, text: string) => {
    const ingested = ingestedOnce(t, id);
    peer.sendDm(userOf(contactId), text, id);
    session.add(id);
    return ingested;
  };

  return {
    t,
    driver: {
      channelId: CHANNEL_ID,
      unknownPayload: 'ack',
      // DiscordPeer emits 'request' for every REST call it records, replies to customers included.
      peer,
      platformId,
      deliver: async ({ externalId, contactId, text, badSignature }) => {
        if (badSignature) {
          // A button click from this contact, signed with a key that is not the application's.
          const user = userOf(contactId);
          const dm = dmOf(contactId);
          const click = { id: platformId(externalId), type: 3, application_id: peer.applicationId, token: 't', version: 1, channel_id: dm, channel: { id: dm, type: 1 }, user: peer.user(user), message: { id: peer.snowflake(), components: [] }, data: { custom_id: 'refund', component_type: 2 } };
          return (await postInteraction(d, click, { wrongKey: true })).status;
        }
        const id = platformId(externalId);
        if (!session.has(id)) {
          // A gateway has no status to answer with: "persisted" is its acknowledgement, so 200 once ingest stored
          // the message, anything else is a failure.
          const result = await dispatchDm(id, contactId, text);
          return result.kind === 'message' && !result.duplicate ? 200 : 500;
        }
        // A redelivery. Within one session Discord only repeats a dispatch on RESUME, and discord.js drops a message
        // id it has cached before our code sees it: that replay never reaches our dedupe, so it proves nothing about
        // it. Whatever of it does get through must be recognised as a duplicate.
        const replayed: IngestResult[] = [];
        const onIngested = (event: InboundEvent, result: IngestResult) => {
          if (event.kind === 'message' && event.externalId === id) replayed.push(result);
        };
        t.gateway.deps.ingestor.on('ingested', onIngested);
        peer.sendDm(userOf(contactId), text, id);
        await drained(t, peer);
        t.gateway.deps.ingestor.off('ingested', onIngested);
        expect(replayed.every((r) => r.kind === 'message' && r.duplicate)).toBe(true);
        // The redelivery our dedupe exists for: the same id in a new session (a reconnect that could not resume, a
        // takeover by another process), whose client cache is empty. It must reach ingest, and be a duplicate there.
        await newSession(t, peer);
        session = new Set();
        const result = await dispatchDm(id, contactId, text);
        expect(result).toMatchObject({ kind: 'message', duplicate: true });
        expect(await t.gateway.store.models.Message.countDocuments({ dedupeKey: inboundDedupeKey(CHANNEL_ID, id) })).toBe(1);
        return 200;
      },
      // A signed, well-formed autocomplete interaction: not something this channel handles, acknowledged with 200.
      deliverUnknown: async () =>
        (await postInteraction(d, { id: peer.snowflake(), type: 4, application_id: peer.applicationId, token: 't', version: 1, data: { name: 'ask' } })).status,
      // Discord echoes every message the bot posts back over the gateway, DMs included.
      deliverSelf: async ({ externalId, contactId, text }) => {
        const id = platformId(externalId);
        const ingested = ingestedOnce(t, id);
        peer.dispatch('MESSAGE_CREATE', { id, channel_id: dmOf(contactId), channel_type: 1, author: peer.bot, content: text, timestamp: new Date().toISOString(), type: 0, mentions: [], attachments: [], embeds: [], components: [] });
        // Recognised as ours by the adapter (not dropped as "another bot"), and so not stored by ingest.
        expect(await ingested).toEqual({ kind: 'ignored', reason: 'own message' });
        return 200;
      },
      repliesTo: (contactId) => peer.posted(dmOf(contactId)).length,
      close: async () => {
        // The gateway client first: with the peer gone first it would keep trying to reconnect until t.stop().
        await t.gateway.connections.stop();
        await peer.stop();
      },
    },
  };
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

  it('takes a mention of the bot’s managed role (tags.bot_id from GUILD_CREATE) as a mention, the role stripped', async () => {
    const mention = peer.sendGuild(peer.generalId, peer.snowflake(), 'Do you ship to Norway?', { mentionRole: true });
    await postedTo(mention);
    const inbound = await inboundOf(mention);
    expect(inbound?.parts).toEqual([{ type: 'text', text: 'Do you ship to Norway?' }]);
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

  it('takes gateway events it does not handle in its stride: stores nothing and keeps its session', async () => {
    // The contract's unknown payload goes to the interactions endpoint; this is its gateway counterpart.
    const before = await stored();
    peer.dispatch('TYPING_START', { channel_id: peer.generalId, guild_id: peer.guildId, user_id: peer.snowflake(), timestamp: Math.floor(Date.now() / 1000) });
    await drained(t, peer);
    expect(await stored()).toBe(before);
    expect(peer.liveSessions).toBe(1);
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
