import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTelegramAdapter } from '../../adapters/telegram';
import { fromTelegramResponse } from '../../adapters/telegram/errors';
import { LABEL_CHOICE_PREFIX, toInlineKeyboard } from '../../adapters/telegram/keyboard';
import { parseTelegramRequest } from '../../adapters/telegram/parse';
import { verifyTelegramSecret } from '../../adapters/telegram/signature';
import { AdapterError, type ChannelInstance, type RawRequest, type RenderedMessage } from '../../adapters/types';

const BOT = 'shop_bot';
const self = { botUsername: BOT };

function req(body: unknown, headers: Record<string, string> = {}): RawRequest {
  return { method: 'POST', path: '/webhooks/tg', headers, query: {}, rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) };
}
const ada = { id: 42, is_bot: false, first_name: 'Ada', last_name: 'Lovelace', username: 'ada' };
function message(over: Record<string, unknown> = {}) {
  return { message_id: 10, from: ada, chat: { id: 42, type: 'private' }, date: 1_900_000_000, text: 'Where is my order?', ...over };
}
const parse = (update: unknown, s: { botUsername?: string } = self) => parseTelegramRequest(req(update), s);
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../fixtures/channels/telegram', name), 'utf8'));
const group = { id: -100500, type: 'supergroup', title: 'Fans' };

describe('parseTelegramRequest', () => {
  it('turns a private message into a message event keyed by chat and message id (so redeliveries dedupe)', () => {
    const update = { update_id: 1, message: message() };
    expect(parse(update)).toEqual([
      {
        kind: 'message',
        externalId: '42:10',
        from: { externalId: '42', displayName: 'Ada Lovelace', handle: 'ada' },
        address: { to: '42' },
        parts: [{ type: 'text', text: 'Where is my order?' }],
        sentAt: new Date(1_900_000_000 * 1000),
        isSelf: false,
        raw: update,
      },
    ]);
    // The same message in another update envelope is the same event.
    expect(parse({ update_id: 2, message: message() })[0]).toMatchObject({ externalId: '42:10' });
  });

  it('flags the bot itself as isSelf and drops other bots', () => {
    expect(parse({ update_id: 1, message: message({ from: { id: 7, is_bot: true, first_name: 'Shop', username: 'Shop_Bot' } }) })[0]).toMatchObject({ kind: 'message', isSelf: true });
    expect(parse({ update_id: 1, message: message({ from: { id: 8, is_bot: true, first_name: 'Other', username: 'other_bot' } }) })[0]).toMatchObject({ kind: 'unsupported', reason: 'message from another bot' });
  });

  it('takes group messages only when they mention or reply to the bot, mention stripped', () => {
    expect(parse({ update_id: 1, message: message({ chat: group, text: 'hello all' }) })[0]).toMatchObject({ kind: 'unsupported' });
    const text = `hey @${BOT} where is my order?`;
    const mentioned = parse({ update_id: 1, message: message({ chat: group, text, entities: [{ type: 'mention', offset: 4, length: BOT.length + 1 }] }) })[0];
    expect(mentioned).toMatchObject({ kind: 'message', externalId: '-100500:10', address: { to: '-100500' }, parts: [{ type: 'text', text: 'hey where is my order?' }] });
    const reply = parse({ update_id: 1, message: message({ chat: group, text: 'thanks, and the invoice?', reply_to_message: message({ from: { id: 7, is_bot: true, username: BOT } }) }) })[0];
    expect(reply).toMatchObject({ kind: 'message', parts: [{ type: 'text', text: 'thanks, and the invoice?' }] });
    expect(parse({ update_id: 1, message: message({ chat: group, text: `/help@${BOT}` }) })[0]).toMatchObject({ kind: 'message', parts: [{ type: 'text', text: '/help' }] });
    // Without knowing its own username the adapter cannot tell: groups are ignored.
    expect(parse({ update_id: 1, message: message({ chat: group, text, entities: [{ type: 'mention', offset: 4, length: BOT.length + 1 }] }) }, {})[0]).toMatchObject({ kind: 'unsupported' });
  });

  it('strips the bot’s @handle in private chats too (typed, or added to a command picked from the list)', () => {
    const typed = parse(fixture('private-handle.json'))[0];
    expect(typed).toMatchObject({ kind: 'message', parts: [{ type: 'text', text: 'where is my parcel?' }] });
    expect(parse(fixture('private-command-handle.json'))[0]).toMatchObject({ kind: 'message', parts: [{ type: 'text', text: '/start' }] });
    // Another handle is the customer's words.
    expect(parse({ update_id: 1, message: message({ text: 'ask @shop_bot_fan or @ada' }) })[0]).toMatchObject({ parts: [{ type: 'text', text: 'ask @shop_bot_fan or @ada' }] });
  });

  it('addresses forum topics by message_thread_id, but not plain reply threads', () => {
    const text = `@${BOT} hi`;
    const entities = [{ type: 'mention', offset: 0, length: BOT.length + 1 }];
    expect(parse({ update_id: 1, message: message({ chat: group, text, entities, message_thread_id: 3, is_topic_message: true }) })[0]).toMatchObject({ address: { to: '-100500', threadId: '3' } });
    expect((parse({ update_id: 1, message: message({ chat: group, text, entities, message_thread_id: 3 }) })[0] as { address: object }).address).toEqual({ to: '-100500' });
  });

  it('turns photos, documents and voice notes into media parts by file id, caption as text', () => {
    const update = {
      update_id: 1,
      message: message({
        text: undefined,
        caption: 'the broken part',
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 90, file_size: 1000 },
          { file_id: 'large', file_unique_id: 'l', width: 1280, height: 1280, file_size: 90000 },
        ],
      }),
    };
    expect(parse(update)[0]).toMatchObject({
      kind: 'message',
      parts: [
        { type: 'text', text: 'the broken part' },
        { type: 'media', url: 'telegram-file:large', mimeType: 'image/jpeg', sizeBytes: 90000 },
      ],
    });
    const doc = parse({ update_id: 2, message: message({ text: undefined, document: { file_id: 'doc1', file_name: 'invoice.pdf', mime_type: 'application/pdf', file_size: 12 } }) })[0];
    expect(doc).toMatchObject({ parts: [{ type: 'media', url: 'telegram-file:doc1', mimeType: 'application/pdf', name: 'invoice.pdf', sizeBytes: 12 }] });
    const voice = parse({ update_id: 3, message: message({ text: undefined, voice: { file_id: 'v1', duration: 3, mime_type: 'audio/ogg' } }) })[0];
    expect(voice).toMatchObject({ parts: [{ type: 'media', url: 'telegram-file:v1', mimeType: 'audio/ogg' }] });
  });

  it('turns a callback query into an action with the button title, keyed by the query id', () => {
    const update = {
      update_id: 5,
      callback_query: {
        id: 'q1',
        from: ada,
        data: 'refund',
        message: message({ from: { id: 7, is_bot: true, username: BOT }, reply_markup: { inline_keyboard: [[{ text: 'Refund', callback_data: 'refund' }]] } }),
      },
    };
    expect(parse(update)).toEqual([
      { kind: 'action', externalId: 'cq:q1', from: { externalId: '42', displayName: 'Ada Lovelace', handle: 'ada' }, address: { to: '42' }, value: 'refund', title: 'Refund', sentAt: expect.any(Date), raw: update },
    ]);
  });

  it('turns a press of a label-mapped choice into the customer saying the button title', () => {
    const keyboard = toInlineKeyboard([{ id: 'x'.repeat(80), title: 'The long one' }])!;
    const data = keyboard.inline_keyboard[0]![0]!.callback_data!;
    expect(data).toBe(`${LABEL_CHOICE_PREFIX}0`);
    const update = { update_id: 6, callback_query: { id: 'q2', from: ada, data, message: message({ reply_markup: keyboard }) } };
    expect(parse(update)[0]).toMatchObject({ kind: 'message', externalId: 'cq:q2', parts: [{ type: 'text', text: 'The long one' }], isSelf: false });
    expect(parse({ ...update, callback_query: { ...update.callback_query, message: message() } })[0]).toMatchObject({ kind: 'unsupported' });
  });

  it.each([
    ['edited messages', { update_id: 1, edited_message: message() }],
    ['channel posts', { update_id: 1, channel_post: message({ chat: { id: -1001, type: 'channel' } }) }],
    ['membership changes', { update_id: 1, my_chat_member: { chat: { id: 1 } } }],
    ['callback queries from inline messages', { update_id: 1, callback_query: { id: 'q', from: ada, inline_message_id: 'im', data: 'x' } }],
    ['stickers', { update_id: 1, message: message({ text: undefined, sticker: { file_id: 's' } }) }],
    ['not an update', { hello: 'world' }],
    ['malformed JSON', '{"update_id":'],
    ['wrongly typed fields', { update_id: 1, message: { message_id: 1, chat: { id: 1, type: 'private' }, from: ada, date: 1, text: 5, entities: 'x' } }],
    ['a string chat', { update_id: 1, message: { message_id: 1, chat: 'x', from: ada, date: 1, text: 'hi' } }],
  ])('leaves %s unsupported without throwing', (_label, body) => {
    const events = parseTelegramRequest(req(body), self);
    expect(events).toHaveLength(1);
    expect(events[0]!.kind).toBe('unsupported');
  });
});

describe('verifyTelegramSecret', () => {
  const body = { update_id: 1, message: message() };
  it('accepts the secret token and rejects a missing or wrong one as bad_signature', () => {
    expect(() => verifyTelegramSecret('s3cret', req(body, { 'x-telegram-bot-api-secret-token': 's3cret' }))).not.toThrow();
    for (const headers of [{} as Record<string, string>, { 'x-telegram-bot-api-secret-token': 's3cre' }, { 'x-telegram-bot-api-secret-token': 's3cret!' }]) {
      expect(() => verifyTelegramSecret('s3cret', req(body, headers))).toThrow(expect.objectContaining({ code: 'bad_signature' }));
    }
    // No configured secret accepts nothing.
    expect(() => verifyTelegramSecret('', req(body, { 'x-telegram-bot-api-secret-token': '' }))).toThrow(expect.objectContaining({ code: 'bad_signature' }));
  });
  it('rejects an authentic but malformed body as bad_request', () => {
    expect(() => verifyTelegramSecret('s3cret', req('{nope', { 'x-telegram-bot-api-secret-token': 's3cret' }))).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });
});

describe('inline keyboards', () => {
  it('keeps ids that fit 64 bytes and maps the rest (too long in bytes, empty, duplicate) to their position', () => {
    const keyboard = toInlineKeyboard([
      { id: 'refund', title: 'Refund' },
      { id: 'é'.repeat(33), title: 'Too many bytes' },
      { id: 'a'.repeat(64), title: 'Exactly 64' },
      { id: '', title: 'Empty' },
      { id: 'refund', title: 'Again' },
    ])!;
    expect(keyboard.inline_keyboard.map((row) => row[0]!.callback_data)).toEqual(['refund', 'sb-label:1', 'a'.repeat(64), 'sb-label:3', 'sb-label:4']);
    expect(toInlineKeyboard([])).toBeUndefined();
  });
});

describe('fromTelegramResponse', () => {
  it('maps 429 with retry_after, 5xx, and 400/403 to the port errors', () => {
    const limited = fromTelegramResponse(429, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 5', parameters: { retry_after: 5 } }, null, 'sendMessage');
    expect(limited).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 5000 });
    expect(fromTelegramResponse(502, undefined, null, 'sendMessage')).toMatchObject({ code: 'unavailable', retryable: true });
    const blocked = fromTelegramResponse(403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }, null, 'sendMessage');
    expect(blocked).toMatchObject({ code: 'rejected', retryable: false, options: { platformCode: 'tg_403' } });
    expect(blocked.message).toMatch(/bot was blocked by the user/);
    expect(fromTelegramResponse(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }, null, 'sendMessage')).toMatchObject({ code: 'rejected', options: { platformCode: 'tg_400' } });
  });
});

describe('createTelegramAdapter send', () => {
  const channel: ChannelInstance = { id: 'tg', kind: 'telegram', name: 'TG', settings: { apiBase: 'http://tg.invalid/' }, secrets: { botToken: '1:abc', secretToken: 's' } };
  const rendered = (over: Partial<RenderedMessage> = {}): RenderedMessage => ({ text: '<b>Hi</b><br>there', format: 'html', parts: [], authorKind: 'bot', messageId: 'm1', conversationId: 'c1', chunkIndex: 0, ...over });

  it('posts sendMessage as JSON with HTML (newlines for <br>), the topic, and choices as an inline keyboard', async () => {
    const seen: Array<{ url: string; body: Record<string, unknown> }> = [];
    const fakeFetch = (async (url: string, init: RequestInit) => {
      seen.push({ url, body: JSON.parse(String(init.body)) as Record<string, unknown> });
      return new Response(JSON.stringify({ ok: true, result: { message_id: 99, chat: { id: -100500 }, date: 1 } }), { status: 200 });
    }) as unknown as typeof fetch;
    const adapter = createTelegramAdapter(channel, { timeoutMs: 1000, fetch: fakeFetch });
    const receipt = await adapter.send({ to: '-100500', threadId: '3' }, rendered({ choices: [{ id: 'yes', title: 'Yes' }] }));
    expect(receipt).toEqual({ status: 'sent', externalId: '-100500:99' });
    expect(seen[0]!.url).toBe('http://tg.invalid/bot1:abc/sendMessage');
    expect(seen[0]!.body).toMatchObject({ chat_id: '-100500', text: '<b>Hi</b>\nthere', parse_mode: 'HTML', message_thread_id: 3, reply_markup: { inline_keyboard: [[{ text: 'Yes', callback_data: 'yes' }]] } });
  });

  it('turns network failures and timeouts into unavailable, without the token in the message', async () => {
    const refused = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const hanging = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => init.signal!.addEventListener('abort', () => reject(init.signal!.reason)))) as unknown as typeof fetch;
    for (const f of [refused, hanging]) {
      const error = await createTelegramAdapter(channel, { timeoutMs: 50, fetch: f })
        .send({ to: '42' }, rendered())
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AdapterError);
      expect(error).toMatchObject({ code: 'unavailable', retryable: true });
      expect((error as Error).message).not.toContain('1:abc');
    }
  });

  it('answers a callback query in the webhook acknowledgement, and nothing else', () => {
    const adapter = createTelegramAdapter(channel, { timeoutMs: 1000 });
    const press = parseTelegramRequest(req({ update_id: 1, callback_query: { id: 'q9', from: ada, data: 'x', message: message() } }), self);
    expect(adapter.ackBody?.(press)).toEqual({ method: 'answerCallbackQuery', callback_query_id: 'q9' });
    // Even a press we cannot use stops spinning.
    expect(adapter.ackBody?.(parseTelegramRequest(req({ update_id: 1, callback_query: { id: 'q10', from: ada, message: message() } }), self))).toEqual({ method: 'answerCallbackQuery', callback_query_id: 'q10' });
    expect(adapter.ackBody?.(parseTelegramRequest(req({ update_id: 2, message: message() }), self))).toBeUndefined();
  });
});
