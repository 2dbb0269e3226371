import type { RawRequest } from '../../adapters/types';
import { toDiscordComponents } from '../../adapters/discord/components';
import { fromDiscordError } from '../../adapters/discord/errors';
import { parseDiscordInteractionRequest, snowflakeTime } from '../../adapters/discord/interactions';
import { LABEL_CHOICE_PREFIX, parseDiscordComponent, parseDiscordMessage, type DiscordComponentView, type DiscordMessageView } from '../../adapters/discord/parse';
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';

const BOT = '100';
const self = { botUserId: BOT, threads: false };
const threads = { botUserId: BOT, threads: true };

function view(over: Partial<DiscordMessageView> = {}): DiscordMessageView {
  return {
    id: '5001',
    channelId: '700',
    channelType: 1,
    type: 0,
    author: { id: '555', username: 'ada', globalName: 'Ada', bot: false },
    content: 'Where is my order?',
    mentionedUserIds: [],
    attachments: [],
    timestamp: '2030-01-01T00:00:00.000Z',
    ...over,
  };
}
const guild = (over: Partial<DiscordMessageView> = {}) => view({ guildId: '300', channelId: '400', channelType: 0, ...over });

describe('parseDiscordMessage', () => {
  it('turns a DM into a message addressed to the DM channel', () => {
    expect(parseDiscordMessage(view(), self)).toEqual([
      {
        kind: 'message',
        externalId: '5001',
        from: { externalId: '555', displayName: 'Ada', handle: 'ada' },
        address: { to: '700' },
        parts: [{ type: 'text', text: 'Where is my order?' }],
        sentAt: new Date('2030-01-01T00:00:00.000Z'),
        isSelf: false,
        raw: view(),
      },
    ]);
  });

  it('flags the bot’s own messages as isSelf (in DMs, channels and threads)', () => {
    const own = { author: { id: BOT, username: 'bot', bot: true } };
    for (const v of [view(own), guild(own), guild({ ...own, channelId: '42', channelType: 11, parentId: '400' })]) {
      const [event] = parseDiscordMessage(v, threads);
      expect(event).toMatchObject({ kind: 'message', isSelf: true });
    }
  });

  it('ignores other bots, webhooks and system messages', () => {
    expect(parseDiscordMessage(view({ author: { id: '9', username: 'b', bot: true } }), self)).toEqual([expect.objectContaining({ kind: 'unsupported', reason: 'message from another bot' })]);
    expect(parseDiscordMessage(guild({ webhookId: '77', mentionedUserIds: [BOT] }), self)[0]!.kind).toBe('unsupported');
    expect(parseDiscordMessage(view({ type: 7 }), self)).toEqual([expect.objectContaining({ kind: 'unsupported', reason: 'system message type 7' })]);
  });

  it('ignores guild messages that do not mention the bot', () => {
    expect(parseDiscordMessage(guild({ mentionedUserIds: ['556'], content: '<@556> hi' }), self)).toEqual([expect.objectContaining({ kind: 'unsupported', reason: 'channel message without a mention' })]);
  });

  it('answers a guild mention with the mention stripped, quoting the message when the server has no threads', () => {
    const [event] = parseDiscordMessage(guild({ content: '<@!100>, can I pay with PayPal? cc <@556>', mentionedUserIds: [BOT, '556'] }), self);
    expect(event).toMatchObject({ kind: 'message', address: { to: '400', extra: { replyTo: '5001' } }, parts: [{ type: 'text', text: 'can I pay with PayPal? cc <@556>' }] });
  });

  it('takes a mention of its managed role as a mention, stripping that role but not others', () => {
    const roles = { botRoleIds: ['930'], mentionedRoleIds: ['930', '931'] };
    const [event] = parseDiscordMessage(guild({ content: '<@&930> can I pay with PayPal? cc <@&931>', ...roles }), self);
    expect(event).toMatchObject({ kind: 'message', parts: [{ type: 'text', text: 'can I pay with PayPal? cc <@&931>' }] });
    // Another role (the moderators) is not us.
    expect(parseDiscordMessage(guild({ content: '<@&931> help', botRoleIds: ['930'], mentionedRoleIds: ['931'] }), self)).toEqual([expect.objectContaining({ kind: 'unsupported' })]);
  });

  it('with threads, addresses a mention to the thread its reply opens (thread id = message id)', () => {
    const [event] = parseDiscordMessage(guild({ content: '<@100> Can I pay with PayPal?', mentionedUserIds: [BOT] }), threads);
    expect(event).toMatchObject({ kind: 'message', address: { to: '400', threadId: '5001', extra: { openThread: '1', threadName: 'Can I pay with PayPal?' } } });
  });

  it('continues a thread the bot opened without a mention, and ignores other threads unless mentioned', () => {
    const inOurThread = guild({ channelId: '5001', channelType: 11, parentId: '400', threadOwnerId: BOT, content: 'and by card?' });
    expect(parseDiscordMessage(inOurThread, threads)).toEqual([
      expect.objectContaining({ kind: 'message', ambient: true, address: { to: '400', threadId: '5001' }, parts: [{ type: 'text', text: 'and by card?' }] }),
    ]);
    const someoneElses = { ...inOurThread, threadOwnerId: '556' };
    expect(parseDiscordMessage(someoneElses, threads)[0]!.kind).toBe('unsupported');
    const mentioned = parseDiscordMessage({ ...someoneElses, content: '<@100> help', mentionedUserIds: [BOT] }, threads)[0]!;
    expect(mentioned).toMatchObject({ kind: 'message', address: { to: '400', threadId: '5001' }, parts: [{ type: 'text', text: 'help' }] });
    expect(mentioned).not.toHaveProperty('ambient');
  });

  it('keeps attachments as media parts, and ignores an empty mention', () => {
    const [event] = parseDiscordMessage(view({ content: '', attachments: [{ url: 'https://cdn.example/a.png', name: 'a.png', contentType: 'image/png', size: 10 }] }), self);
    expect(event).toMatchObject({ kind: 'message', parts: [{ type: 'media', url: 'https://cdn.example/a.png', name: 'a.png', mimeType: 'image/png', sizeBytes: 10 }] });
    expect(parseDiscordMessage(guild({ content: '<@100>', mentionedUserIds: [BOT] }), self)).toEqual([expect.objectContaining({ kind: 'unsupported', reason: 'empty message' })]);
  });

  it('recognises nothing as its own before READY told it who it is', () => {
    expect(parseDiscordMessage(view({ author: { id: BOT, username: 'bot', bot: true } }), { botUserId: undefined, threads: false })[0]!.kind).toBe('unsupported');
  });
});

describe('parseDiscordComponent', () => {
  const click = (over: Partial<DiscordComponentView> = {}): DiscordComponentView => ({
    id: '6001',
    customId: 'refund',
    label: 'Refund',
    channelId: '700',
    messageId: '5999',
    user: { id: '555', username: 'ada' },
    timestamp: '2030-01-01T00:00:00.000Z',
    ...over,
  });

  it('turns a button click into an action with the choice id, in the conversation it was shown in', () => {
    expect(parseDiscordComponent(click())).toEqual([
      expect.objectContaining({ kind: 'action', externalId: '6001', value: 'refund', title: 'Refund', address: { to: '700' }, from: { externalId: '555', displayName: 'ada', handle: 'ada' } }),
    ]);
    expect(parseDiscordComponent(click({ guildId: '300', channelId: '5001', channelType: 11, parentId: '400' }))[0]).toMatchObject({ address: { to: '400', threadId: '5001' } });
  });

  it('sends a made-up custom_id back as the label’s text', () => {
    expect(parseDiscordComponent(click({ customId: `${LABEL_CHOICE_PREFIX}3`, label: 'A very long option' }))[0]).toMatchObject({ kind: 'message', parts: [{ type: 'text', text: 'A very long option' }] });
  });
});

describe('Discord buttons', () => {
  it('puts at most five buttons in a row, and replaces ids Discord cannot carry', () => {
    const rows = toDiscordComponents([
      ...Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, title: `Choice ${i}` })),
      { id: 'x'.repeat(101), title: 'Long id' },
      { id: 'c0', title: 'Duplicate id' },
    ])!;
    expect(rows.map((r) => r.components.length)).toEqual([5, 3]);
    expect(rows[1]!.components.map((b) => b.custom_id)).toEqual(['c5', `${LABEL_CHOICE_PREFIX}6`, `${LABEL_CHOICE_PREFIX}7`]);
    expect(toDiscordComponents([])).toBeUndefined();
  });
});

describe('Discord errors', () => {
  it('maps rate limits, server errors and rejections to the port’s codes', () => {
    const rl = fromDiscordError(new RateLimitError({ timeToReset: 1000, limit: 5, method: 'POST', hash: 'h', url: 'u', route: '/channels/:id/messages', majorParameter: '1', global: false, retryAfter: 1050, sublimitTimeout: 0, scope: 'user' }), 'POST');
    expect(rl).toMatchObject({ code: 'rate_limited', retryable: true, retryAfterMs: 1050 });
    const forbidden = fromDiscordError(new DiscordAPIError({ message: 'Missing Access', code: 50001 }, 50001, 403, 'POST', 'u', {}), 'POST');
    expect(forbidden).toMatchObject({ code: 'rejected', retryable: false, options: { platformCode: '50001' } });
    expect(fromDiscordError(new HTTPError(502, 'Bad Gateway', 'POST', 'u', {}), 'POST')).toMatchObject({ code: 'unavailable', retryable: true, options: { platformCode: 'http_502' } });
    expect(fromDiscordError(new Error('This operation was aborted'), 'POST')).toMatchObject({ code: 'unavailable', retryable: true });
  });
});

describe('parseDiscordInteractionRequest', () => {
  const req = (body: unknown): RawRequest => ({ method: 'POST', path: '/webhooks/d', headers: {}, query: {}, rawBody: Buffer.from(JSON.stringify(body)) });

  it('parses an HTTP button interaction like the gateway one, and acknowledges other types as unsupported', () => {
    const body = {
      id: '1574877410799648772',
      type: 3,
      channel_id: '400',
      channel: { id: '400', type: 0 },
      guild_id: '300',
      member: { user: { id: '555', username: 'ada' } },
      message: { id: '5999', components: [{ type: 1, components: [{ type: 2, custom_id: 'refund', label: 'Refund' }] }] },
      data: { custom_id: 'refund', component_type: 2 },
    };
    expect(parseDiscordInteractionRequest(req(body))).toEqual([
      expect.objectContaining({ kind: 'action', value: 'refund', title: 'Refund', address: { to: '400', extra: { replyTo: '5999' } }, sentAt: new Date(snowflakeTime(body.id)) }),
    ]);
    expect(parseDiscordInteractionRequest(req({ type: 2, data: { name: 'ask' } }))[0]!.kind).toBe('unsupported');
    expect(parseDiscordInteractionRequest({ ...req({}), rawBody: Buffer.from('not json') })[0]!.kind).toBe('unsupported');
  });
});
