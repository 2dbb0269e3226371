import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deskActionValue, type EscalationCard } from '../../adapters/desk';
import { splitConversationId } from '../../adapters/teams/activity';
import { choicesCard, escalationCard } from '../../adapters/teams/cards';
import { parseTeamsRequest } from '../../adapters/teams/parse';
import type { InboundEvent, RawRequest } from '../../adapters/types';

const APP_ID = 'app-1';
const BOT = { id: `28:${APP_ID}`, name: 'Switchboard' };
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const TENANT = 'tenant-1';

const req = (body: unknown): RawRequest => ({
  method: 'POST',
  path: '/webhooks/teams',
  headers: { 'content-type': 'application/json' },
  query: {},
  rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const fixture = (name: string): unknown => JSON.parse(readFileSync(join(__dirname, '../fixtures/channels/teams', name), 'utf8'));
const parse = (body: unknown) => parseTeamsRequest(req(body), { appId: APP_ID });
const only = <K extends InboundEvent['kind']>(events: InboundEvent[], kind: K) => {
  expect(events).toHaveLength(1);
  expect(events[0]!.kind).toBe(kind);
  return events[0] as Extract<InboundEvent, { kind: K }>;
};

const personal = (extra: Record<string, unknown> = {}) => ({
  type: 'message',
  id: '1700000000001',
  channelId: 'msteams',
  serviceUrl: SERVICE_URL,
  timestamp: '2024-05-01T10:00:00.000Z',
  from: { id: '29:user', name: 'Ada Lovelace', aadObjectId: 'aad-ada' },
  recipient: BOT,
  conversation: { id: 'a:1chat', conversationType: 'personal', tenantId: TENANT },
  channelData: { tenant: { id: TENANT } },
  text: 'Hello &amp; welcome',
  ...extra,
});

const inChannel = (id: string, rootId: string | undefined, text: string, mention = true) => ({
  ...personal({ id, text }),
  conversation: { id: rootId ? `19:general@thread.tacv2;messageid=${rootId}` : '19:general@thread.tacv2', conversationType: 'channel', isGroup: true, tenantId: TENANT },
  channelData: { tenant: { id: TENANT }, team: { id: '19:team@thread.tacv2' }, channel: { id: '19:general@thread.tacv2' } },
  entities: mention ? [{ type: 'mention', text: '<at>Switchboard</at>', mentioned: BOT }] : [],
});

describe('Teams parse', () => {
  it('turns a personal chat message into a message with a full address', () => {
    const event = only(parse(personal()), 'message');
    expect(event).toMatchObject({
      externalId: 'a:1chat:1700000000001',
      from: { externalId: 'aad-ada', displayName: 'Ada Lovelace' },
      parts: [{ type: 'text', text: 'Hello & welcome' }],
      sentAt: new Date('2024-05-01T10:00:00.000Z'),
      isSelf: false,
    });
    expect(event.ambient).toBeUndefined();
    expect(event.address).toEqual({
      to: 'a:1chat',
      extra: { serviceUrl: SERVICE_URL, conversationId: 'a:1chat', conversationType: 'personal', botId: BOT.id, botName: 'Switchboard', tenantId: TENANT },
    });
  });

  it('falls back to the 29: id when there is no AAD object id', () => {
    expect(only(parse(personal({ from: { id: '29:guest' } })), 'message').from).toEqual({ externalId: '29:guest' });
  });

  it('strips the bot mention, keeps other mentions as names, drops tags and decodes entities', () => {
    const event = only(
      parse({
        ...inChannel('1700000000010', '1700000000010', '<at>Switchboard</at> ask <at>Bob</at> about <p>&lt;order&gt; &#35;42&nbsp;&quot;now&quot;</p>'),
        entities: [
          { type: 'mention', text: '<at>Switchboard</at>', mentioned: BOT },
          { type: 'mention', text: '<at>Bob</at>', mentioned: { id: '29:bob', name: 'Bob' } },
        ],
      }),
      'message',
    );
    expect(event.parts).toEqual([{ type: 'text', text: 'ask Bob about <order> #42 "now"' }]);
  });

  it('strips the bot mention when its entity has no text (by the mentioned name, or the leading tag naming nobody else)', () => {
    const named = only(parse(fixture('mention-without-text.json')), 'message');
    expect(named.parts).toEqual([{ type: 'text', text: 'where is my refund?' }]);
    expect(named.ambient).toBeUndefined();
    const unnamed = only(parse(fixture('mention-short-name.json')), 'message');
    expect(unnamed.parts).toEqual([{ type: 'text', text: 'can Bob change my address?' }]);
    expect(unnamed.ambient).toBeUndefined();
  });

  it('gives a thread reply the same address as the mention that started the thread', () => {
    const root = only(parse(inChannel('1700000000010', '1700000000010', '<at>Switchboard</at> Can I pay later?')), 'message');
    const reply = only(parse(inChannel('1700000000020', '1700000000010', '<at>Switchboard</at> And in instalments?')), 'message');
    expect(root.address).toEqual(reply.address);
    expect(root.address).toMatchObject({
      to: '19:general@thread.tacv2',
      threadId: '1700000000010',
      extra: { conversationId: '19:general@thread.tacv2;messageid=1700000000010', conversationType: 'channel', teamId: '19:team@thread.tacv2', teamsChannelId: '19:general@thread.tacv2' },
    });
    expect(reply.externalId).toBe('19:general@thread.tacv2;messageid=1700000000010:1700000000020');
    // A root post without ;messageid= is the root of its own thread.
    expect(only(parse(inChannel('1700000000030', undefined, '<at>Switchboard</at> hi')), 'message').address).toMatchObject({
      to: '19:general@thread.tacv2',
      threadId: '1700000000030',
      extra: { conversationId: '19:general@thread.tacv2;messageid=1700000000030' },
    });
  });

  it('marks channel messages that do not mention the bot as ambient', () => {
    expect(only(parse(inChannel('1700000000040', '1700000000010', 'thanks all', false)), 'message').ambient).toBe(true);
  });

  it('flags our own messages as isSelf', () => {
    expect(only(parse(personal({ from: { id: BOT.id, name: 'Switchboard' } })), 'message').isSelf).toBe(true);
    expect(only(parse(personal({ from: { id: APP_ID } })), 'message').isSelf).toBe(true);
  });

  it('turns image and file attachments into media and ignores the html copy of the text', () => {
    const event = only(
      parse(
        personal({
          text: '',
          attachments: [
            { contentType: 'text/html', content: '<p>Hello</p>' },
            { contentType: 'image/png', contentUrl: 'https://smba.example/v3/attachments/1/views/original', name: 'photo.png' },
            { contentType: 'application/vnd.microsoft.teams.file.download.info', name: 'invoice.pdf', content: { downloadUrl: 'https://files.example/invoice.pdf', fileType: 'pdf' } },
          ],
        }),
      ),
      'message',
    );
    expect(event.parts).toEqual([
      { type: 'media', url: 'https://smba.example/v3/attachments/1/views/original', mimeType: 'image/png', name: 'photo.png' },
      { type: 'media', url: 'https://files.example/invoice.pdf', name: 'invoice.pdf' },
    ]);
  });

  it.each([
    [{ action: deskActionValue('claim', '6650aa00bb11cc22dd33ee44') }, 'sb:claim:6650aa00bb11cc22dd33ee44', undefined],
    [{ choice: 'refund', title: 'Refund' }, 'refund', 'Refund'],
  ])('turns an Action.Submit tap %j into an action', (value, expected, title) => {
    const event = only(parse(personal({ text: undefined, value, replyToId: '1700000000000' })), 'action');
    expect(event).toMatchObject({ value: expected, externalId: 'a:1chat:1700000000001', from: { externalId: 'aad-ada' }, address: { to: 'a:1chat' } });
    expect(event.title).toBe(title);
  });

  it('turns an Action.Execute invoke into an action', () => {
    const invoke = personal({ type: 'invoke', name: 'adaptiveCard/action', text: undefined, value: { action: { type: 'Action.Execute', verb: 'refresh', data: { action: 'sb:resolve:6650aa00bb11cc22dd33ee44' } } } });
    expect(only(parse(invoke), 'action').value).toBe('sb:resolve:6650aa00bb11cc22dd33ee44');
    const verbOnly = personal({ type: 'invoke', name: 'adaptiveCard/action', text: undefined, value: { action: { type: 'Action.Execute', verb: 'refresh' } } });
    expect(only(parse(verbOnly), 'action').value).toBe('refresh');
  });

  it.each([
    ['conversationUpdate', personal({ type: 'conversationUpdate', membersAdded: [BOT], text: undefined })],
    ['typing', personal({ type: 'typing', text: undefined })],
    ['messageReaction', personal({ type: 'messageReaction', text: undefined })],
    ['installationUpdate', personal({ type: 'installationUpdate', text: undefined })],
    ['another invoke', personal({ type: 'invoke', name: 'task/fetch', text: undefined })],
    ['a submit without action or choice', personal({ text: '', value: { foo: 'bar' } })],
    ['an empty message', personal({ text: '  ' })],
    ['a message without a conversation', personal({ conversation: undefined })],
    ['a wrongly typed activity', personal({ from: 'me' })],
    ['JSON that is not an object', [1, 2]],
    ['malformed JSON', '{"type":'],
  ])('returns unsupported for %s, without throwing', (_label, body) => {
    only(parse(body), 'unsupported');
  });

  it('splits thread conversation ids', () => {
    expect(splitConversationId('19:x@thread.tacv2;messageid=17')).toEqual({ base: '19:x@thread.tacv2', rootId: '17' });
    expect(splitConversationId('a:1chat')).toEqual({ base: 'a:1chat' });
  });
});

describe('Teams cards', () => {
  const card: EscalationCard = {
    conversationId: '6650aa00bb11cc22dd33ee44',
    customer: { name: 'Ada Lovelace', handle: '@ada', channelKind: 'slack', channelName: 'Support Slack' },
    reason: 'customer_asked',
    reasonLabel: 'The customer asked for a person',
    team: 'Returns',
    priority: 'urgent',
    intent: 'return_item',
    sentiment: 'negative',
    frustration: 0.8,
    language: 'en',
    summary: 'Tent arrived torn; wants a replacement before Friday.',
    lastMessages: [
      { author: 'Ada', text: 'It is torn!' },
      { author: 'Bot', text: 'Sorry to hear that.' },
    ],
    suggestedReply: { text: 'We will send a new tent today.', sources: [{ title: 'Returns policy', url: 'https://help.example/returns' }, { title: 'Shipping' }] },
    status: 'pending',
    statusLine: 'Waiting for an agent · 3 min',
    buttons: [
      { action: 'claim', title: 'Claim', value: deskActionValue('claim', '6650aa00bb11cc22dd33ee44'), style: 'primary' },
      { action: 'resolve', title: 'Resolve', value: deskActionValue('resolve', '6650aa00bb11cc22dd33ee44'), style: 'danger' },
      { action: 'return_to_bot', title: 'Back to bot', value: deskActionValue('return_to_bot', '6650aa00bb11cc22dd33ee44') },
    ],
    url: 'https://admin.example/conversations/6650aa00bb11cc22dd33ee44',
  };

  it('draws the escalation: title with priority, facts, summary, last messages, suggestion with sources, status, buttons', () => {
    const json = escalationCard(card);
    expect(json).toMatchObject({ type: 'AdaptiveCard', version: '1.4', msteams: { width: 'Full' } });
    expect(json.body[0]).toMatchObject({ type: 'TextBlock', text: 'Urgent · Ada Lovelace', color: 'Attention', weight: 'Bolder' });
    expect(json.body[1]).toMatchObject({ text: 'Waiting for an agent · 3 min', isSubtle: true });
    expect(json.body[2]).toEqual({
      type: 'FactSet',
      facts: [
        { title: 'Customer', value: 'Ada Lovelace (@ada)' },
        { title: 'Channel', value: 'Support Slack (slack)' },
        { title: 'Reason', value: 'The customer asked for a person' },
        { title: 'Team', value: 'Returns' },
        { title: 'Priority', value: 'Urgent' },
        { title: 'Intent', value: 'return_item' },
        { title: 'Sentiment', value: 'negative (frustration 80%)' },
        { title: 'Language', value: 'en' },
      ],
    });
    const text = JSON.stringify(json.body);
    expect(text).toContain('Tent arrived torn; wants a replacement before Friday.');
    expect(text).toContain('**Ada:** It is torn!');
    expect(text).toContain('We will send a new tent today.');
    expect(text).toContain('Sources:\\n1. [Returns policy](https://help.example/returns)\\n2. Shipping');
    expect(json.actions).toEqual([
      { type: 'Action.Submit', title: 'Claim', data: { action: 'sb:claim:6650aa00bb11cc22dd33ee44' }, style: 'positive' },
      { type: 'Action.Submit', title: 'Resolve', data: { action: 'sb:resolve:6650aa00bb11cc22dd33ee44' }, style: 'destructive' },
      { type: 'Action.Submit', title: 'Back to bot', data: { action: 'sb:return_to_bot:6650aa00bb11cc22dd33ee44' } },
      { type: 'Action.OpenUrl', title: 'Open conversation', url: 'https://admin.example/conversations/6650aa00bb11cc22dd33ee44' },
    ]);
  });

  it('leaves out what is unknown and shows the assignee once claimed', () => {
    const { intent: _i, sentiment: _s, frustration: _f, language: _l, suggestedReply: _r, url: _u, ...rest } = card;
    const json = escalationCard({ ...rest, priority: 'normal', lastMessages: [], status: 'assigned', assignee: 'Dana', statusLine: 'Claimed by Dana', buttons: [] });
    expect(json.body[0]).toEqual({ type: 'TextBlock', text: 'Normal priority · Ada Lovelace', wrap: true, size: 'Large', weight: 'Bolder' });
    expect((json.body[2] as { facts: Array<{ title: string }> }).facts.map((f) => f.title)).toEqual(['Customer', 'Channel', 'Reason', 'Team', 'Priority', 'Assignee']);
    expect(JSON.stringify(json)).not.toMatch(/Suggested reply|Last messages/);
    expect(json.actions).toBeUndefined();
  });

  it('draws reply choices as Action.Submit buttons carrying the choice id', () => {
    expect(choicesCard([{ id: 'refund', title: 'Refund' }]).actions).toEqual([{ type: 'Action.Submit', title: 'Refund', data: { choice: 'refund', title: 'Refund' } }]);
  });

  it('round-trips: a tapped card button parses back to its value', () => {
    const data = escalationCard(card).actions![0]!.data;
    const event = parseTeamsRequest(req({ ...personal({ text: undefined, value: data }) }), { appId: APP_ID });
    expect(event[0]).toMatchObject({ kind: 'action', value: 'sb:claim:6650aa00bb11cc22dd33ee44' });
  });
});
