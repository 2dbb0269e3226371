import { randomBytes } from 'node:crypto';
import { inboundDedupeKey } from '../../conversations/messages';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { MetaPeer, messagingWebhook, messengerText, postToMetaWebhook } from '../support/meta-peer';
import { until } from '../support/until';
import { agentReplies, AGENT_FILES } from '../support/agent-reply';
import { adapterContract } from './adapter-contract';
import { testClock, type TestClock } from '../support/clock';

const PAGE_TOKEN = 'EAAG-test-page-token';
const HOUR = 3_600_000;

type Kind = 'messenger' | 'instagram';
const KINDS: Array<{ kind: Kind; object: 'page' | 'instagram'; pageId: string; settingKey: 'pageId' | 'igId' }> = [
  { kind: 'messenger', object: 'page', pageId: 'PAGE-100', settingKey: 'pageId' },
  { kind: 'instagram', object: 'instagram', pageId: 'IG-200', settingKey: 'igId' },
];

interface Setup {
  t: TestGateway;
  peer: MetaPeer;
  secret: string;
  clock: TestClock;
  webhook: (channelId: string) => string;
}

/** `<kind>-test` has the Human Agent tag enabled, `<kind>-notag` does not. */
const channelIds = (kind: Kind) => ({ channelId: `${kind}-test`, noTagChannelId: `${kind}-notag` });

/** A gateway with two channels per kind (with and without the Human Agent tag) on one local Graph peer. */
async function startMeta(kinds: Kind[], name: string): Promise<Setup> {
  const clock = testClock();
  const peer = await new MetaPeer({ token: PAGE_TOKEN, clock: clock.now }).start();
  const t = await startTestGateway(name, { clock: clock.now });
  const secret = randomBytes(16).toString('hex');
  const secrets = { appSecret: secret, verifyToken: randomBytes(8).toString('hex'), accessToken: PAGE_TOKEN };
  for (const kind of kinds) {
    const { settingKey, pageId } = KINDS.find((k) => k.kind === kind)!;
    const { channelId, noTagChannelId } = channelIds(kind);
    await t.gateway.store.channels.ensure({ id: channelId, kind, name: `Test ${kind}`, secrets, settings: { graphBase: peer.base, [settingKey]: pageId, humanAgentTag: true } });
    await t.gateway.store.channels.ensure({ id: noTagChannelId, kind, name: `Test ${kind} without tag`, secrets, settings: { graphBase: peer.base, [settingKey]: pageId } });
  }
  return { t, peer, secret, clock, webhook: (id) => `${t.url}/webhooks/${id}` };
}

/** Both kinds' channel tests share one gateway (and one clock: each day-3 test moves it on by 72 hours). */
let s: Setup;
beforeAll(async () => {
  s = await startMeta(['messenger', 'instagram'], 'meta_channels');
});
afterAll(async () => {
  await s.peer.stop();
  await s.t.stop();
});

describe.each(KINDS)('$kind', ({ kind, object, pageId }) => {
  adapterContract(kind, async () => {
    const { t, peer, secret, clock, webhook } = await startMeta([kind], `contract_${kind}`);
    const { channelId } = channelIds(kind);
    return {
      t,
      driver: {
        channelId,
        unknownPayload: 'ack',
        peer,
        deliver: async ({ externalId, contactId, text, badSignature }) => {
          const at = clock.now();
          if (!badSignature) peer.inbound(contactId, at);
          return (await postToMetaWebhook(webhook(channelId), badSignature ? `${secret}x` : secret, messagingWebhook(object, pageId, messengerText(pageId, contactId, externalId, text, at)))).status;
        },
        deliverUnknown: async () =>
          (await postToMetaWebhook(webhook(channelId), secret, messagingWebhook(object, pageId, { sender: { id: 'PSID-x' }, recipient: { id: pageId }, timestamp: Date.now(), reaction: { mid: 'm_1', action: 'react', emoji: '👍' } }))).status,
        // An echo: the page is the sender, the customer the recipient.
        deliverSelf: async ({ externalId, contactId, text }) =>
          (await postToMetaWebhook(webhook(channelId), secret, messagingWebhook(object, pageId, { sender: { id: pageId }, recipient: { id: contactId }, timestamp: Date.now(), message: { mid: externalId, text, is_echo: true, app_id: 1 } }))).status,
        repliesTo: (contactId) => peer.sent(contactId).length,
        close: () => peer.stop(),
      },
    };
  });

  describe(`${kind} channel`, () => {
    const { channelId: mainChannelId, noTagChannelId } = channelIds(kind);

    const models = () => s.t.gateway.store.models;
    const inboundOf = (id: string, channelId = mainChannelId) => models().Message.findOne({ dedupeKey: inboundDedupeKey(channelId, id) }).lean();
    const replyTo = async (id: string, channelId = mainChannelId) => {
      const inbound = await inboundOf(id, channelId);
      return inbound ? models().Message.findOne({ replyTo: inbound._id }).lean() : null;
    };
    const post = (event: Record<string, unknown>, channelId = mainChannelId) => postToMetaWebhook(s.webhook(channelId), s.secret, messagingWebhook(object, pageId, event));
    const customerWrites = (psid: string, mid: string, text: string, channelId = mainChannelId) => {
      const at = s.clock.now();
      s.peer.inbound(psid, at);
      return post(messengerText(pageId, psid, mid, text, at), channelId);
    };

    it('answers a text through the Send API with the page token, RESPONSE type and quick replies', async () => {
      expect((await customerWrites(`${kind}-PSID-1`, 'm_in_1', 'How do I start a return?')).status).toBe(200);
      const [call] = await until(s.t, async () => s.peer.sent(`${kind}-PSID-1`).length > 0 && s.peer.sent(`${kind}-PSID-1`), [s.peer]);
      expect(call!.id).toBe(pageId);
      expect(call!.accessToken).toBe(PAGE_TOKEN);
      expect(call!.body).toMatchObject({ recipient: { id: `${kind}-PSID-1` }, messaging_type: 'RESPONSE' });
      const message = call!.body.message as { text: string; quick_replies?: Array<{ content_type: string; title: string; payload: string }> };
      expect(message.text).toMatch(/Sources:\n1\. [^\n]*\(https:\/\/help\.example\/[^)]+\)/);
      for (const q of message.quick_replies ?? []) expect(q.title.length).toBeLessThanOrEqual(20);
      await until(s.t, async () => (await replyTo('m_in_1'))?.delivery?.status === 'sent');
      expect((await replyTo('m_in_1'))?.delivery?.externalIds).toEqual([call!.answer.message_id]);
    });

    it('sends an agent\'s files as attachments by URL after the text, one message each', async () => {
      expect((await customerWrites(`${kind}-PSID-F`, 'm_files_1', 'How do I start a return?')).status).toBe(200);
      await until(s.t, async () => (await replyTo('m_files_1'))?.delivery?.status === 'sent');
      const before = s.peer.sent(`${kind}-PSID-F`).length;
      const reply = await agentReplies(s.t, mainChannelId, 'm_files_1', AGENT_FILES, s.clock.now());
      expect(reply.delivery?.status).toBe('sent');
      const bodies = s.peer.sent(`${kind}-PSID-F`).slice(before).map((c) => c.body.message as Record<string, unknown>);
      expect(bodies).toHaveLength(3);
      expect(String(bodies[0]!.text)).toContain('customer-photo.png: attachment:0');
      expect(bodies.slice(1)).toEqual([
        { attachment: { type: 'file', payload: { url: 'https://cdn.shop.example/labels/R-1042.pdf', is_reusable: true } } },
        { attachment: { type: 'image', payload: { url: 'https://cdn.shop.example/howto/label.jpg', is_reusable: true } } },
      ]);
    });

    it('moves our message to delivered from a delivery webhook naming its mid', async () => {
      await until(s.t, async () => (await replyTo('m_in_1'))?.delivery?.status === 'sent');
      const mid = (await replyTo('m_in_1'))!.delivery!.externalIds[0]!;
      expect((await post({ sender: { id: `${kind}-PSID-1` }, recipient: { id: pageId }, timestamp: Date.now(), delivery: { mids: [mid], watermark: Date.now() } })).status).toBe(200);
      expect((await replyTo('m_in_1'))?.delivery?.status).toBe('delivered');
    });

    it('stores a quick reply as an action with its payload', async () => {
      const at = s.clock.now();
      s.peer.inbound(`${kind}-PSID-2`, at);
      const res = await post(messengerText(pageId, `${kind}-PSID-2`, 'm_qr_1', 'Returns', at, { quick_reply: { payload: 'How do I start a return?' } }));
      expect(await res.json()).toMatchObject({ events: 1, stored: 1 });
      expect(await inboundOf('m_qr_1')).toMatchObject({ actionValue: 'How do I start a return?', parts: [{ type: 'text', text: 'Returns' }] });
      await until(s.t, async () => s.peer.sent(`${kind}-PSID-2`).length > 0, [s.peer]);
    });

    it('stores a postback as an action with its payload', async () => {
      const at = s.clock.now();
      s.peer.inbound(`${kind}-PSID-3`, at);
      const res = await post({ sender: { id: `${kind}-PSID-3` }, recipient: { id: pageId }, timestamp: at.getTime(), postback: { mid: 'm_pb_1', title: 'Get started', payload: 'GET_STARTED' } });
      expect(await res.json()).toMatchObject({ events: 1, stored: 1 });
      expect(await inboundOf('m_pb_1')).toMatchObject({ actionValue: 'GET_STARTED', parts: [{ type: 'text', text: 'Get started' }] });
      await until(s.t, async () => (await replyTo('m_pb_1'))?.delivery?.status === 'sent');
    });

    it('ignores echoes of our own messages', async () => {
      const inbound = () => models().Message.countDocuments({ channelId: mainChannelId, direction: 'inbound' });
      const before = await inbound();
      const res = await post({ sender: { id: pageId }, recipient: { id: `${kind}-PSID-1` }, timestamp: Date.now(), message: { mid: 'm_echo_1', text: 'our reply', is_echo: true } });
      expect(await res.json()).toMatchObject({ events: 1, stored: 0 });
      expect(await inbound()).toBe(before);
    });

    describe('an agent reply on day 3', () => {
      /** The customer writes, the bot answers; 72 hours later an agent's reply is queued (the clock moves). */
      async function agentReplyOnDay3(psid: string, mid: string, channelId: string) {
        expect((await customerWrites(psid, mid, 'Can I pay with PayPal?', channelId)).status).toBe(200);
        await until(s.t, async () => (await replyTo(mid, channelId))?.delivery?.status === 'sent');
        const before = s.peer.calls.filter((c) => c.to === psid).length;
        s.clock.advance(72 * HOUR);
        const message = await agentReplies(s.t, channelId, mid, [{ type: 'text', text: 'Sorry for the wait: yes, PayPal works.' }], s.clock.now(), [s.peer]);
        return { message, calls: s.peer.calls.filter((c) => c.to === psid).slice(before) };
      }

      it('goes out with the HUMAN_AGENT tag when enabled', async () => {
        const { message, calls } = await agentReplyOnDay3(`${kind}-PSID-10`, 'm_day3_1', mainChannelId);
        expect(calls).toHaveLength(1);
        expect(calls[0]!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
        expect(calls[0]!.status).toBe(200);
        expect(message.delivery).toMatchObject({ status: 'sent', externalIds: [calls[0]!.answer.message_id] });
      });

      it('is refused (rejected:window_closed, no call) when the tag is not enabled', async () => {
        const { message, calls } = await agentReplyOnDay3(`${kind}-PSID-11`, 'm_day3_2', noTagChannelId);
        expect(calls).toEqual([]);
        expect(message.delivery).toMatchObject({ status: 'failed', error: { code: 'rejected:window_closed', retryable: false } });
      });
    });
  });
});
