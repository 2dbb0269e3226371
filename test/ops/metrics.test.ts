import { randomBytes, randomUUID } from 'node:crypto';
import { Types } from 'mongoose';
import { CallbackPeer } from '../support/callback-peer';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';
import { scrape, total } from './scrape';

const TOKEN = `metrics_${randomBytes(12).toString('hex')}`;

describe('GET /metrics', () => {
  let peer: CallbackPeer;
  let t: TestGateway;

  beforeAll(async () => {
    peer = await new CallbackPeer().start();
    t = await startTestGateway('ops_metrics', { callbackUrl: peer.url, env: { METRICS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await t?.stop();
    await peer?.stop();
  });

  it('refuses a scrape without the token or with a wrong one (401), and serves the text format with it', async () => {
    const none = await fetch(`${t.url}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    const ok = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await ok.text();
    expect(text).toMatch(/^# TYPE switchboard_webhook_requests_total counter$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total /m);
  });

  it('counts a message through the API channel: stored, decided, delivered, with latencies', async () => {
    const res = await postMessage(t, { id: 'm-1', contact: { id: 'ops-1' }, text: 'How do I start a return?' });
    expect(res.status).toBe(202);
    await peer.waitForDelivered(1);
    const api = { channel_kind: 'api', channel_id: t.api.channelId };
    // With inline delivery the reply is sent before the turn is recorded: scrape until both show, woken by the workers' events.
    const samples = await until(t, async () => {
      const s = await scrape(t, TOKEN);
      return total(s, 'switchboard_deliveries_total', { ...api, outcome: 'sent' }) >= 1 && total(s, 'switchboard_processing_duration_seconds_count') >= 1 && s;
    });
    expect(total(samples, 'switchboard_inbound_messages_total', api)).toBe(1);
    expect(total(samples, 'switchboard_brain_decisions_total')).toBe(1);
    expect(total(samples, 'switchboard_brain_duration_seconds_count')).toBe(1);
    expect(total(samples, 'switchboard_processing_duration_seconds_count')).toBe(1);
    expect(total(samples, 'switchboard_delivery_duration_seconds_count', { channel_kind: 'api' })).toBe(1);
    expect(total(samples, 'switchboard_store_reachable')).toBe(1);
    expect(samples.filter((s) => s.name === 'switchboard_queue_depth').map((s) => s.labels.queue).sort()).toEqual(['dead_letter', 'delivery', 'process']);
  });

  it('counts an escalation by reason and team, and a failed then dead-lettered delivery', async () => {
    peer.respondWith({ status: 503 }, { status: 400 });
    const res = await postMessage(t, { id: 'm-2', contact: { id: 'ops-2' }, text: 'I want to talk to a person' });
    expect(res.status).toBe(202);
    const samples = await until(t, async () => {
      const s = await scrape(t, TOKEN);
      return total(s, 'switchboard_deliveries_total', { outcome: 'dead_lettered' }) >= 1 && total(s, 'switchboard_escalations_total') >= 1 && s;
    });
    expect(total(samples, 'switchboard_deliveries_total', { channel_kind: 'api', outcome: 'failed' })).toBe(1);
    expect(total(samples, 'switchboard_brain_decisions_total', { outcome: 'escalate', reason: 'customer_request' })).toBe(1);
    const escalations = samples.filter((s) => s.name === 'switchboard_escalations_total');
    expect(escalations).toEqual([{ name: 'switchboard_escalations_total', labels: { reason: 'customer_request', team: expect.any(String) }, value: 1 }]);
  });

  it('counts webhook requests by outcome, labelling an unknown channel "unknown" (never the id that was asked for)', async () => {
    const unknownIds = [String(new Types.ObjectId()), randomUUID()];
    for (const id of unknownIds) expect((await fetch(`${t.url}/webhooks/${id}`, { method: 'POST', body: '{}' })).status).toBe(404);
    const samples = await scrape(t, TOKEN);
    expect(total(samples, 'switchboard_webhook_requests_total', { channel_kind: 'unknown', channel_id: 'unknown', outcome: 'invalid' })).toBe(2);
  });

  it('uses no label value that looks like a conversation, contact or message id after all that traffic', async () => {
    const samples = await scrape(t, TOKEN);
    const values = samples.flatMap((s) => Object.values(s.labels));
    expect(values.length).toBeGreaterThan(10);
    const idLike = values.filter((v) => /^[0-9a-f]{24}$/i.test(v) || /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v));
    expect(idLike).toEqual([]);
  });
});

describe('GET /metrics without METRICS_TOKEN', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway('ops_metrics_off', { startWorkers: false });
  });
  afterAll(() => t?.stop());

  it('does not exist (404), whoever asks', async () => {
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe('not_found');
  });
});
