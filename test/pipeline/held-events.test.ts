import { once } from 'node:events';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiscordPeer } from '../support/discord-peer';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { TcpProxy } from '../support/tcp-proxy';
import { until } from '../support/until';
import { FakeWaWebFactory, waWebMessage } from '../support/wwebjs-fake';

const CHANNEL_ID = 'discord-held';

// Mongoose keeps its default 10 s of buffering while the store is away: the host's 2 s attempt timeout holds events
// before that. The driver notices the store is back within a heartbeat.
const DRIVER = { serverSelectionTimeoutMS: 1_000, heartbeatFrequencyMS: 200, connectTimeoutMS: 2_000, socketTimeoutMS: 5_000 };

describe('Discord gateway events while the store is unreachable', () => {
  let peer: DiscordPeer;
  let proxy: TcpProxy;
  let proxiedUri: string;
  let dataDir: string;
  let t: TestGateway;

  const start = (name: string) =>
    startTestGateway(name, {
      mongo: { uri: proxiedUri, options: DRIVER },
      // The lease outlasts the outage, so the same process keeps the gateway session throughout.
      env: { DATA_DIR: dataDir, CONNECTION_LEASE_MS: '30000' },
    });

  beforeAll(async () => {
    peer = await new DiscordPeer().start();
    ({ proxy, uri: proxiedUri } = await TcpProxy.inFrontOf(process.env.MONGODB_URI!));
    dataDir = await mkdtemp(join(tmpdir(), 'sb-held-'));
    t = await start('held_events');
    const started = once(t.gateway.connections, 'started');
    await t.gateway.store.channels.ensure({ id: CHANNEL_ID, kind: 'discord', name: 'Discord', settings: { apiUrl: peer.apiUrl }, secrets: { botToken: peer.token } });
    await started;
  });
  afterAll(async () => {
    await proxy.restore();
    await t.stop();
    await peer.stop();
    await proxy.cut();
    await rm(dataDir, { recursive: true, force: true });
  });

  const inbound = (id: string) => t.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID, direction: 'inbound', dedupeKey: { $regex: id } });

  it('holds what arrives meanwhile on local disk (owner-only) and stores and answers each event once when the store is back', async () => {
    const host = t.gateway.connections;
    const users = [peer.snowflake(), peer.snowflake(), peer.snowflake()];
    await proxy.cut();
    const held: string[] = [];
    const allHeld = new Promise<void>((resolve) =>
      host.on('held', (_channel: string, event: { externalId?: string }) => {
        held.push(event.externalId ?? '');
        if (held.length === users.length) resolve();
      }),
    );
    const ids = users.map((u, i) => peer.sendDm(u, ['How do I start a return?', 'Do you ship to Norway?', 'Where is my parcel?'][i]!));
    await allHeld;
    // In arrival order, each once, in a file only the gateway's user can read.
    expect(held.map((h) => ids.find((id) => h.includes(id)))).toEqual(ids);
    const files = await readdir(join(dataDir, 'spool'));
    expect(files).toEqual([`${CHANNEL_ID}.jsonl`]);
    expect((await stat(join(dataDir, 'spool', files[0]!))).mode & 0o777).toBe(0o600);

    const drained = once(host, 'drained');
    await proxy.restore();
    expect(await drained).toEqual([CHANNEL_ID, 3]);
    await until(t, async () => users.every((u) => peer.posted(peer.dmChannelOf(u)).length > 0), [peer]);
    for (const id of ids) expect(await inbound(id)).toBe(1);
    // A later message goes straight to the store again (nothing held any more), and is answered.
    const late = peer.snowflake();
    const lateId = peer.sendDm(late, 'Can I change my delivery address?');
    await until(t, async () => peer.posted(peer.dmChannelOf(late)).length > 0, [peer]);
    expect(await inbound(lateId)).toBe(1);
    for (const u of users) expect(peer.posted(peer.dmChannelOf(u))).toHaveLength(1);
    expect(await readdir(join(dataDir, 'spool'))).toEqual([]);
  });

  it('stores what a process held when it stopped before the store came back, once the next one starts', async () => {
    const user = peer.snowflake();
    await proxy.cut();
    const held = once(t.gateway.connections, 'held');
    const id = peer.sendDm(user, 'Is my order shipped yet?');
    await held;
    // The process goes away with the event on disk only (its lease stays behind, as after a crash).
    await t.gateway.connections.stop({ release: false });
    await proxy.restore();
    await t.stop();

    t = await start('held_restart');
    const drained = once(t.gateway.connections, 'drained');
    // A fresh database: the channel comes back from its definition, as after a restart on a new cluster.
    await t.gateway.store.channels.ensure({ id: CHANNEL_ID, kind: 'discord', name: 'Discord', settings: { apiUrl: peer.apiUrl }, secrets: { botToken: peer.token } });
    expect(await drained).toEqual([CHANNEL_ID, 1]);
    await until(t, async () => peer.posted(peer.dmChannelOf(user)).length > 0, [peer]);
    expect(await inbound(id)).toBe(1);
  });
});

describe('WhatsApp Web messages while the store is unreachable', () => {
  const WA_CHANNEL = 'wa-held';
  let proxy: TcpProxy;
  let dataDir: string;
  let t: TestGateway;
  let factory: FakeWaWebFactory;

  beforeAll(async () => {
    let uri: string;
    ({ proxy, uri } = await TcpProxy.inFrontOf(process.env.MONGODB_URI!));
    dataDir = await mkdtemp(join(tmpdir(), 'sb-held-wa-'));
    factory = new FakeWaWebFactory();
    t = await startTestGateway('held_wa', {
      mongo: { uri, options: DRIVER },
      env: { DATA_DIR: dataDir, CONNECTION_LEASE_MS: '30000', WHATSAPP_WEB_PRINT_QR: 'false' },
      whatsappWebClient: factory.create,
    });
    await t.gateway.store.channels.ensure({ id: WA_CHANNEL, kind: 'whatsapp', name: 'WhatsApp (linked phone)', settings: { driver: 'web', dataPath: join(dataDir, 'wa') } });
  });
  afterAll(async () => {
    await proxy.restore();
    await t.stop();
    await proxy.cut();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('holds a message that arrives meanwhile and answers it once when the store is back', async () => {
    const client = await factory.next();
    const ready = new Promise<void>((resolve) => t.gateway.connections.on('status', (_id: string, s: { state: string }) => s.state === 'ready' && resolve()));
    client.link('15550009999');
    await ready;

    await proxy.cut();
    const held = once(t.gateway.connections, 'held');
    const message = waWebMessage({ from: '15550004321@c.us', body: 'How do I return an item?', name: 'Kim' });
    client.emit('message', message);
    await held;
    const reply = client.nextSend();
    const drained = once(t.gateway.connections, 'drained');
    await proxy.restore();
    expect(await drained).toEqual([WA_CHANNEL, 1]);
    expect((await reply).chatId).toBe('15550004321@c.us');
    expect(await t.gateway.store.models.Message.countDocuments({ channelId: WA_CHANNEL, direction: 'inbound' })).toBe(1);
    // Answered once: the next message's reply is the second send, not the third.
    const next = client.nextSend();
    client.emit('message', waWebMessage({ from: '15550004321@c.us', body: 'How much is shipping?' }));
    await next;
    expect(client.sent.filter((s) => s.chatId === '15550004321@c.us')).toHaveLength(2);
  });
});
