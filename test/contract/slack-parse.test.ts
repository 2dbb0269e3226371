import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { webApi } from '@slack/bolt';
import { toSlackBlocks } from '../../adapters/slack/blocks';
import { fromSlackError } from '../../adapters/slack/errors';
import { slackToPlain } from '../../adapters/slack/markup';
import { parseSlackRequest } from '../../adapters/slack/parse';
import { verifySlackSignature } from '../../adapters/slack/signature';
import { AdapterError, type RawRequest, type RenderedMessage } from '../../adapters/types';

/** The pure halves of the Slack adapter, without a gateway. */
const json = (body: unknown, headers: Record<string, string> = {}): RawRequest => ({
  method: 'POST',
  path: '/webhooks/s',
  headers: { 'content-type': 'application/json', ...headers },
  query: {},
  rawBody: Buffer.from(JSON.stringify(body)),
});
const form = (payload: unknown): RawRequest => ({
  method: 'POST',
  path: '/webhooks/s',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  query: {},
  rawBody: Buffer.from(new URLSearchParams({ payload: JSON.stringify(payload) }).toString()),
});
/** An Events API body from test/fixtures/channels/slack, shaped like Slack's documented payloads. */
const fixture = (name: string): RawRequest => ({ ...json({}), rawBody: readFileSync(join(__dirname, '../fixtures/channels/slack', name)) });
const callback = (event: Record<string, unknown>) => json({ type: 'event_callback', event_id: 'Ev1', authorizations: [{ user_id: 'UBOT', is_bot: true }], event });

describe('verifySlackSignature', () => {
  const secret = 'shh';
  const now = new Date('2026-01-01T00:00:00Z');
  const signed = (body: string, ts: number, key = secret): RawRequest => ({
    method: 'POST',
    path: '/',
    query: {},
    rawBody: Buffer.from(body),
    headers: { 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', key).update(`v0:${ts}:${body}`).digest('hex')}` },
  });
  const t0 = now.getTime() / 1000;

  it('accepts a fresh, correct signature over the exact bytes', () => {
    expect(() => verifySlackSignature(secret, signed('{"a":1}', t0 - 299), now)).not.toThrow();
  });
  it.each([
    ['wrong secret', signed('{}', t0, 'other'), 'bad_signature'],
    ['old timestamp', signed('{}', t0 - 301), 'stale_signature'],
    ['future timestamp', signed('{}', t0 + 301), 'stale_signature'],
    ['no headers', { ...signed('{}', t0), headers: {} }, 'bad_signature'],
  ])('rejects %s', (_name, req, code) => {
    expect(() => verifySlackSignature(secret, req, now)).toThrow(expect.objectContaining({ code }));
  });
  it('rejects everything when the channel has no signing secret', () => {
    expect(() => verifySlackSignature('', signed('{}', t0, ''), now)).toThrow(AdapterError);
  });
});

describe('parseSlackRequest', () => {
  it('turns a DM into a message addressed to the DM, threaded only when the customer wrote in a thread', () => {
    const [top] = parseSlackRequest(callback({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'a &lt;b&gt; &amp; c', ts: '1.1' }), {});
    expect(top).toMatchObject({ kind: 'message', externalId: 'Ev1', from: { externalId: 'U1' }, address: { to: 'D1' }, parts: [{ type: 'text', text: 'a <b> & c' }], isSelf: false });
    expect(top).toHaveProperty('sentAt', new Date(1100));
    const [threaded] = parseSlackRequest(callback({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'hi', ts: '1.2', thread_ts: '1.1' }), {});
    expect(threaded).toMatchObject({ address: { to: 'D1', threadId: '1.1' } });
  });

  it('strips the leading bot mention and threads channel mentions under themselves', () => {
    const [event] = parseSlackRequest(callback({ type: 'app_mention', channel: 'C1', user: 'U1', text: '<@UBOT>: where is my order?', ts: '5.5' }), {});
    expect(event).toMatchObject({ kind: 'message', address: { to: 'C1', threadId: '5.5' }, parts: [{ type: 'text', text: 'where is my order?' }] });
  });

  it('keeps files shared with a mention or a DM as media parts by file id, deleted ones left out', () => {
    const [mention] = parseSlackRequest(fixture('app-mention-with-files.json'), {});
    expect(mention).toMatchObject({ kind: 'message', externalId: 'Ev0LAN670R' });
    expect(mention!.kind === 'message' && mention!.parts.slice(1)).toEqual([
      { type: 'media', url: 'slack-file:F0S43PZDF', mimeType: 'application/pdf', name: 'invoice-42.pdf', sizeBytes: 48213 },
    ]);
    const [dm] = parseSlackRequest(fixture('dm-file-share.json'), {});
    expect(dm).toMatchObject({ kind: 'message', address: { to: 'D0PNCRP9N' }, parts: [{ type: 'media', url: 'slack-file:F0S44ABCD', mimeType: 'image/jpeg', name: 'IMG_2041.jpg', sizeBytes: 203311 }] });
  });

  it('turns link, mention, channel and special markup into readable text (raw kept)', () => {
    const [mention] = parseSlackRequest(fixture('app-mention-with-files.json'), {});
    expect(mention!.kind === 'message' && mention!.parts[0]).toEqual({
      type: 'text',
      text: 'the invoice is wrong, see order 42 (https://shop.example/orders/42?a=1&b=2) and https://shop.example/help (cc @dana #billing @here) <urgent>',
    });
    expect(mention!.kind === 'message' && JSON.stringify(mention!.raw)).toContain('<!here>');
    expect(slackToPlain('<mailto:ada@example.com|ada@example.com> <https://x.example|https://x.example> <!subteam^S0614TZR7|@support> <!subteam^S1> <!channel> <!everyone> <!date^1392734382^{date_pretty}|Feb 18, 2014> <!date^0^{date}> <@U1> &amp;lt;', new Set(['U1']))).toBe(
      'ada@example.com https://x.example @support @S1 @channel @everyone Feb 18, 2014 1970-01-01T00:00:00.000Z &lt;',
    );
    // A bot mention inside the text goes too (only the leading one went before).
    const [dm] = parseSlackRequest(callback({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U1', text: 'thanks <@UBOT> and <@U2>', ts: '1.3' }), {});
    expect(dm).toMatchObject({ parts: [{ type: 'text', text: 'thanks and @U2' }] });
  });

  it('flags our own messages (by user or bot id) and drops other bots, edits, channel chatter and DM mentions', () => {
    expect(parseSlackRequest(callback({ type: 'message', channel_type: 'im', channel: 'D1', user: 'UBOT', bot_id: 'B9', text: 'x', ts: '1' }), {})[0]).toMatchObject({ kind: 'message', isSelf: true });
    expect(parseSlackRequest(callback({ type: 'message', channel_type: 'im', channel: 'D1', bot_id: 'BME', text: 'x', ts: '1' }), { botId: 'BME' })[0]).toMatchObject({ kind: 'message', isSelf: true });
    for (const event of [
      { type: 'message', channel_type: 'im', channel: 'D1', bot_id: 'BOTHER', subtype: 'bot_message', text: 'x', ts: '1' },
      { type: 'message', channel_type: 'im', channel: 'D1', subtype: 'message_changed', ts: '1' },
      { type: 'message', channel_type: 'channel', channel: 'C1', user: 'U1', text: 'x', ts: '1' },
      { type: 'app_mention', channel: 'D1', user: 'U1', text: '<@UBOT> x', ts: '1' },
      { type: 'app_mention', channel: 'C1', user: 'U1', text: '<@UBOT>', ts: '1' },
      { type: 'reaction_added', user: 'U1' },
    ]) {
      expect(parseSlackRequest(callback(event), {})[0]?.kind).toBe('unsupported');
    }
  });

  it('marks thread replies without a mention as ambient, and drops the message copy of a mention', () => {
    const reply = parseSlackRequest(callback({ type: 'message', channel_type: 'channel', channel: 'C1', user: 'U1', text: 'any news?', ts: '2', thread_ts: '1' }), {})[0];
    expect(reply).toMatchObject({ kind: 'message', ambient: true, address: { to: 'C1', threadId: '1' }, parts: [{ type: 'text', text: 'any news?' }] });
    const copy = parseSlackRequest(callback({ type: 'message', channel_type: 'channel', channel: 'C1', user: 'U1', text: '<@UBOT> hi', ts: '3', thread_ts: '1' }), {})[0];
    expect(copy).toMatchObject({ kind: 'unsupported', reason: 'mention (handled as app_mention)' });
  });

  it('turns /switchboard into a command event, and a command without a user into unsupported', () => {
    const slash = (fields: Record<string, string>): RawRequest => ({ ...form({}), rawBody: Buffer.from(new URLSearchParams(fields).toString()) });
    expect(parseSlackRequest(slash({ command: '/switchboard', text: ' mine ', user_id: 'U1', user_name: 'dana', channel_id: 'C1', trigger_id: 'T.1' }), {})[0]).toEqual({
      kind: 'command',
      externalId: 'T.1',
      from: { externalId: 'U1', handle: 'dana' },
      address: { to: 'C1' },
      command: '/switchboard',
      text: 'mine',
      raw: expect.any(Object),
    });
    expect(parseSlackRequest(slash({ command: '/switchboard', text: 'x', channel_id: 'C1' }), {})[0]?.kind).toBe('unsupported');
  });

  it('turns a block_actions button click into an action event with the button value', () => {
    const [event] = parseSlackRequest(
      form({
        type: 'block_actions',
        user: { id: 'U1', name: 'ada' },
        channel: { id: 'D1' },
        container: { type: 'message', message_ts: '7.7', channel_id: 'D1' },
        actions: [{ type: 'button', action_id: 'choice_0', block_id: 'b', value: 'refund', text: { type: 'plain_text', text: 'Refund' }, action_ts: '8.8' }],
      }),
      {},
    );
    expect(event).toMatchObject({ kind: 'action', externalId: 'D1:7.7:choice_0:8.8', from: { externalId: 'U1' }, address: { to: 'D1' }, value: 'refund', title: 'Refund' });
  });

  it('never throws on garbage', () => {
    expect(parseSlackRequest({ ...json({}), rawBody: Buffer.from('not json') }, {})[0]?.kind).toBe('unsupported');
    expect(parseSlackRequest(form({ type: 'view_submission' }), {})[0]?.kind).toBe('unsupported');
  });
});

describe('Slack replies', () => {
  const base: RenderedMessage = { text: 'Pick one', format: 'slack-mrkdwn', parts: [], authorKind: 'bot', messageId: 'm1', conversationId: 'c1', chunkIndex: 0 };

  it('sends plain text without blocks, and choices as buttons whose value is the choice id', () => {
    expect(toSlackBlocks(base)).toBeUndefined();
    expect(toSlackBlocks({ ...base, choices: [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }] })).toEqual([
      { type: 'section', text: { type: 'mrkdwn', text: 'Pick one' } },
      {
        type: 'actions',
        block_id: 'choices:m1',
        elements: [
          { type: 'button', action_id: 'choice_0', text: { type: 'plain_text', text: 'A', emoji: true }, value: 'a' },
          { type: 'button', action_id: 'choice_1', text: { type: 'plain_text', text: 'B', emoji: true }, value: 'b' },
        ],
      },
    ]);
  });

  it('maps Web API errors to retryable or permanent adapter errors', () => {
    const limited = fromSlackError(Object.assign(new Error('rl'), { code: webApi.ErrorCode.RateLimitedError, retryAfter: 3 }), 'chat.postMessage');
    expect([limited.code, limited.retryable, limited.retryAfterMs]).toEqual(['rate_limited', true, 3000]);
    const platform = fromSlackError(Object.assign(new Error('x'), { code: webApi.ErrorCode.PlatformError, data: { ok: false, error: 'not_in_channel' } }), 'chat.postMessage');
    expect([platform.code, platform.retryable, platform.options.platformCode]).toEqual(['rejected', false, 'not_in_channel']);
    const internal = fromSlackError(Object.assign(new Error('x'), { code: webApi.ErrorCode.PlatformError, data: { ok: false, error: 'internal_error' } }), 'chat.postMessage');
    expect(internal.retryable).toBe(true);
    const http = fromSlackError(Object.assign(new Error('x'), { code: webApi.ErrorCode.HTTPError, statusCode: 503 }), 'chat.postMessage');
    expect([http.code, http.retryable, http.options.platformCode]).toEqual(['unavailable', true, 'http_503']);
    expect(fromSlackError(Object.assign(new Error('ECONNREFUSED'), { code: webApi.ErrorCode.RequestError }), 'chat.postMessage').retryable).toBe(true);
  });
});
