import { randomBytes } from 'node:crypto';
import { INBOUND_TEXT_MAX_CHARS, serializeRaw, RAW_MAX_BYTES } from '../../conversations/raw-budget';
import { inboundDedupeKey } from '../../conversations/messages';
import { startTestGateway, postMessage, type TestGateway } from '../support/gateway';
import { metaSignature, postToMetaWebhook, waText, waWebhook } from '../support/meta-peer';

const TELEGRAM = 'telegram-budget';
const WHATSAPP = 'wa-budget';
const SECRET_TOKEN = randomBytes(16).toString('hex');
const APP_SECRET = randomBytes(16).toString('hex');

/** `{"a":{"a":…1…}}`, `levels` deep, built as text: the test's own JSON.stringify would overflow on it. */
function deepJson(levels: number): string {
  return '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);
}

function deepValue(levels: number): unknown {
  return JSON.parse(deepJson(levels));
}

let updateId = 70_000;
function telegramUpdate(chatId: number, text: string, extraJson?: string): string {
  const base = JSON.stringify({
    update_id: ++updateId,
    message: { message_id: updateId, from: { id: chatId, is_bot: false, first_name: 'Eve' }, chat: { id: chatId, type: 'private' }, date: 1_700_000_000, text },
  });
  // The extra field goes inside `message`, where a parser that keeps the whole update as raw would carry it.
  return extraJson ? base.replace(/}}$/, `,"extra":${extraJson}}}`) : base;
}

describe('payload budget: pathological bodies are refused or summarised before anything is stored', () => {
  let t: TestGateway;

  beforeAll(async () => {
    // No workers: what is asserted is what ingest stored, not the replies.
    t = await startTestGateway('payload_budget', { startWorkers: false, env: { WEBHOOK_MAX_EVENTS: '3' } });
    await t.gateway.store.channels.ensure({
      id: TELEGRAM,
      kind: 'telegram',
      name: 'Budget Telegram',
      settings: { apiBase: 'http://127.0.0.1:9', botUsername: 'budget_bot' },
      secrets: { botToken: `1:${randomBytes(8).toString('hex')}`, secretToken: SECRET_TOKEN },
    });
    await t.gateway.store.channels.ensure({
      id: WHATSAPP,
      kind: 'whatsapp',
      name: 'Budget WhatsApp',
      settings: { graphBase: 'http://127.0.0.1:9', phoneNumberId: '555' },
      secrets: { appSecret: APP_SECRET, verifyToken: 'v', accessToken: 'EAAG-x' },
    });
  });
  afterAll(() => t.stop());

  const counts = async () => {
    const m = t.gateway.store.models;
    const [contacts, identities, conversations, messages, jobs] = await Promise.all([
      m.Contact.countDocuments(),
      m.Identity.countDocuments(),
      m.Conversation.countDocuments(),
      m.Message.countDocuments(),
      m.Job.countDocuments(),
    ]);
    return { contacts, identities, conversations, messages, jobs };
  };
  const nothing = { contacts: 0, identities: 0, conversations: 0, messages: 0, jobs: 0 };
  const postTelegram = (body: string) =>
    fetch(`${t.url}/webhooks/${TELEGRAM}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET_TOKEN }, body });

  afterEach(async () => {
    const m = t.gateway.store.models;
    await Promise.all([m.Contact, m.Identity, m.Conversation, m.Message, m.Job].map((model) => (model as typeof m.Message).deleteMany({})));
  });

  it('a signed Telegram update carrying 10,000 levels of nesting is a 400 payload_too_deep, and nothing is stored', async () => {
    const res = await postTelegram(telegramUpdate(910_001, 'hello', deepJson(10_000)));
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('payload_too_deep');
    expect(await counts()).toEqual(nothing);
    // The server keeps running: the next ordinary update is stored.
    expect((await postTelegram(telegramUpdate(910_001, 'hello again'))).status).toBe(200);
    expect((await counts()).messages).toBe(1);
  });

  it('a signed WhatsApp body 10,000 arrays deep is refused the same way (not a 500 from a parser)', async () => {
    const body = '['.repeat(10_000) + ']'.repeat(10_000);
    const res = await fetch(`${t.url}/webhooks/${WHATSAPP}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(APP_SECRET, body) }, body });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('payload_too_deep');
  });

  it('brackets inside strings do not count as nesting', async () => {
    const res = await postTelegram(telegramUpdate(910_002, `${'{['.repeat(5_000)} not nested`));
    expect(res.status).toBe(200);
    expect((await counts()).messages).toBe(1);
  });

  it('the HTTP API answers 400 payload_too_deep for a 10,000-level body and stores nothing', async () => {
    const body = `{"id":"deep-1","contact":{"id":"c-deep"},"text":"hi","extra":${deepJson(10_000)}}`;
    const res = await postMessage(t, body);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('payload_too_deep');
    expect(await counts()).toEqual(nothing);
  });

  it('a raw payload over the size budget is stored as a summary; the message keeps its text', async () => {
    const big = JSON.stringify('x'.repeat(RAW_MAX_BYTES));
    const res = await postTelegram(telegramUpdate(910_003, 'big one', big));
    expect(res.status).toBe(200);
    const stored = await t.gateway.store.models.Message.findOne({ channelId: TELEGRAM }).lean();
    expect(stored!.text).toBe('big one');
    expect(JSON.parse(stored!.raw!)).toEqual({ truncated: true, reason: 'too_large', bytes: expect.any(Number) });
  });

  it('events arriving over a connection (no HTTP answer) with a 10,000-level raw are stored whole, raw summarised', async () => {
    // Discord's gateway, Slack Socket Mode, WhatsApp Web and IMAP hand events straight to the inbound router.
    const channel = (await t.gateway.store.channels.get(t.api.channelId))!;
    const result = await t.gateway.deps.inbound.ingest(channel, {
      kind: 'message',
      externalId: 'conn-deep-1',
      from: { externalId: 'conn-visitor' },
      address: { to: 'conn-visitor' },
      parts: [{ type: 'text', text: 'from a socket' }],
      sentAt: new Date(),
      isSelf: false,
      raw: deepValue(10_000),
    });
    expect(result.kind).toBe('message');
    expect(await counts()).toEqual({ contacts: 1, identities: 1, conversations: 1, messages: 1, jobs: 1 });
    const stored = await t.gateway.store.models.Message.findOne({ dedupeKey: inboundDedupeKey(t.api.channelId, 'conn-deep-1') }).lean();
    expect(stored!.text).toBe('from a socket');
    expect(JSON.parse(stored!.raw!)).toEqual({ truncated: true, reason: 'too_deep' });
  });

  it('a message whose text no document can hold (an email of 9 MB of text) is stored shortened, never half-written', async () => {
    // Text is kept twice (parts and the searchable text): 18 MB would pass MongoDB's 16 MB document limit.
    const channel = (await t.gateway.store.channels.get(t.api.channelId))!;
    const text = 'spam '.repeat(1_800_000);
    const result = await t.gateway.deps.inbound.ingest(channel, {
      kind: 'message',
      externalId: 'huge-text-1',
      from: { externalId: 'huge-sender' },
      address: { to: 'huge-sender' },
      parts: [{ type: 'text', text }],
      sentAt: new Date(),
      isSelf: false,
      raw: { text },
    });
    expect(result.kind).toBe('message');
    expect(await counts()).toEqual({ contacts: 1, identities: 1, conversations: 1, messages: 1, jobs: 1 });
    const stored = await t.gateway.store.models.Message.findOne({ dedupeKey: inboundDedupeKey(t.api.channelId, 'huge-text-1') }).lean();
    expect(stored!.text.length).toBeLessThanOrEqual(INBOUND_TEXT_MAX_CHARS + 40);
    expect(stored!.text.startsWith('spam spam')).toBe(true);
    expect(stored!.text.endsWith('[message shortened]')).toBe(true);
  });

  it('a webhook with more events than WEBHOOK_MAX_EVENTS is a 413 too_many_events, and none of them is stored', async () => {
    const at = new Date();
    const messages = [1, 2, 3, 4].map((i) => (waText(`1555000${i}`, `wamid.cap${i}`, `m${i}`, at).messages as unknown[])[0]);
    const res = await postToMetaWebhook(`${t.url}/webhooks/${WHATSAPP}`, APP_SECRET, waWebhook('555', { messages }));
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe('too_many_events');
    expect(await counts()).toEqual(nothing);
    // At the cap, the batch is taken.
    const ok = await postToMetaWebhook(`${t.url}/webhooks/${WHATSAPP}`, APP_SECRET, waWebhook('555', { messages: messages.slice(0, 3) }));
    expect(ok.status).toBe(200);
    expect((await counts()).messages).toBe(3);
  });
});

describe('serializeRaw', () => {
  it('keeps ordinary payloads exactly, and never throws on cycles or BigInt', () => {
    expect(serializeRaw({ a: [1, { b: 'c' }] })).toBe('{"a":[1,{"b":"c"}]}');
    expect(serializeRaw(undefined)).toBe('null');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(JSON.parse(serializeRaw(cyclic)).truncated).toBe(true);
    expect(JSON.parse(serializeRaw({ n: 10n }))).toEqual({ truncated: true, reason: 'unserializable' });
    expect(JSON.parse(serializeRaw(deepValue(100_000)))).toEqual({ truncated: true, reason: 'too_deep' });
    // 64 levels is within the budget.
    expect(serializeRaw(deepValue(63))).toBe(deepJson(63));
  });
});
