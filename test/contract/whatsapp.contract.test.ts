import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { inboundDedupeKey } from '../../conversations/messages';
import { fetchWhatsAppMedia } from '../../adapters/meta';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { MetaPeer, postToMetaWebhook, waText, waWebhook } from '../support/meta-peer';
import { until } from '../support/until';
import { agentReplies, AGENT_FILES } from '../support/agent-reply';
import { adapterContract } from './adapter-contract';
import { testClock, type TestClock } from '../support/clock';

const CHANNEL_ID = 'wa-test';
const TEMPLATE_CHANNEL_ID = 'wa-template';
const PHONE_ID = '123456123';
const TOKEN = 'EAAG-test-system-user-token';
const HOUR = 3_600_000;

interface WaSetup {
  t: TestGateway;
  peer: MetaPeer;
  secret: string;
  verifyToken: string;
  webhook: (channelId?: string) => string;
  clock: TestClock;
}

/** A gateway with WhatsApp channels whose Graph API is the local peer; the secrets are made up here. */
async function startWhatsApp(name: string): Promise<WaSetup> {
  const clock = testClock();
  const peer = await new MetaPeer({ token: TOKEN, clock: clock.now }).start();
  const t = await startTestGateway(name, { clock: clock.now });
  const secret = randomBytes(16).toString('hex');
  const verifyToken = randomBytes(8).toString('hex');
  const base = { kind: 'whatsapp' as const, secrets: { appSecret: secret, verifyToken, accessToken: TOKEN } };
  await t.gateway.store.channels.ensure({ ...base, id: CHANNEL_ID, name: 'Test WhatsApp', settings: { graphBase: peer.base, graphVersion: 'v21.0', phoneNumberId: PHONE_ID } });
  await t.gateway.store.channels.ensure({
    ...base,
    id: TEMPLATE_CHANNEL_ID,
    name: 'Test WhatsApp with template',
    settings: { graphBase: peer.base, phoneNumberId: PHONE_ID, reengagementTemplate: { name: 'follow_up', language: 'en_US' } },
  });
  return { t, peer, secret, verifyToken, clock, webhook: (channelId = CHANNEL_ID) => `${t.url}/webhooks/${channelId}` };
}

adapterContract('WhatsApp', async () => {
  const { t, peer, secret, webhook, clock } = await startWhatsApp('contract_wa');
  return {
    t,
    driver: {
      channelId: CHANNEL_ID,
      unknownPayload: 'ack',
      peer,
      deliver: async ({ externalId, contactId, text, badSignature }) => {
        const at = clock.now();
        if (!badSignature) peer.inbound(contactId, at);
        return (await postToMetaWebhook(webhook(), badSignature ? `${secret}x` : secret, waWebhook(PHONE_ID, waText(contactId, externalId, text, at)))).status;
      },
      deliverUnknown: async () =>
        (await postToMetaWebhook(webhook(), secret, waWebhook(PHONE_ID, { messages: [{ from: '1555', id: 'wamid.reaction', timestamp: '1700000000', type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } }] }))).status,
      // WhatsApp does not echo our own messages to the webhook.
      repliesTo: (contactId) => peer.sent(contactId).length,
      close: () => peer.stop(),
    },
  };
});

describe('WhatsApp channel', () => {
  let s: WaSetup;

  beforeAll(async () => {
    s = await startWhatsApp('wa_channel');
  });
  afterAll(async () => {
    await s.peer.stop();
    await s.t.stop();
  });

  const models = () => s.t.gateway.store.models;
  const inboundOf = (id: string, channelId = CHANNEL_ID) => models().Message.findOne({ dedupeKey: inboundDedupeKey(channelId, id) }).lean();
  const replyTo = async (id: string, channelId = CHANNEL_ID) => {
    const inbound = await inboundOf(id, channelId);
    return inbound ? models().Message.findOne({ replyTo: inbound._id }).lean() : null;
  };
  /** The customer writes now (by the shared clock); the peer learns it, as the real platform would. */
  const customerWrites = async (waId: string, id: string, text: string, channelId = CHANNEL_ID) => {
    const at = s.clock.now();
    s.peer.inbound(waId, at);
    return postToMetaWebhook(s.webhook(channelId), s.secret, waWebhook(PHONE_ID, waText(waId, id, text, at)));
  };

  it('answers the hub.challenge handshake with the challenge as plain text, 403 on a wrong token', async () => {
    const ok = await fetch(`${s.webhook()}?hub.mode=subscribe&hub.verify_token=${s.verifyToken}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe('1158201444');
    const bad = await fetch(`${s.webhook()}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1158201444`);
    expect(bad.status).toBe(403);
    expect(await bad.text()).not.toContain('1158201444');
  });

  it('answers a text through the Graph API with Bearer auth, the citation as a link, and records the wamid', async () => {
    expect((await customerWrites('15550000001', 'wamid.IN1', 'How do I start a return?')).status).toBe(200);
    const [call] = await until(s.t, async () => s.peer.sent('15550000001').length > 0 && s.peer.sent('15550000001'), [s.peer]);
    expect(call!.id).toBe(PHONE_ID);
    expect(call!.version).toBe('v21.0');
    expect(call!.authorization).toBe(`Bearer ${TOKEN}`);
    // The answer carries the rating / hand-off choices: three reply buttons under the text.
    expect(call!.body).toMatchObject({ messaging_product: 'whatsapp', to: '15550000001', type: 'interactive', interactive: { type: 'button' } });
    const interactive = call!.body.interactive as { body: { text: string }; action: { buttons: Array<{ type: string; reply: { id: string; title: string } }> } };
    expect(interactive.action.buttons.length).toBeLessThanOrEqual(3);
    for (const b of interactive.action.buttons) expect(b.reply.title.length).toBeLessThanOrEqual(20);
    const text = interactive.body.text;
    expect(text).toMatch(/return/i);
    expect(text).toMatch(/Sources:\n1\. [^\n]*Return[^\n]* \(https:\/\/help\.example\/[^)]+\)/);
    await until(s.t, async () => (await replyTo('wamid.IN1'))?.delivery?.status === 'sent');
    expect((await replyTo('wamid.IN1'))?.delivery?.externalIds).toEqual([(call!.answer.messages as Array<{ id: string }>)[0]!.id]);
    const inbound = await inboundOf('wamid.IN1');
    expect(inbound?.parts).toEqual([{ type: 'text', text: 'How do I start a return?' }]);
  });

  it('sends plain text without link previews, and more than three choices as a list', async () => {
    const channel = (await s.t.gateway.store.channels.get(CHANNEL_ID))!;
    const adapter = s.t.gateway.deps.registry.get(channel);
    s.peer.inbound('15550000020', s.clock.now());
    const to = { to: '15550000020', extra: { phoneNumberId: PHONE_ID, lastInboundAt: s.clock.now().toISOString() } };
    const base = { format: 'plain' as const, parts: [], authorKind: 'bot' as const, messageId: 'm-1', conversationId: 'c', chunkIndex: 0 };
    const receipt = await adapter.send(to, { ...base, text: 'See https://help.example/returns' });
    expect(receipt).toEqual({ status: 'sent', externalId: expect.stringMatching(/^wamid\./) });
    expect(s.peer.sent('15550000020').at(-1)!.body).toMatchObject({ type: 'text', text: { body: 'See https://help.example/returns', preview_url: false } });
    const choices = ['Refund', 'Exchange', 'Repair', 'Store credit with a longer title'].map((title, i) => ({ id: `c${i}`, title }));
    await adapter.send(to, { ...base, text: 'Which one?', choices });
    const list = s.peer.sent('15550000020').at(-1)!.body.interactive as { type: string; action: { sections: Array<{ rows: Array<{ id: string; title: string }> }> } };
    expect(list.type).toBe('list');
    expect(list.action.sections[0]!.rows.map((r) => r.id)).toEqual(['c0', 'c1', 'c2', 'c3']);
    for (const r of list.action.sections[0]!.rows) expect(r.title.length).toBeLessThanOrEqual(24);
  });

  it('moves our message to delivered, then read, from status webhooks (and never back)', async () => {
    await until(s.t, async () => (await replyTo('wamid.IN1'))?.delivery?.status === 'sent');
    const wamid = (await replyTo('wamid.IN1'))!.delivery!.externalIds[0]!;
    const status = (st: string) => waWebhook(PHONE_ID, { statuses: [{ id: wamid, status: st, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '15550000001' }] });
    expect((await postToMetaWebhook(s.webhook(), s.secret, status('delivered'))).status).toBe(200);
    expect((await replyTo('wamid.IN1'))?.delivery?.status).toBe('delivered');
    expect((await postToMetaWebhook(s.webhook(), s.secret, status('read'))).status).toBe(200);
    expect((await postToMetaWebhook(s.webhook(), s.secret, status('delivered'))).status).toBe(200);
    expect((await replyTo('wamid.IN1'))?.delivery?.status).toBe('read');
  });

  it('stores an interactive button_reply as an action with the button id', async () => {
    const at = s.clock.now();
    s.peer.inbound('15550000002', at);
    const payload = waWebhook(PHONE_ID, {
      contacts: [{ profile: { name: 'Bo' }, wa_id: '15550000002' }],
      messages: [{ from: '15550000002', id: 'wamid.BTN1', timestamp: String(Math.floor(at.getTime() / 1000)), type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'How do I start a return?', title: 'Returns' } } }],
    });
    const res = await postToMetaWebhook(s.webhook(), s.secret, payload);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ events: 1, stored: 1 });
    const stored = await inboundOf('wamid.BTN1');
    expect(stored).toMatchObject({ actionValue: 'How do I start a return?', parts: [{ type: 'text', text: 'Returns' }] });
    await until(s.t, async () => s.peer.sent('15550000002').length > 0, [s.peer]);
  });

  it('answers a redelivered message once', async () => {
    for (let i = 0; i < 2; i++) expect((await customerWrites('15550000003', 'wamid.DUP1', 'Can I pay with PayPal?')).status).toBe(200);
    await until(s.t, async () => (await replyTo('wamid.DUP1'))?.delivery?.status === 'sent');
    expect(await models().Message.countDocuments({ channelId: CHANNEL_ID, direction: 'inbound', contactId: (await inboundOf('wamid.DUP1'))!.contactId })).toBe(1);
    expect(s.peer.sent('15550000003')).toHaveLength(1);
  });

  it('stores a 131047 re-engagement error as a failed delivery, without retrying', async () => {
    s.peer.respondNext({ status: 400, body: { error: { message: 'Re-engagement message', type: 'OAuthException', code: 131047 } } }, '15550000004');
    const failed = Promise.race(s.t.gateway.deliverers.map((d) => once(d, 'failed')));
    expect((await customerWrites('15550000004', 'wamid.RE1', 'How do I start a return?')).status).toBe(200);
    await failed;
    await until(s.t, async () => (await replyTo('wamid.RE1'))?.delivery?.status === 'failed');
    expect((await replyTo('wamid.RE1'))?.delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'rejected:wa_131047', retryable: false } });
    expect(s.peer.calls.filter((c) => c.to === '15550000004')).toHaveLength(1);
  });

  it('retries a rate-limited send after Retry-After', async () => {
    s.peer.rateLimit(1, '15550000005');
    const retry = Promise.race(s.t.gateway.deliverers.map((d) => once(d, 'retry')));
    expect((await customerWrites('15550000005', 'wamid.RL1', 'Which payment methods do you accept?')).status).toBe(200);
    const [, error, delayMs] = (await retry) as [unknown, { code: string }, number];
    expect(error.code).toBe('rate_limited:meta_130429');
    expect(delayMs).toBeGreaterThanOrEqual(1000);
    await until(s.t, async () => (await replyTo('wamid.RL1'))?.delivery?.status === 'sent');
    expect(s.peer.calls.filter((c) => c.to === '15550000005').map((c) => c.status)).toEqual([429, 200]);
  });

  it('downloads inbound media through the Graph lookup with the Bearer token', async () => {
    s.peer.addMedia('MEDIA-1', Buffer.from('jpeg bytes'), 'image/jpeg');
    const channel = (await s.t.gateway.store.channels.get(CHANNEL_ID))!;
    const media = await fetchWhatsAppMedia(channel, 'wa-media:MEDIA-1', { timeoutMs: 2000 });
    expect(media).toEqual({ bytes: Buffer.from('jpeg bytes'), mimeType: 'image/jpeg' });
  });

  it('sends an agent\'s files by link after the text, one message each; a file without a public URL stays a link', async () => {
    expect((await customerWrites('15550000020', 'wamid.F1', 'How do I start a return?')).status).toBe(200);
    await until(s.t, async () => (await replyTo('wamid.F1'))?.delivery?.status === 'sent');
    const before = s.peer.sent('15550000020').length;
    const reply = await agentReplies(s.t, CHANNEL_ID, 'wamid.F1', AGENT_FILES, s.clock.now());
    expect(reply.delivery?.status).toBe('sent');
    const calls = s.peer.sent('15550000020').slice(before);
    expect(calls.map((c) => c.body.type)).toEqual(['text', 'document', 'image']);
    expect((calls[0]!.body.text as { body: string }).body).toMatch(/^\*?\*?Ana:?\*?\*?:? Here is your return label[\s\S]*customer-photo\.png: attachment:0/);
    expect(calls[1]!.body.document).toEqual({ link: 'https://cdn.shop.example/labels/R-1042.pdf', filename: 'R-1042.pdf' });
    expect(calls[2]!.body.image).toEqual({ link: 'https://cdn.shop.example/howto/label.jpg', caption: 'On the flap, please' });
    expect(reply.delivery?.externalIds).toHaveLength(3);
  });

  it('resends only the file that failed, not the text before it', async () => {
    expect((await customerWrites('15550000021', 'wamid.F2', 'How do I start a return?')).status).toBe(200);
    await until(s.t, async () => (await replyTo('wamid.F2'))?.delivery?.status === 'sent');
    const before = s.peer.sent('15550000021').length;
    // The image (the last file) fails once with a transient error.
    s.peer.respondNext({ status: 500, body: { error: { message: 'temporarily unavailable', code: 2 } } }, '15550000021', (body) => body.type === 'image');
    const reply = await agentReplies(s.t, CHANNEL_ID, 'wamid.F2', AGENT_FILES, s.clock.now());
    expect(reply.delivery).toMatchObject({ status: 'sent', attempts: 2 });
    // Accepted calls: each piece once. The refused image was retried alone.
    expect(s.peer.sent('15550000021').slice(before).map((c) => c.body.type)).toEqual(['text', 'document', 'image']);
    expect(reply.delivery?.externalIds).toHaveLength(3);
  });

  describe('outside the 24-hour window', () => {
    /** A customer message answered now, then a follow-up queued 25 hours later (the clock moves, nothing sleeps). */
    async function followUpAfter25h(waId: string, id: string, channelId: string) {
      expect((await customerWrites(waId, id, 'How do I start a return?', channelId)).status).toBe(200);
      await until(s.t, async () => (await replyTo(id, channelId))?.delivery?.status === 'sent');
      const callsBefore = s.peer.calls.filter((c) => c.to === waId).length;
      s.clock.advance(25 * HOUR);
      const message = await agentReplies(s.t, channelId, id, [{ type: 'text', text: 'Did the return label arrive?' }], s.clock.now(), [s.peer]);
      return { message, calls: s.peer.calls.filter((c) => c.to === waId).slice(callsBefore) };
    }

    it('refuses free-form without a template: failed rejected:window_closed, no call to the peer', async () => {
      const { message, calls } = await followUpAfter25h('15550000010', 'wamid.W1', CHANNEL_ID);
      expect(message.delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'rejected:window_closed', retryable: false } });
      expect(calls).toEqual([]);
    });

    it('sends the configured re-engagement template instead', async () => {
      const { message, calls } = await followUpAfter25h('15550000011', 'wamid.W2', TEMPLATE_CHANNEL_ID);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.body).toMatchObject({ type: 'template', template: { name: 'follow_up', language: { code: 'en_US' } } });
      expect(message.delivery).toMatchObject({ status: 'sent', externalIds: [(calls[0]!.answer.messages as Array<{ id: string }>)[0]!.id] });
    });
  });
});
