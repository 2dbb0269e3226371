import { once } from 'node:events';
import { connectionLeaseName } from '../../src/connections';
import { DiscordPeer } from '../support/discord-peer';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';

const CHANNEL_ID = 'discord-lease';
const LEASE = connectionLeaseName(CHANNEL_ID, 'discord');

describe('LeaseRepository', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway('lease_repo', { startWorkers: false });
  });
  afterAll(() => t.stop());

  const at = (ms: number) => new Date(Date.UTC(2030, 0, 1) + ms);

  it('acquires a free lease, refuses others while held, and extends its own without a new fencing number', async () => {
    const leases = t.gateway.store.leases;
    const first = await leases.acquire('r1', 'a', 1000, at(0));
    expect(first).toMatchObject({ _id: 'r1', owner: 'a', fencing: 1, leaseUntil: at(1000), acquiredAt: at(0) });
    expect(await leases.acquire('r1', 'b', 1000, at(500))).toBeNull();
    expect(await leases.renew('r1', 'b', 1000, at(500))).toBe(false);
    const again = await leases.acquire('r1', 'a', 1000, at(600));
    expect(again).toMatchObject({ owner: 'a', fencing: 1, leaseUntil: at(1600), acquiredAt: at(0), renewedAt: at(600) });
    expect(await leases.renew('r1', 'a', 1000, at(900))).toBe(true);
    expect((await leases.holder('r1', at(1800)))?.owner).toBe('a');
  });

  it('lets another owner take an expired lease, with the next fencing number; the old owner can no longer renew', async () => {
    const leases = t.gateway.store.leases;
    await leases.acquire('r2', 'a', 1000, at(0));
    expect(await leases.acquire('r2', 'b', 1000, at(999))).toBeNull();
    const stolen = await leases.acquire('r2', 'b', 1000, at(1000));
    expect(stolen).toMatchObject({ owner: 'b', fencing: 2, acquiredAt: at(1000) });
    expect(await leases.renew('r2', 'a', 1000, at(1001))).toBe(false);
    expect(await leases.release('r2', 'a')).toBe(false);
    expect((await leases.holder('r2', at(1500)))?.owner).toBe('b');
    expect(await leases.holder('r2', at(2001))).toBeNull();
  });

  it('frees a released lease at once, keeping the fencing count', async () => {
    const leases = t.gateway.store.leases;
    await leases.acquire('r3', 'a', 60_000, at(0));
    expect(await leases.release('r3', 'a')).toBe(true);
    expect(await leases.holder('r3', at(1))).toBeNull();
    expect(await leases.renew('r3', 'a', 1000, at(2))).toBe(false);
    expect(await leases.acquire('r3', 'b', 1000, at(3))).toMatchObject({ owner: 'b', fencing: 2 });
  });

  it('gives a contested free lease to exactly one of many racing owners', async () => {
    const leases = t.gateway.store.leases;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => leases.acquire('r4', `p${i}`, 1000, at(0))));
    const winners = results.filter((r) => r !== null);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.fencing).toBe(1);
  });
});

describe('Discord connection across gateway processes', () => {
  let peer: DiscordPeer;
  let base: TestGateway;
  let gateways: TestGateway[];
  const running = new Set<TestGateway>();

  beforeAll(async () => {
    peer = await new DiscordPeer().start();
    // Owns the database and never runs workers (so never a connection); the three "processes" share it.
    base = await startTestGateway('lease_pair', { startWorkers: false });
    gateways = [];
    for (let i = 0; i < 3; i++) gateways.push(await startTestGateway('lease_pair', { shareWith: base }));
    gateways.forEach((g) => running.add(g));
  });
  afterAll(async () => {
    for (const g of running) await g.stop();
    await base.stop();
    await peer.stop();
  });

  const startedOn = (candidates: TestGateway[]) =>
    Promise.race(candidates.map((g) => once(g.gateway.connections, 'started').then(() => g)));
  /** Two further passes of every host: time for a wrong second acquisition to show. */
  const settle = (candidates: TestGateway[]) =>
    Promise.all(candidates.map(async (g) => {
      await once(g.gateway.connections, 'tick');
      await once(g.gateway.connections, 'tick');
    }));
  const lease = () => base.gateway.store.models.Lease.findById(LEASE).lean();

  it('connects exactly one process: one IDENTIFY, one holder, one answer per message', async () => {
    const started = startedOn(gateways);
    await base.gateway.store.channels.ensure({ id: CHANNEL_ID, kind: 'discord', name: 'Discord', settings: { apiUrl: peer.apiUrl }, secrets: { botToken: peer.token } });
    const holder = await started;
    await settle(gateways);
    expect(peer.identifies).toBe(1);
    expect(peer.liveSessions).toBe(1);
    expect(gateways.map((g) => g.gateway.connections.connected)).toEqual(gateways.map((g) => (g === holder ? [CHANNEL_ID] : [])));
    expect(await lease()).toMatchObject({ fencing: 1 });

    const user = peer.snowflake();
    const id = peer.sendDm(user, 'How do I start a return?');
    await until(gateways, async () => peer.posted(peer.dmChannelOf(user)).length > 0, [peer]);
    expect(await base.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID, direction: 'inbound' })).toBe(1);
    expect(await base.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID, dedupeKey: { $regex: id } })).toBe(1);
  });

  it('hands over at once when the holder stops cleanly (its lease is released, not left to expire)', async () => {
    const holder = gateways.find((g) => g.gateway.connections.connected.includes(CHANNEL_ID))!;
    const others = gateways.filter((g) => g !== holder);
    const before = (await lease())!;
    const started = startedOn(others);
    await holder.stop();
    running.delete(holder);
    // Released by the stop itself (an expiring lease keeps its owner until someone takes it over).
    const released = (await lease())!;
    expect(released.owner === undefined || released.fencing === before.fencing + 1).toBe(true);
    expect(released.owner).not.toBe(before.owner);
    const next = await started;
    const after = (await lease())!;
    expect(after.owner).not.toBe(before.owner);
    expect(after.fencing).toBe(before.fencing + 1);
    await settle(others);
    expect(peer.identifies).toBe(2);
    expect(peer.liveSessions).toBe(1);
    expect(next.gateway.connections.connected).toEqual([CHANNEL_ID]);
  });

  it('replaces a holder that stops renewing (a crash) once its lease expires', async () => {
    const holder = [...running].find((g) => g.gateway.connections.connected.includes(CHANNEL_ID))!;
    const other = [...running].find((g) => g !== holder)!;
    const lost = (await lease())!;
    const started = once(other.gateway.connections, 'started');
    // Disconnects without releasing: to the others this process is gone.
    await holder.gateway.connections.stop({ release: false });
    const unreleased = (await lease())!;
    expect(unreleased.owner).toBe(lost.owner);
    await started;
    const after = (await lease())!;
    expect(after.owner).not.toBe(lost.owner);
    expect(after.fencing).toBe(lost.fencing + 1);
    expect(after.acquiredAt.getTime()).toBeGreaterThanOrEqual(unreleased.leaseUntil.getTime());
    expect(peer.identifies).toBe(3);
    expect(peer.liveSessions).toBe(1);

    const user = peer.snowflake();
    peer.sendDm(user, 'Can I pay with PayPal?');
    await until([...running], async () => peer.posted(peer.dmChannelOf(user)).length > 0, [peer]);
  });

  it('stops the connection as soon as a renewal finds the lease taken', async () => {
    const holder = [...running].find((g) => g.gateway.connections.connected.includes(CHANNEL_ID))!;
    const lostEvent = once(holder.gateway.connections, 'lost');
    // Another owner takes it (as after a long pause of this process: its lease lapsed and was taken).
    await base.gateway.store.models.Lease.updateOne({ _id: LEASE }, { $set: { owner: 'someone-else', leaseUntil: new Date(Date.now() + 60_000) } });
    await lostEvent;
    expect(holder.gateway.connections.connected).toEqual([]);
    await until([...running], async () => peer.liveSessions === 0, [peer]);
  });
});
