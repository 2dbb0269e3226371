import { once } from 'node:events';
import { Types } from 'mongoose';
import { deskActionValue } from '../../adapters/desk';
import { inboundDedupeKey } from '../../conversations/messages';
import type { ChannelInstance, InboundEvent } from '../../adapters/types';
import { connectionLeaseName } from '../../src/connections';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { AGENT, DESK_CHANNEL } from '../support/slack-desk';
import { SlackSocketPeer } from '../support/slack-socket-peer';
import { until } from '../support/until';

const CHANNEL_ID = 'slack-socket';
const HTTP_CHANNEL_ID = 'slack-http';
const APP_TOKEN = 'xapp-1-A1-1234-socketmodetest';

/** A Slack channel instance in Socket Mode, its Web API and socket played by the peer. */
function ensureSocketChannel(t: TestGateway, peer: SlackSocketPeer, settings: Record<string, unknown> = {}) {
  return t.gateway.store.channels.ensure({
    id: CHANNEL_ID,
    kind: 'slack',
    name: 'Slack (Socket Mode)',
    settings: { slackApiUrl: peer.apiUrl, botUserId: peer.botUserId, socketMode: true, ...settings },
    // No signing secret: the socket is authenticated by the app-level token.
    secrets: { appToken: APP_TOKEN, botToken: 'xoxb-socket-token' },
  });
}

let seq = 0;
const nextTs = () => `${1_800_000_000 + ++seq}.000300`;
const dm = (user: string) => `D-${user}`;

/** An Events API callback for a customer's DM, as Socket Mode wraps it in an `events_api` envelope. */
function dmEvent(user: string, text: string, ts = nextTs()) {
  return {
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A1',
    event_id: `Ev${ts.replace('.', '')}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
    event: { type: 'message', channel: dm(user), channel_type: 'im', user, text, ts, event_ts: ts },
  };
}

const inboundCount = (t: TestGateway, channelId = CHANNEL_ID) => t.gateway.store.models.Message.countDocuments({ channelId, direction: 'inbound' });

type Ingest = (channel: ChannelInstance, event: InboundEvent) => ReturnType<TestGateway['gateway']['deps']['ingestor']['ingest']>;

/** Puts `wrap` in front of the gateway's ingest (the store side of `onEvent`); returns the undo. */
function wrapIngest(t: TestGateway, wrap: (original: Ingest) => Ingest): () => void {
  const ingestor = t.gateway.deps.ingestor;
  const original: Ingest = ingestor.ingest.bind(ingestor);
  ingestor.ingest = wrap(original);
  return () => {
    delete (ingestor as { ingest?: unknown }).ingest;
  };
}

describe('Slack over Socket Mode', () => {
  let peer: SlackSocketPeer;
  let t: TestGateway;

  beforeAll(async () => {
    peer = await new SlackSocketPeer().start();
    peer.users.set(AGENT.id, AGENT.name);
    t = await startTestGateway('slack_socket');
    const started = once(t.gateway.connections, 'started');
    // A webhook-only Slack channel alongside: it must get no lease and no socket.
    await t.gateway.store.channels.ensure({
      id: HTTP_CHANNEL_ID,
      kind: 'slack',
      name: 'Slack (Events API)',
      settings: { slackApiUrl: peer.apiUrl },
      secrets: { signingSecret: 'http-secret', botToken: 'xoxb-http-token' },
    });
    await ensureSocketChannel(t, peer, { desk: { channel: DESK_CHANNEL } });
    expect(await started).toEqual([CHANNEL_ID]);
  });
  afterAll(async () => {
    await t?.stop();
    await peer?.stop();
  });

  const storedOnce = (eventId: string) => t.gateway.store.models.Message.countDocuments({ dedupeKey: inboundDedupeKey(CHANNEL_ID, eventId) });
  const waitFor = <T>(check: () => Promise<T | undefined | null | false>) => until(t, check, [peer]);

  it('opens one socket with the app token, and none for a Slack channel on webhooks', async () => {
    expect(peer.opens).toBe(1);
    expect(peer.accepted('apps.connections.open')[0]!.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(peer.liveSockets).toBe(1);
    // Two more passes of the host: time for a wrong connection of the webhook channel to show.
    await once(t.gateway.connections, 'tick');
    await once(t.gateway.connections, 'tick');
    expect(t.gateway.connections.connected).toEqual([CHANNEL_ID]);
    expect(await t.gateway.store.models.Lease.findById(connectionLeaseName(HTTP_CHANNEL_ID, 'slack')).lean()).toBeNull();
    expect(await t.gateway.store.models.Lease.findById(connectionLeaseName(CHANNEL_ID, 'slack')).lean()).toMatchObject({ fencing: 1 });
    expect(peer.opens).toBe(1);
  });

  it('stores a DM before acknowledging its envelope, then answers it with chat.postMessage', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = () => {};
    const storing = new Promise<void>((resolve) => (entered = resolve));
    const undo = wrapIngest(t, (ingest) => async (channel, event) => {
      entered();
      await gate;
      return ingest(channel, event);
    });
    let id: string;
    try {
      id = peer.envelope('events_api', dmEvent('U0CUST1', 'How long do refunds take?'));
      await storing;
      // Frames arrive in order: an ack sent before storing began would be recorded once the pong is back.
      await peer.roundTrip();
      expect(peer.acksOf(id)).toEqual([]);
      expect(await inboundCount(t)).toBe(0);
      release();
      const ack = await peer.acked(id);
      expect(await inboundCount(t)).toBe(1);
      expect(ack.payload ?? {}).toEqual({});
    } finally {
      release();
      undo();
    }
    const reply = await waitFor(async () => peer.posted(dm('U0CUST1'))[0]);
    expect(reply.form.text).toBeTruthy();
    expect(reply.authorization).toBe('Bearer xoxb-socket-token');
    expect(peer.acksOf(id)).toHaveLength(1);
  });

  it('stores a redelivered envelope once and answers once', async () => {
    const event = dmEvent('U0CUST2', 'Can I pay with PayPal?');
    const first = peer.envelope('events_api', event);
    await peer.acked(first);
    await waitFor(async () => peer.posted(dm('U0CUST2')).length > 0);
    // Slack redelivers an envelope it holds unacknowledged: a new envelope, the same event.
    const again = peer.envelope('events_api', event, { retryAttempt: 1 });
    await peer.acked(again);
    expect(await storedOnce(event.event_id)).toBe(1);
    // A later conversation answered: the duplicate has had every chance to produce a second reply.
    peer.envelope('events_api', dmEvent('U0CUST3', 'Where is my parcel?'));
    await waitFor(async () => peer.posted(dm('U0CUST3')).length > 0);
    expect(peer.posted(dm('U0CUST2'))).toHaveLength(1);
  });

  it('does not acknowledge what could not be stored, so Slack redelivers it', async () => {
    let calls = 0;
    let failedEnough = () => {};
    const failed = new Promise<void>((resolve) => (failedEnough = resolve));
    const undo = wrapIngest(t, () => async () => {
      // The host tries a few times (ingestAttempts) before giving the event up.
      if (++calls >= 4) failedEnough();
      throw new Error('store unreachable');
    });
    const event = dmEvent('U0CUST4', 'Do you ship to Norway?');
    let lost: string;
    try {
      lost = peer.envelope('events_api', event);
      await failed;
    } finally {
      undo();
    }
    const redelivered = peer.envelope('events_api', event, { retryAttempt: 1 });
    await peer.acked(redelivered);
    // Acks go out in order: one for the lost envelope would have come first.
    expect(peer.acksOf(lost)).toEqual([]);
    expect(await storedOnce(event.event_id)).toBe(1);
    await waitFor(async () => peer.posted(dm('U0CUST4')).length > 0);
  });

  it('acknowledges /switchboard status with the ephemeral answer as the payload', async () => {
    const id = peer.envelope('slash_commands', {
      token: 'legacy',
      team_id: 'T1',
      api_app_id: 'A1',
      channel_id: DESK_CHANNEL,
      user_id: AGENT.id,
      user_name: AGENT.name.toLowerCase(),
      command: '/switchboard',
      text: 'status',
      trigger_id: `trig-${nextTs()}`,
      response_url: 'http://127.0.0.1:9/unused',
    });
    const ack = await peer.acked(id);
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral' });
    expect(String(ack.payload!.text)).toMatch(/Waiting: \d+ · claimed: \d+/);
  });

  it('claims an escalation from a block_actions click on the desk card', async () => {
    const res = await postMessage(t, { id: 'c-socket-1', contact: { id: 'c-socket', name: 'Customer c-socket' }, text: 'I need to talk to a human about my order 4711' });
    expect(res.status).toBe(202);
    const { conversationId } = (await res.json()) as { conversationId: string };
    const card = await waitFor(async () => peer.accepted('chat.postMessage', DESK_CHANNEL).find((c) => !c.form.thread_ts && (c.form.blocks ?? '').includes(conversationId)));
    const rootTs = String(card.answer.ts);
    const value = deskActionValue('claim', conversationId);
    const id = peer.envelope('interactive', {
      type: 'block_actions',
      user: { id: AGENT.id, name: AGENT.name.toLowerCase() },
      team: { id: 'T1' },
      channel: { id: DESK_CHANNEL },
      container: { type: 'message', channel_id: DESK_CHANNEL, message_ts: rootTs },
      message: { ts: rootTs },
      actions: [{ type: 'button', action_id: 'desk_claim', value, action_ts: nextTs(), block_id: 'desk' }],
      trigger_id: 'trig-click',
      response_url: 'http://127.0.0.1:9/unused',
    });
    const ack = await peer.acked(id);
    expect(ack.payload ?? {}).toEqual({});
    const conversation = await t.gateway.store.conversations.get(new Types.ObjectId(conversationId));
    expect(conversation).toMatchObject({ status: 'assigned', assignee: `${CHANNEL_ID}:${AGENT.id}` });
  });

  it('reconnects when Slack sends disconnect, with a new apps.connections.open, and keeps receiving', async () => {
    const opens = peer.opens;
    peer.disconnect();
    await peer.until(() => peer.opens === opens + 1 && peer.liveSockets === 1 && peer.sockets.length === opens + 1);
    const id = peer.envelope('events_api', dmEvent('U0CUST5', 'Is the shop open on Sunday?'));
    const ack = await peer.acked(id);
    expect(ack.socket).toBe(peer.sockets.length - 1);
    await waitFor(async () => peer.posted(dm('U0CUST5')).length > 0);
    expect(t.gateway.connections.connected).toEqual([CHANNEL_ID]);
  });
});

describe('Slack Socket Mode across gateway processes', () => {
  let peer: SlackSocketPeer;
  let base: TestGateway;
  let gateways: TestGateway[];
  const running = new Set<TestGateway>();

  beforeAll(async () => {
    peer = await new SlackSocketPeer().start();
    // Owns the database and runs no workers (so never a connection); the two "processes" share it.
    base = await startTestGateway('slack_socket_pair', { startWorkers: false });
    gateways = [await startTestGateway('slack_socket_pair', { shareWith: base }), await startTestGateway('slack_socket_pair', { shareWith: base })];
    gateways.forEach((g) => running.add(g));
  });
  afterAll(async () => {
    for (const g of running) await g.stop();
    await base?.stop();
    await peer?.stop();
  });

  const startedOn = (candidates: TestGateway[]) => Promise.race(candidates.map((g) => once(g.gateway.connections, 'started').then(() => g)));
  const settle = (candidates: TestGateway[]) =>
    Promise.all(
      candidates.map(async (g) => {
        await once(g.gateway.connections, 'tick');
        await once(g.gateway.connections, 'tick');
      }),
    );

  it('opens the socket from exactly one process, which answers', async () => {
    const started = startedOn(gateways);
    await ensureSocketChannel(base, peer);
    const holder = await started;
    await settle(gateways);
    expect(peer.opens).toBe(1);
    expect(peer.liveSockets).toBe(1);
    expect(gateways.map((g) => g.gateway.connections.connected)).toEqual(gateways.map((g) => (g === holder ? [CHANNEL_ID] : [])));

    const id = peer.envelope('events_api', dmEvent('U0PAIR1', 'How long do refunds take?'));
    await peer.acked(id);
    await until(gateways, async () => peer.posted(dm('U0PAIR1')).length > 0, [peer]);
    expect(await inboundCount(base)).toBe(1);
  });

  it('hands the socket to the other process when the holder stops cleanly', async () => {
    const holder = gateways.find((g) => g.gateway.connections.connected.includes(CHANNEL_ID))!;
    const other = gateways.find((g) => g !== holder)!;
    const started = once(other.gateway.connections, 'started');
    await holder.stop();
    running.delete(holder);
    await started;
    await peer.until(() => peer.liveSockets === 1);
    expect(peer.opens).toBe(2);
    expect(peer.sockets.filter((s) => s.readyState === s.OPEN)).toEqual([peer.sockets[1]]);
    expect(other.gateway.connections.connected).toEqual([CHANNEL_ID]);

    const id = peer.envelope('events_api', dmEvent('U0PAIR2', 'Can I pay with PayPal?'));
    await peer.acked(id);
    await until([other], async () => peer.posted(dm('U0PAIR2')).length > 0, [peer]);
    expect(await inboundCount(base)).toBe(2);
  });
});
