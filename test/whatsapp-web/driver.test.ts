import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InboundEvent } from '../../adapters/types';
import { usesWhatsAppWeb, type WaWebStatus } from '../../adapters/whatsapp-web';
import type { IngestResult } from '../../src/pipeline/ingest';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { queueAgentReply } from '../support/agent-reply';
import { until } from '../support/until';
import { FakeWaWebFactory, waWebMessage, type FakeWaWebClient } from '../support/wwebjs-fake';

const CHANNEL_ID = 'wa-web';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const CUSTOMER = '15550001234@c.us';

/** Resolves when the gateway's connection host reports that the session reached `state` (stored in MongoDB first). */
function statusReached(t: TestGateway, state: WaWebStatus['state']): Promise<WaWebStatus> {
  return new Promise((resolve) => {
    const onStatus = (channelId: string, status: WaWebStatus) => {
      if (channelId !== CHANNEL_ID || status.state !== state) return;
      t.gateway.connections.off('status', onStatus);
      resolve(status);
    };
    t.gateway.connections.on('status', onStatus);
  });
}

/** Resolves with what ingest made of the WhatsApp message with this id. */
function ingested(t: TestGateway, id: string): Promise<IngestResult> {
  return new Promise((resolve) => {
    const ingestor = t.gateway.deps.ingestor;
    const onIngested = (event: InboundEvent, result: IngestResult) => {
      const eventId = event.kind === 'unsupported' ? (event.raw as { id?: string } | null)?.id : 'externalId' in event ? event.externalId : undefined;
      if (eventId !== id) return;
      ingestor.off('ingested', onIngested);
      resolve(result);
    };
    ingestor.on('ingested', onIngested);
  });
}

describe('WhatsApp Web driver (whatsapp-web.js event interface)', () => {
  let t: TestGateway;
  let factory: FakeWaWebFactory;
  let client: FakeWaWebClient;
  let dataPath: string;
  const admin = (query = '', init: RequestInit = {}) =>
    fetch(`${t.url}/admin/channels/${CHANNEL_ID}/whatsapp-web${query}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.headers ?? {}) } });
  const models = () => t.gateway.store.models;

  beforeAll(async () => {
    dataPath = mkdtempSync(join(tmpdir(), 'wwebjs-'));
    factory = new FakeWaWebFactory();
    t = await startTestGateway('wa_web', { env: { ADMIN_TOKEN, WHATSAPP_WEB_PRINT_QR: 'false' }, whatsappWebClient: factory.create });
    const qrShown = statusReached(t, 'qr');
    await t.gateway.store.channels.ensure({ id: CHANNEL_ID, kind: 'whatsapp', name: 'WhatsApp (linked phone)', settings: { driver: 'web', dataPath, maxAttachmentBytes: 1000 } });
    // The host finds the new channel on its next pass, takes the lease and opens the session.
    client = await factory.next();
    expect(client.options).toEqual({ clientId: 'wa-web', dataPath, executablePath: '/usr/bin/chromium' });
    client.emit('qr', '2@test-qr-payload,abc,def');
    await qrShown;
  });

  afterAll(async () => {
    await t.stop();
    rmSync(dataPath, { recursive: true, force: true });
  });

  it('shows the login QR on the admin page (token required), then the linked number once the phone scanned it', async () => {
    const anonymous = await fetch(`${t.url}/admin/channels/${CHANNEL_ID}/whatsapp-web`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await admin('', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);

    const json = (await (await admin('?format=json')).json()) as Record<string, unknown>;
    expect(json).toMatchObject({ channelId: CHANNEL_ID, state: 'qr', qr: '2@test-qr-payload,abc,def' });
    const svg = await admin('?format=svg');
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(await svg.text()).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    // A browser: Basic auth with the token as the password, a page that refreshes itself.
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}`;
    const html = await fetch(`${t.url}/admin/channels/${CHANNEL_ID}/whatsapp-web`, { headers: { authorization: basic } });
    expect(html.status).toBe(200);
    const body = await html.text();
    expect(body).toContain('Linked devices');
    expect(body).toContain('<svg');
    expect(body).toContain('http-equiv="refresh"');
    expect((await admin('?format=pdf')).status).toBe(400);
    expect((await fetch(`${t.url}/admin/channels/nope/whatsapp-web`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).status).toBe(404);

    const ready = statusReached(t, 'ready');
    client.link('15550009999');
    expect(await ready).toMatchObject({ state: 'ready', account: '15550009999' });
    const linked = (await (await admin('?format=json')).json()) as Record<string, unknown>;
    expect(linked).toMatchObject({ state: 'ready', account: '15550009999' });
    expect(linked.qr).toBeUndefined();
    expect((await admin('?format=svg')).status).toBe(404);
  });

  it('answers a customer through the linked session, with citations as text and choices as a numbered list', async () => {
    const reply = client.nextSend();
    client.emit('message', waWebMessage({ from: CUSTOMER, body: 'How do I return an item?', name: 'Kim' }));
    const sent = await reply;
    expect(sent.chatId).toBe(CUSTOMER);
    expect(sent.text).toMatch(/return/i);
    expect(sent.text).toMatch(/https:\/\/help\.example\//);

    const identity = await models().Identity.findOne({ channelId: CHANNEL_ID, externalId: CUSTOMER }).lean();
    expect(await models().Contact.findById(identity!.contactId).lean()).toMatchObject({ displayName: 'Kim', phone: '+15550001234' });
    const stored = await models().Message.findOne({ channelId: CHANNEL_ID, direction: 'outbound', 'delivery.externalIds': sent.id }).lean();
    expect(stored?.delivery?.status).toBe('sent');
  });

  it('answers a redelivered message once', async () => {
    const first = waWebMessage({ from: '15550001235@c.us', body: 'What are your opening hours?' });
    const reply = client.nextSend();
    client.emit('message', first);
    await reply;
    const duplicate = ingested(t, first.id._serialized);
    client.emit('message', first);
    expect(await duplicate).toMatchObject({ kind: 'message', duplicate: true });
    // Messages are handled in order: a second reply to the duplicate would have come before this one's.
    const next = client.nextSend();
    client.emit('message', waWebMessage({ from: '15550001235@c.us', body: 'How much is shipping?' }));
    await next;
    expect(client.sent.filter((s) => s.chatId === '15550001235@c.us')).toHaveLength(2);
  });

  it('acknowledges group chats, status updates and its own messages without storing or answering them', async () => {
    const group = waWebMessage({ from: '1203630000000@g.us', body: 'hello group' });
    const status = waWebMessage({ from: 'status@broadcast', body: 'my story', isStatus: true });
    const own = waWebMessage({ from: '15550001236@c.us', body: 'sent from the phone', fromMe: true });
    const results = [ingested(t, group.id._serialized), ingested(t, status.id._serialized), ingested(t, own.id._serialized)];
    for (const m of [group, status, own]) client.emit('message', m);
    expect(await Promise.all(results)).toEqual([
      { kind: 'ignored', reason: 'group chats are not served' },
      { kind: 'ignored', reason: 'status update' },
      { kind: 'ignored', reason: 'own message' },
    ]);
    expect(await models().Message.countDocuments({ channelId: CHANNEL_ID, externalId: { $in: [group.id._serialized, status.id._serialized, own.id._serialized] } })).toBe(0);
    expect(client.sent.filter((s) => s.chatId.endsWith('@g.us') || s.chatId === 'status@broadcast' || s.chatId === '15550001236@c.us')).toEqual([]);
  });

  it('turns the library\'s acks into delivery receipts on our reply', async () => {
    const reply = client.nextSend();
    client.emit('message', waWebMessage({ from: '15550001237@c.us', body: 'Do you ship abroad?' }));
    const sent = await reply;
    const stored = () => models().Message.findOne({ channelId: CHANNEL_ID, 'delivery.externalIds': sent.id }).lean();
    await until(t, async () => (await stored())?.delivery?.status === 'sent');
    const ack = { ...waWebMessage({ from: '15550009999@c.us', id: sent.id, fromMe: true }) };
    client.emit('message_ack', ack, 2);
    await until(t, async () => (await stored())?.delivery?.status === 'delivered');
    client.emit('message_ack', ack, 3);
    await until(t, async () => (await stored())?.delivery?.status === 'read');
  });

  it('stores a photo with its caption; media over the channel limit are recorded without their bytes', async () => {
    const png = Buffer.alloc(600, 7);
    const photo = waWebMessage({ from: '15550001238@c.us', type: 'image', body: 'the box arrived like this', media: { mimetype: 'image/png', data: png.toString('base64'), filename: 'box.png' } });
    const big = waWebMessage({ from: '15550001238@c.us', type: 'document', media: { mimetype: 'application/pdf', data: Buffer.alloc(5000, 1).toString('base64'), filename: 'invoice.pdf' } });
    const done = [ingested(t, photo.id._serialized), ingested(t, big.id._serialized)];
    client.emit('message', photo);
    client.emit('message', big);
    await Promise.all(done);

    const message = await models().Message.findOne({ channelId: CHANNEL_ID, externalId: photo.id._serialized }).lean();
    expect(message?.parts).toEqual([
      { type: 'text', text: 'the box arrived like this' },
      { type: 'media', url: 'attachment:0', mimeType: 'image/png', sizeBytes: 600, name: 'box.png' },
    ]);
    const saved = await models().Attachment.findById(`${CHANNEL_ID}:${photo.id._serialized}:0`).lean();
    expect(saved).toMatchObject({ contentType: 'image/png', size: 600, stored: true, filename: 'box.png' });
    expect(Buffer.from(saved!.data!.buffer ?? saved!.data!).equals(png)).toBe(true);

    const document = await models().Message.findOne({ channelId: CHANNEL_ID, externalId: big.id._serialized }).lean();
    expect(document?.parts).toEqual([{ type: 'media', url: `wa-web-media:${big.id._serialized}`, mimeType: 'application/pdf', sizeBytes: 5000, name: 'invoice.pdf' }]);
    expect(await models().Attachment.findById(`${CHANNEL_ID}:${big.id._serialized}:0`).lean()).toMatchObject({ stored: false, size: 5000 });

    // Agents open files through signed links: the stored photo is served, the unkept document says so, old links expire.
    const links = t.gateway.deps.mediaLinks;
    const served = await fetch(`${t.url}/media/${links.token({ messageId: String(message!._id), index: 1 }, new Date())}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('content-disposition')).toBe('inline; filename=box.png');
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    const unkept = await fetch(`${t.url}/media/${links.token({ messageId: String(document!._id), index: 0 }, new Date())}`);
    expect(unkept.status).toBe(404);
    expect(await unkept.json()).toMatchObject({ error: { code: 'media_not_kept' } });
    const old = await fetch(`${t.url}/media/${links.token({ messageId: String(message!._id), index: 1 }, new Date(Date.now() - 400 * 3_600_000))}`);
    expect(old.status).toBe(410);
    const textPart = await fetch(`${t.url}/media/${links.token({ messageId: String(message!._id), index: 0 }, new Date())}`);
    expect(textPart.status).toBe(404);
  });

  it('replaces a client that disconnected, and a reply written meanwhile goes out once the new session is ready', async () => {
    const old = client;
    const disconnected = statusReached(t, 'disconnected');
    old.emit('disconnected', 'CONFLICT');
    await disconnected;
    // While nothing is linked, an agent's reply waits in the outbox (retried, not lost).
    const inbound = await models().Message.findOne({ channelId: CHANNEL_ID, direction: 'inbound', 'author.kind': 'contact' }).sort({ receivedAt: 1 }).lean();
    const now = new Date();
    const queued = await queueAgentReply(t, inbound!, [{ type: 'text', text: 'Your replacement ships today.' }], now);
    const retried = new Promise<{ code: string }>((resolve) => t.gateway.deliverers.forEach((d) => d.once('retry', (_message, error: { code: string }) => resolve(error))));
    await t.gateway.store.jobs.enqueueDelivery(queued, now);
    expect((await retried).code).toMatch(/^unavailable:session_(disconnected|starting|stopped)$/);

    client = await factory.next();
    expect(old.destroyed).toBe(true);
    expect(client).not.toBe(old);
    const delivered = client.sendMatching((m) => m.text.includes('ships today'));
    client.link('15550009999');
    const sent = await delivered;
    expect(sent).toMatchObject({ chatId: CUSTOMER });
    expect(sent.text).toContain('Your replacement ships today.');
    expect(sent.text).toContain('Ana');
    await until(t, async () => (await models().Message.findById(queued._id).lean())?.delivery?.status === 'sent');
    expect(old.sent.some((s) => s.text.includes('ships today'))).toBe(false);
  });

  it('has no webhook: a POST to its URL is refused with a reason', async () => {
    const res = await fetch(`${t.url}/webhooks/${CHANNEL_ID}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/WhatsApp Web session and has no webhook/);
  });

  describe('with a second gateway process on the same database', () => {
    let t2: TestGateway;
    let factory2: FakeWaWebFactory;

    beforeAll(async () => {
      factory2 = new FakeWaWebFactory();
      t2 = await startTestGateway('wa_web_2', { shareWith: t, env: { ADMIN_TOKEN, WHATSAPP_WEB_PRINT_QR: 'false' }, whatsappWebClient: factory2.create });
      await t2.gateway.connections.tick();
    });

    afterAll(async () => {
      await t2.stop();
    });

    it('does not open a second session, and leaves the channel\'s deliveries to the holder', async () => {
      await t2.gateway.connections.tick();
      expect(factory2.created).toHaveLength(0);
      expect(t2.gateway.connections.heldElsewhere(usesWhatsAppWeb)).toEqual([CHANNEL_ID]);
      expect(t.gateway.connections.heldElsewhere(usesWhatsAppWeb)).toEqual([]);
      // The second process also serves the admin page, from what the holder stored.
      const page = await fetch(`${t2.url}/admin/channels/${CHANNEL_ID}/whatsapp-web?format=json`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      expect(await page.json()).toMatchObject({ state: 'ready', account: '15550009999' });

      // A reply written by the second process's worker (its inline fast path) is handed to the holder, which sends it.
      const inbound = (await t.gateway.store.models.Message.findOne({ channelId: CHANNEL_ID, direction: 'inbound', 'author.kind': 'contact' }).lean())!;
      const now = new Date();
      const queued = await queueAgentReply(t2, inbound, [{ type: 'text', text: 'Written on the other process.' }], now, { kind: 'agent', id: 'agent-2', name: 'Bo' });
      const deliverer = t2.gateway.deliverers[0]!;
      const job = (await t2.gateway.store.jobs.enqueueDelivery(queued, now, { owner: deliverer.owner, leaseMs: deliverer.leaseMs }))!;
      const handedBack = new Promise<void>((resolve) => deliverer.once('handed-back', () => resolve()));
      const sent = client.nextSend();
      await deliverer.deliverHeld(job, queued, (await t2.gateway.store.conversations.get(inbound.conversationId))!);
      await handedBack;
      expect((await sent).text).toContain('Written on the other process.');
      await until([t, t2], async () => (await t.gateway.store.models.Message.findById(queued._id).lean())?.delivery?.status === 'sent');
      expect(factory2.created).toHaveLength(0);
    });

    it('takes the session over when the holder stops, from the same session directory (no new QR)', async () => {
      const held = client;
      const opened = factory2.next();
      await t.gateway.connections.stop();
      expect(held.destroyed).toBe(true);
      const successor = await opened;
      expect(successor.options.dataPath).toBe(dataPath);
      const ready = statusReached(t2, 'ready');
      const reply = successor.nextSend();
      successor.link('15550009999');
      await ready;
      successor.emit('message', waWebMessage({ from: CUSTOMER, body: 'Are you still there?' }));
      expect((await reply).chatId).toBe(CUSTOMER);
    });
  });
});
