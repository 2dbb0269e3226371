import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { inboundDedupeKey } from '../../conversations/messages';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { TelegramPeer } from '../support/telegram-peer';
import { until } from '../support/until';
import { agentReplies, AGENT_FILES } from '../support/agent-reply';
import { adapterContract } from './adapter-contract';

const CHANNEL_ID = 'telegram-test';

/** A gateway with a Telegram channel whose Bot API is the local fake. The bot token and the secret are made up here. */
async function startTelegram(name: string): Promise<{ t: TestGateway; peer: TelegramPeer; secret: string; webhook: string }> {
  const botToken = `123456:${randomBytes(12).toString('hex')}`;
  const secret = randomBytes(16).toString('hex');
  const peer = await new TelegramPeer(botToken).start();
  const t = await startTestGateway(name);
  await t.gateway.store.channels.ensure({
    id: CHANNEL_ID,
    kind: 'telegram',
    name: 'Test Telegram',
    settings: { apiBase: peer.url, botUsername: peer.bot.username },
    secrets: { botToken, secretToken: secret },
  });
  return { t, peer, secret, webhook: `${t.url}/webhooks/${CHANNEL_ID}` };
}

/** Telegram's ids are numbers: each contact gets a private chat id, each contract message id a message_id. */
const numbers = () => {
  const known = new Map<string, number>();
  return (key: string, base: number) => {
    if (!known.has(key)) known.set(key, base + known.size + 1);
    return known.get(key)!;
  };
};
const chatIds = numbers();
const messageIds = numbers();
const chatOf = (contactId: string) => chatIds(contactId, 500_000);
let updateSeq = 9_000_000;

function privateUpdate(contactId: string, messageKey: string, text: string, from: Record<string, unknown> = {}) {
  const chat = chatOf(contactId);
  return {
    update_id: ++updateSeq,
    message: {
      message_id: messageIds(messageKey, 100),
      from: { id: chat, is_bot: false, first_name: 'Ada', last_name: 'L', username: `u${chat}`, ...from },
      chat: { id: chat, type: 'private', first_name: 'Ada' },
      date: Math.floor(Date.now() / 1000),
      text,
    },
  };
}

adapterContract('Telegram', async () => {
  const { t, peer, secret, webhook } = await startTelegram('contract_telegram');
  const platformIds = new Map<string, string>();
  return {
    t,
    driver: {
      channelId: CHANNEL_ID,
      unknownPayload: 'ack',
      peer,
      deliver: async ({ externalId, contactId, text, badSignature }) => {
        const update = privateUpdate(contactId, externalId, text);
        platformIds.set(externalId, `${update.message.chat.id}:${update.message.message_id}`);
        return (await peer.deliver(webhook, badSignature ? `${secret}x` : secret, update)).status;
      },
      deliverUnknown: async () =>
        (await peer.deliver(webhook, secret, { update_id: ++updateSeq, my_chat_member: { chat: { id: 1, type: 'private' }, from: { id: 1, is_bot: false, first_name: 'A' }, date: 1 } })).status,
      deliverSelf: async ({ externalId, contactId, text }) =>
        (await peer.deliver(webhook, secret, privateUpdate(contactId, externalId, text, { id: peer.bot.id, is_bot: true, username: peer.bot.username, first_name: 'Switchboard' }))).status,
      platformId: (contractId) => platformIds.get(contractId) ?? contractId,
      repliesTo: (contactId) => peer.sent(chatOf(contactId)).length,
      close: () => peer.stop(),
    },
  };
});

describe('Telegram channel', () => {
  let t: TestGateway;
  let peer: TelegramPeer;
  let secret: string;
  let webhook: string;

  beforeAll(async () => {
    ({ t, peer, secret, webhook } = await startTelegram('telegram_channel'));
  });
  afterAll(async () => {
    await peer.stop();
    await t.stop();
  });

  const messages = () => t.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID });
  const inboundOf = (externalId: string) => t.gateway.store.models.Message.findOne({ dedupeKey: inboundDedupeKey(CHANNEL_ID, externalId) }).lean();
  const replyTo = async (externalId: string) => {
    const inbound = await inboundOf(externalId);
    return inbound ? t.gateway.store.models.Message.findOne({ replyTo: inbound._id }).lean() : null;
  };
  const idOf = (update: ReturnType<typeof privateUpdate>) => `${update.message.chat.id}:${update.message.message_id}`;

  it('answers a private message with sendMessage to that chat, in Telegram HTML with the citation as a link', async () => {
    const update = privateUpdate('ada', 'pm-1', 'How do I start a return?');
    const res = await peer.deliver(webhook, secret, update);
    expect(res.status).toBe(200);
    const chat = update.message.chat.id;
    const [call] = await until(t, async () => peer.sent(chat).length > 0 && peer.sent(chat), [peer]);
    expect(call!.params).toMatchObject({ chat_id: String(chat), parse_mode: 'HTML' });
    expect(call!.params.message_thread_id).toBeUndefined();
    const text = String(call!.params.text);
    expect(text).toMatch(/return/i);
    expect(text).not.toMatch(/<br/i);
    expect(text).toMatch(/Sources:\n1\. <a href="https:\/\/help\.example\/[^"]+">[^<]*Return[^<]*<\/a>/);
    await until(t, async () => (await replyTo(idOf(update)))?.delivery?.status === 'sent');
    const reply = await replyTo(idOf(update));
    expect(reply?.delivery?.externalIds).toEqual([`${chat}:${call!.answer.result && (call!.answer.result as { message_id: number }).message_id}`]);
    const inbound = await inboundOf(idOf(update));
    expect(inbound?.parts).toEqual([{ type: 'text', text: 'How do I start a return?' }]);
  });

  it('sends an agent\'s files by URL with sendDocument and sendPhoto after the text', async () => {
    const update = privateUpdate('fay', 'pm-files', 'How do I start a return?');
    expect((await peer.deliver(webhook, secret, update)).status).toBe(200);
    await until(t, async () => (await replyTo(idOf(update)))?.delivery?.status === 'sent');
    const chat = String(update.message.chat.id);
    const before = peer.calls.length;
    const reply = await agentReplies(t, CHANNEL_ID, idOf(update), AGENT_FILES);
    expect(reply.delivery?.status).toBe('sent');
    const calls = peer.calls.slice(before).filter((c) => String(c.params.chat_id) === chat);
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'sendDocument', 'sendPhoto']);
    expect(String(calls[0]!.params.text)).toContain('customer-photo.png: attachment:0');
    expect(calls[1]!.params).toMatchObject({ document: 'https://cdn.shop.example/labels/R-1042.pdf' });
    expect(calls[2]!.params).toMatchObject({ photo: 'https://cdn.shop.example/howto/label.jpg', caption: 'On the flap, please' });
    expect(reply.delivery?.externalIds).toHaveLength(3);
  });

  it('serves a customer\'s photo to agents through a signed link, fetched with getFile and the bot token', async () => {
    const update = privateUpdate('gus', 'pm-photo', '');
    const bytes = Buffer.from('telegram photo bytes');
    peer.files.set('PHOTO-BIG', bytes);
    const message = { ...update.message, text: undefined, caption: 'dented', photo: [{ file_id: 'PHOTO-SMALL', file_unique_id: 's', width: 90, height: 90 }, { file_id: 'PHOTO-BIG', file_unique_id: 'b', width: 800, height: 800, file_size: bytes.length }] };
    expect((await peer.deliver(webhook, secret, { ...update, message })).status).toBe(200);
    const stored = await until(t, async () => inboundOf(idOf(update)));
    const index = stored.parts.findIndex((p) => p.type === 'media');
    expect(stored.parts[index]).toMatchObject({ type: 'media', url: 'telegram-file:PHOTO-BIG', mimeType: 'image/jpeg' });
    const res = await fetch(`${t.url}/media/${t.gateway.deps.mediaLinks.token({ messageId: String(stored._id), index }, new Date())}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await res.arrayBuffer()).equals(bytes)).toBe(true);
    expect(peer.callsOf('getFile').at(-1)?.params).toMatchObject({ file_id: 'PHOTO-BIG' });
  });

  it('turns a redelivered update into one message and one reply', async () => {
    const update = privateUpdate('redeliver', 'again-1', 'How do I return an item?');
    const chat = update.message.chat.id;
    expect((await peer.deliver(webhook, secret, update)).status).toBe(200);
    // Telegram redelivers the identical update when our 200 got lost.
    expect((await peer.deliver(webhook, secret, update)).status).toBe(200);
    // A second message drains the conversation's queue behind the duplicate: two replies in all, not three.
    const next = privateUpdate('redeliver', 'again-2', 'Can I pay with PayPal?');
    expect((await peer.deliver(webhook, secret, next)).status).toBe(200);
    await until(t, async () => peer.sent(chat).length >= 2 && (await replyTo(idOf(next)))?.delivery?.status === 'sent' && (await replyTo(idOf(update)))?.delivery?.status === 'sent', [peer]);
    expect(await t.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID, dedupeKey: inboundDedupeKey(CHANNEL_ID, idOf(update)) })).toBe(1);
    await until(t, async () => (await t.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID, 'delivery.status': 'queued' })) === 0);
    expect(peer.sent(chat)).toHaveLength(2);
  });

  it('stores a button press as an action and answers the callback query in the webhook response', async () => {
    const chat = chatOf('clicker');
    const press = {
      update_id: ++updateSeq,
      callback_query: {
        id: 'cq-4711',
        from: { id: chat, is_bot: false, first_name: 'Cleo' },
        chat_instance: '-1',
        data: 'How do I start a return?',
        message: {
          message_id: 9,
          from: { ...peer.bot, is_bot: true },
          chat: { id: chat, type: 'private' },
          date: Math.floor(Date.now() / 1000),
          text: 'Which one?',
          reply_markup: { inline_keyboard: [[{ text: 'Returns', callback_data: 'How do I start a return?' }]] },
        },
      },
    };
    expect((await peer.deliver(webhook, `${secret}x`, press)).status).toBe(401);
    expect(peer.callsOf('answerCallbackQuery')).toHaveLength(0);
    const res = await peer.deliver(webhook, secret, press);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: 'answerCallbackQuery', callback_query_id: 'cq-4711' });
    expect(peer.callsOf('answerCallbackQuery')).toMatchObject([{ ok: true, via: 'webhook-response', params: { callback_query_id: 'cq-4711' } }]);
    const stored = await inboundOf('cq:cq-4711');
    expect(stored).toMatchObject({ actionValue: 'How do I start a return?' });
    await until(t, async () => peer.sent(chat).length > 0, [peer]);
  });

  it('ignores a group message that does not address the bot, and answers a mention in its forum topic', async () => {
    const group = -1001234567890;
    const base = { chat: { id: group, type: 'supergroup', title: 'Shop fans', is_forum: true }, from: { id: 4242, is_bot: false, first_name: 'Bo' }, date: Math.floor(Date.now() / 1000) };
    const before = await messages();
    const chatter = { update_id: ++updateSeq, message: { ...base, message_id: 31, text: 'anyone know how returns work?' } };
    const res = await peer.deliver(webhook, secret, chatter);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, events: 1, stored: 0 });
    expect(await messages()).toBe(before);

    const text = `@${peer.bot.username} How do I start a return?`;
    const mention = {
      update_id: ++updateSeq,
      message: { ...base, message_id: 32, message_thread_id: 7, is_topic_message: true, text, entities: [{ type: 'mention', offset: 0, length: peer.bot.username.length + 1 }] },
    };
    expect((await peer.deliver(webhook, secret, mention)).status).toBe(200);
    const [call] = await until(t, async () => peer.sent(group).length > 0 && peer.sent(group), [peer]);
    expect(call!.params).toMatchObject({ chat_id: String(group), message_thread_id: 7 });
    expect((await inboundOf(`${group}:32`))?.parts).toEqual([{ type: 'text', text: 'How do I start a return?' }]);
    expect(peer.sent(group)).toHaveLength(1);
  });

  it('retries a rate-limited sendMessage after retry_after, then delivers', async () => {
    const update = privateUpdate('busy', 'busy-1', 'Which payment methods do you accept?');
    const chat = update.message.chat.id;
    peer.rateLimit('sendMessage', 1, chat);
    const retry = Promise.race(t.gateway.deliverers.map((d) => once(d, 'retry')));
    expect((await peer.deliver(webhook, secret, update)).status).toBe(200);
    const [, error, delayMs] = (await retry) as [unknown, { code: string }, number];
    expect(error.code).toBe('rate_limited:tg_429');
    expect(delayMs).toBeGreaterThanOrEqual(1000);
    await until(t, async () => peer.sent(chat).length > 0, [peer]);
    const calls = peer.callsOf('sendMessage').filter((c) => String(c.params.chat_id) === String(chat));
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    await until(t, async () => (await replyTo(idOf(update)))?.delivery?.status === 'sent');
  });

  it('records "bot was blocked by the user" (403) as a failed delivery, without retrying', async () => {
    const update = privateUpdate('gone', 'gone-1', 'How do I start a return?');
    const chat = update.message.chat.id;
    peer.blocked(chat);
    const failed = Promise.race(t.gateway.deliverers.map((d) => once(d, 'failed')));
    expect((await peer.deliver(webhook, secret, update)).status).toBe(200);
    await failed;
    await until(t, async () => (await replyTo(idOf(update)))?.delivery?.status === 'failed');
    const reply = await replyTo(idOf(update));
    expect(reply?.delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'rejected:tg_403', retryable: false } });
    expect(JSON.stringify(reply?.delivery?.error)).toMatch(/bot was blocked by the user/);
    expect(peer.callsOf('sendMessage').filter((c) => String(c.params.chat_id) === String(chat))).toHaveLength(1);
  });

  it('rejects a wrong or missing secret token with 401 and stores nothing', async () => {
    const before = await messages();
    expect((await peer.deliver(webhook, 'not-the-secret', privateUpdate('intruder', 'in-1', 'hi'))).status).toBe(401);
    expect((await peer.deliver(webhook, undefined, privateUpdate('intruder', 'in-2', 'hi'))).status).toBe(401);
    expect(await messages()).toBe(before);
  });

  it('answers malformed JSON with 400 (only behind the secret) and keeps serving', async () => {
    const before = await messages();
    expect((await peer.deliver(webhook, secret, '{"update_id": 1, "message": ')).status).toBe(400);
    expect((await peer.deliver(webhook, 'wrong', '{not json')).status).toBe(401);
    expect(await messages()).toBe(before);
    expect((await fetch(`${t.url}/health`)).status).toBe(200);
  });
});
