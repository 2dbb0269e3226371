import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { inboundDedupeKey } from '../../conversations/messages';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { postToSlackWebhook, SlackPeer } from '../support/slack-peer';
import { until } from '../support/until';
import { adapterContract } from './adapter-contract';

const CHANNEL_ID = 'slack-test';

/** A gateway with a Slack channel whose Web API is the local fake. The signing secret is made up here. */
async function startSlack(name: string): Promise<{ t: TestGateway; peer: SlackPeer; secret: string; webhook: string }> {
  const peer = await new SlackPeer().start();
  const t = await startTestGateway(name);
  const secret = randomBytes(16).toString('hex');
  await t.gateway.store.channels.ensure({
    id: CHANNEL_ID,
    kind: 'slack',
    name: 'Test Slack',
    settings: { slackApiUrl: peer.apiUrl },
    secrets: { signingSecret: secret, botToken: 'xoxb-test-token' },
  });
  return { t, peer, secret, webhook: `${t.url}/webhooks/${CHANNEL_ID}` };
}

/** Each customer gets a DM channel; the same external id always maps to the same Slack ts (as a retry would). */
const dm = (contactId: string) => `D-${contactId}`;
const tsFor = (() => {
  const known = new Map<string, string>();
  let seq = 0;
  return (externalId: string) => {
    if (!known.has(externalId)) known.set(externalId, `${Math.floor(Date.now() / 1000)}.${String(++seq).padStart(6, '0')}`);
    return known.get(externalId)!;
  };
})();

function dmEvent(externalId: string, contactId: string, text: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A1',
    event_id: `Ev-${externalId}`,
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
    event: { type: 'message', channel: dm(contactId), channel_type: 'im', user: contactId, text, ts: tsFor(externalId), event_ts: tsFor(externalId), ...extra },
  };
}

adapterContract('Slack', async () => {
  const { t, peer, secret, webhook } = await startSlack('contract_slack');
  const attempts = new Map<string, number>();
  return {
    t,
    driver: {
      channelId: CHANNEL_ID,
      unknownPayload: 'ack',
      peer,
      deliver: async ({ externalId, contactId, text, badSignature }) => {
        // A second delivery of the same event is what Slack's retry looks like: same event_id, a retry number.
        const retryNum = attempts.get(externalId) ?? 0;
        if (!badSignature) attempts.set(externalId, retryNum + 1);
        const res = await postToSlackWebhook(webhook, badSignature ? `${secret}x` : secret, dmEvent(externalId, contactId, text), {
          headers: retryNum > 0 ? { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': 'http_timeout' } : {},
        });
        return res.status;
      },
      deliverUnknown: async () =>
        (await postToSlackWebhook(webhook, secret, { type: 'event_callback', event_id: 'Ev-unknown', event: { type: 'reaction_added', user: 'U1', reaction: 'tada' } })).status,
      deliverSelf: async ({ externalId, contactId, text }) =>
        (await postToSlackWebhook(webhook, secret, dmEvent(externalId, contactId, text, { user: 'UBOT', bot_id: 'BBOT' }))).status,
      repliesTo: (contactId) => peer.posted(dm(contactId)).length,
      close: () => peer.stop(),
    },
  };
});

describe('Slack channel', () => {
  let t: TestGateway;
  let peer: SlackPeer;
  let secret: string;
  let webhook: string;

  beforeAll(async () => {
    ({ t, peer, secret, webhook } = await startSlack('slack_channel'));
  });
  afterAll(async () => {
    await peer.stop();
    await t.stop();
  });

  const messages = () => t.gateway.store.models.Message.countDocuments({ channelId: CHANNEL_ID });
  const inboundOf = (externalId: string) => t.gateway.store.models.Message.findOne({ dedupeKey: inboundDedupeKey(CHANNEL_ID, `Ev-${externalId}`) }).lean();
  const replyTo = async (externalId: string) => {
    const inbound = await inboundOf(externalId);
    return inbound ? t.gateway.store.models.Message.findOne({ replyTo: inbound._id }).lean() : null;
  };

  it('answers the url_verification challenge, but only when signed', async () => {
    const challenge = { type: 'url_verification', token: 'legacy', challenge: 'c-123' };
    const ok = await postToSlackWebhook(webhook, secret, challenge);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ challenge: 'c-123' });
    expect((await postToSlackWebhook(webhook, 'wrong-secret', challenge)).status).toBe(401);
  });

  // Past the five minutes by a margin a slow machine cannot eat up between signing and checking.
  it.each([
    ['older', -330],
    ['newer', 330],
  ])('rejects timestamps more than five minutes %s with 401 and stores nothing', async (_label, offset) => {
    const before = await messages();
    const res = await postToSlackWebhook(webhook, secret, dmEvent(`skew${offset}`, 'U-skew', 'hello'), { timestampSeconds: Math.floor(Date.now() / 1000) + offset });
    expect(res.status).toBe(401);
    expect(await messages()).toBe(before);
  });

  it('answers a DM in the same DM through chat.postMessage, with the citation as a mrkdwn link', async () => {
    const res = await postToSlackWebhook(webhook, secret, dmEvent('dm-1', 'U-ada', 'How do I start a return?'));
    expect(res.status).toBe(200);
    const [call] = await until(t, async () => peer.posted(dm('U-ada')).length > 0 && peer.posted(dm('U-ada')), [peer]);
    expect(call!.authorization).toBe('Bearer xoxb-test-token');
    expect(call!.contentType).toMatch(/^application\/x-www-form-urlencoded/);
    expect(call!.form.thread_ts).toBeUndefined();
    expect(call!.form.text).toMatch(/return/i);
    // The renderer's "Sources" footer, converted from markdown to Slack's <url|title>.
    expect(call!.form.text).toMatch(/Sources:\n1\. <https:\/\/help\.example\/[^|>]+\|[^>]*Return[^>]*>/);
    await until(t, async () => (await replyTo('dm-1'))?.delivery?.status === 'sent');
    const reply = await replyTo('dm-1');
    expect(reply?.delivery?.externalIds).toEqual([expect.stringMatching(new RegExp(`^${dm('U-ada')}:\\d+\\.\\d+$`))]);
  });

  it('answers a channel mention in a thread under it, without the mention in the stored text', async () => {
    const ts = tsFor('mention-1');
    const res = await postToSlackWebhook(webhook, secret, {
      type: 'event_callback',
      event_id: 'Ev-mention-1',
      authorizations: [{ user_id: 'UBOT', is_bot: true }],
      event: { type: 'app_mention', user: 'U-bob', text: '<@UBOT> Can I pay with PayPal?', ts, channel: 'C-general', event_ts: ts },
    });
    expect(res.status).toBe(200);
    const [call] = await until(t, async () => peer.posted('C-general').length > 0 && peer.posted('C-general'), [peer]);
    expect(call!.form.thread_ts).toBe(ts);
    const inbound = await inboundOf('mention-1');
    expect(inbound?.parts).toEqual([{ type: 'text', text: 'Can I pay with PayPal?' }]);
  });

  it('stores a file shared in a DM as a media part, and serves it to agents through a signed link fetched with the bot token', async () => {
    const bytes = Buffer.from('%PDF-1.4 slack invoice');
    peer.files.set('F0FILE1', { name: 'invoice.pdf', mimetype: 'application/pdf', bytes });
    const file = { id: 'F0FILE1', name: 'invoice.pdf', title: 'invoice.pdf', mimetype: 'application/pdf', filetype: 'pdf', mode: 'hosted', size: bytes.length, url_private: 'https://files.slack.com/files-pri/T1-F0FILE1/invoice.pdf' };
    const res = await postToSlackWebhook(webhook, secret, dmEvent('file-1', 'U-files', 'my invoice is wrong', { subtype: 'file_share', files: [file] }));
    expect(res.status).toBe(200);
    const stored = await until(t, async () => inboundOf('file-1'));
    expect(stored.parts).toEqual([
      { type: 'text', text: 'my invoice is wrong' },
      { type: 'media', url: 'slack-file:F0FILE1', mimeType: 'application/pdf', name: 'invoice.pdf', sizeBytes: bytes.length },
    ]);
    const served = await fetch(`${t.url}/media/${t.gateway.deps.mediaLinks.token({ messageId: String(stored._id), index: 1 }, new Date())}`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    expect(peer.accepted('files.info').at(-1)?.form).toMatchObject({ file: 'F0FILE1' });
    expect(peer.downloads.at(-1)).toMatchObject({ path: '/files-pri/T1-F0FILE1/download/invoice.pdf', authorization: 'Bearer xoxb-test-token' });
  });

  it('stores a button click (form-encoded block_actions) with its value and answers it in the DM', async () => {
    const click = {
      type: 'block_actions',
      user: { id: 'U-clicker', name: 'ada' },
      team: { id: 'T1' },
      channel: { id: dm('U-clicker') },
      container: { type: 'message', message_ts: '1700000001.000100', channel_id: dm('U-clicker') },
      trigger_id: 't1',
      response_url: 'http://127.0.0.1:9/unused',
      actions: [{ type: 'button', action_id: 'choice_0', block_id: 'choices:m', value: 'How do I start a return?', text: { type: 'plain_text', text: 'Returns' }, action_ts: '1700000002.000200' }],
    };
    expect((await postToSlackWebhook(webhook, 'wrong-secret', click, { form: true })).status).toBe(401);
    const res = await postToSlackWebhook(webhook, secret, click, { form: true });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ events: 1, stored: 1 });
    const stored = await t.gateway.store.models.Message.findOne({ channelId: CHANNEL_ID, actionValue: 'How do I start a return?' }).lean();
    expect(stored?.parts).toEqual([{ type: 'text', text: 'Returns' }]);
    await until(t, async () => peer.posted(dm('U-clicker')).length > 0, [peer]);
  });

  it('sends choices as Block Kit buttons (JSON inside the form) and replies in the thread', async () => {
    const channel = (await t.gateway.store.channels.get(CHANNEL_ID))!;
    const adapter = t.gateway.deps.registry.get(channel);
    const receipt = await adapter.send(
      { to: 'C-help', threadId: '1700000000.000001' },
      { text: 'Which one?', format: 'slack-mrkdwn', parts: [], authorKind: 'bot', messageId: 'm-choices', conversationId: 'c', chunkIndex: 0, choices: [{ id: 'refund', title: 'Refund' }, { id: 'swap', title: 'Exchange' }] },
    );
    expect(receipt).toEqual({ status: 'sent', externalId: expect.stringMatching(/^C-help:\d+\.\d+$/) });
    const call = peer.posted('C-help').at(-1)!;
    expect(call.form).toMatchObject({ text: 'Which one?', thread_ts: '1700000000.000001' });
    const blocks = JSON.parse(call.form.blocks!);
    expect(blocks[1].elements.map((b: { value: string; text: { text: string } }) => [b.value, b.text.text])).toEqual([
      ['refund', 'Refund'],
      ['swap', 'Exchange'],
    ]);
  });

  it('acknowledges edits and other bots without storing them', async () => {
    const before = await messages();
    const edited = dmEvent('edit-1', 'U-ed', 'changed', { subtype: 'message_changed' });
    const otherBot = dmEvent('bot-1', 'U-otherbot', 'beep', { bot_id: 'B-OTHER', subtype: 'bot_message' });
    for (const payload of [edited, otherBot]) expect((await postToSlackWebhook(webhook, secret, payload)).status).toBe(200);
    expect(await messages()).toBe(before);
  });

  it('retries a rate-limited chat.postMessage after Retry-After', async () => {
    peer.rateLimit('chat.postMessage', 1, dm('U-busy'));
    const retry = Promise.race(t.gateway.deliverers.map((d) => once(d, 'retry')));
    expect((await postToSlackWebhook(webhook, secret, dmEvent('busy-1', 'U-busy', 'Which payment methods do you accept?'))).status).toBe(200);
    const [, error, delayMs] = (await retry) as [unknown, { code: string }, number];
    expect(error.code).toBe('rate_limited:ratelimited');
    expect(delayMs).toBeGreaterThanOrEqual(1000);
    await until(t, async () => peer.posted(dm('U-busy')).length > 0, [peer]);
    const calls = peer.calls.filter((c) => c.method === 'chat.postMessage' && c.form.channel === dm('U-busy'));
    expect(calls.map((c) => c.status)).toEqual([429, 200]);
    expect(calls[1]!.at - calls[0]!.at).toBeGreaterThanOrEqual(950);
    await until(t, async () => (await replyTo('busy-1'))?.delivery?.status === 'sent');
  });

  it('records ok:false channel_not_found as a failed delivery with that code, without retrying', async () => {
    peer.fail('chat.postMessage', 'channel_not_found', dm('U-gone'));
    const failed = Promise.race(t.gateway.deliverers.map((d) => once(d, 'failed')));
    expect((await postToSlackWebhook(webhook, secret, dmEvent('gone-1', 'U-gone', 'How do I start a return?'))).status).toBe(200);
    await failed;
    await until(t, async () => (await replyTo('gone-1'))?.delivery?.status === 'failed');
    const reply = await replyTo('gone-1');
    expect(reply?.delivery).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'rejected:channel_not_found', retryable: false } });
    expect(peer.calls.filter((c) => c.method === 'chat.postMessage' && c.form.channel === dm('U-gone'))).toHaveLength(1);
  });
});
