import { DiscordPeer } from '../support/discord-peer';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { once } from 'node:events';

const CHANNEL_ID = 'discord-ready';

describe('GET /ready', () => {
  let peer: DiscordPeer;
  let idle: TestGateway;
  let worker: TestGateway | undefined;

  beforeAll(async () => {
    peer = await new DiscordPeer().start();
    // A process whose workers never start: it serves HTTP but is not ready.
    idle = await startTestGateway('ops_ready', { startWorkers: false });
    await idle.gateway.store.channels.ensure({ id: CHANNEL_ID, kind: 'discord', name: 'Discord', settings: { apiUrl: peer.apiUrl }, secrets: { botToken: peer.token } });
  });
  afterAll(async () => {
    await worker?.stop();
    await idle?.stop();
    await peer?.stop();
  });

  const ready = async (t: TestGateway) => {
    const res = await fetch(`${t.url}/ready`);
    return { status: res.status, body: await res.json() };
  };

  it('answers 503 naming the workers and the Discord connection nobody holds', async () => {
    const { status, body } = await ready(idle);
    expect(status).toBe(503);
    expect(body).toMatchObject({
      status: 'unavailable',
      notReady: ['workers', `connection:${CHANNEL_ID}`],
      store: { available: true },
      workers: { ready: false },
      connections: { ready: false, unheld: [{ channelId: CHANNEL_ID, kind: 'discord' }] },
    });
  });

  it('answers 200 from a process whose workers run once the connection is held (here, by that process)', async () => {
    worker = await startTestGateway('ops_ready', { shareWith: idle, startWorkers: false });
    const started = once(worker.gateway.connections, 'started');
    worker.gateway.startWorkers();
    await started;
    const { status, body } = await ready(worker);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', store: { available: true }, workers: { ready: true }, connections: { ready: true, unheld: [] } });
    expect(body.notReady).toBeUndefined();
    // The idle process sees the same cluster-wide lease: only its own workers are missing now.
    expect(await ready(idle)).toMatchObject({ status: 503, body: { notReady: ['workers'], connections: { ready: true } } });
  });
});
