import { randomBytes } from 'node:crypto';
import { MetaPeer, postToMetaWebhook, waText, waWebhook } from '../support/meta-peer';
import { startSlackDesk, type SlackDesk } from '../support/slack-desk';
import { until } from '../support/until';
import { OFFICE_HOURS, testClock } from '../support/clock';

const PHONE_ID = '109876543';
const TOKEN = 'EAAG-story-token';
const CUSTOMER = '4915550001234';
const HOUR = 3_600_000;

/**
 * The WhatsApp story: a cited answer with buttons, "Talk to a person", an agent answering from the Slack thread,
 * the reply arriving on WhatsApp — and after 24 hours of silence, the re-engagement template instead of a
 * free-form message the platform would refuse.
 */
describe('a WhatsApp customer handed to a Slack desk, end to end', () => {
  const time = testClock(OFFICE_HOURS);
  const clock = time.now;
  let desk: SlackDesk;
  let peer: MetaPeer;
  const secret = randomBytes(16).toString('hex');

  beforeAll(async () => {
    peer = await new MetaPeer({ token: TOKEN, clock }).start();
    desk = await startSlackDesk('wa_story', { clock, env: { PUBLIC_URL: 'https://support.shop.example' } });
    await desk.t.gateway.store.channels.ensure({
      id: 'wa',
      kind: 'whatsapp',
      name: 'WhatsApp',
      settings: { graphBase: peer.base, graphVersion: 'v21.0', phoneNumberId: PHONE_ID, reengagementTemplate: { name: 'follow_up', language: 'en_US' } },
      secrets: { appSecret: secret, verifyToken: 'vt', accessToken: TOKEN },
    });
  });
  afterAll(async () => {
    await desk.stop();
    await peer.stop();
  });

  const webhook = () => `${desk.t.url}/webhooks/wa`;
  const sends = () => peer.calls.filter((c) => c.kind === 'whatsapp' && c.id === PHONE_ID && c.status < 300);
  const waitFor = <T>(check: () => Promise<T | undefined | null | false> | T | undefined | null | false) => until(desk.t, async () => check(), [desk.peer, peer]);

  it('answers with buttons, hands over on a tap, relays the agent, and uses the template after 24 hours', async () => {
    const at = clock();
    peer.inbound(CUSTOMER, at);
    expect((await postToMetaWebhook(webhook(), secret, waWebhook(PHONE_ID, waText(CUSTOMER, 'wamid.S1', 'How do I return an item?', at, 'Ada')))).status).toBe(200);
    const answer = await waitFor(() => sends()[0]);
    expect(answer.body).toMatchObject({ to: CUSTOMER, type: 'interactive' });
    expect(JSON.stringify(answer.body)).toContain('Talk to a person');
    expect(JSON.stringify(answer.body)).toMatch(/help\.example/);

    // The customer taps "Talk to a person".
    const tap = { from: CUSTOMER, id: 'wamid.S2', timestamp: String(Math.floor(clock().getTime() / 1000)), type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'handoff', title: 'Talk to a person' } } };
    peer.inbound(CUSTOMER, clock());
    expect((await postToMetaWebhook(webhook(), secret, waWebhook(PHONE_ID, { contacts: [{ profile: { name: 'Ada' }, wa_id: CUSTOMER }], messages: [tap] }))).status).toBe(200);
    const inbound = await waitFor(() => desk.t.gateway.store.models.Message.findOne({ externalId: 'wamid.S1' }).lean());
    const card = await waitFor(() => desk.card(String(inbound.conversationId)));
    expect(card.blocks).toContain('The customer asked for a person');

    // The agent answers from the thread: the reply arrives on WhatsApp.
    await desk.agentSays(card.ts, 'Hi Ada, I have sent you a free return label.');
    const relayed = await waitFor(() => sends().find((c) => JSON.stringify(c.body).includes('free return label')));
    expect(relayed.body).toMatchObject({ to: CUSTOMER, type: 'text' });

    // WhatsApp accepted it, then reports it undeliverable (status webhook, twice as platforms redeliver): the agent hears it once.
    const wamid = (relayed.answer.messages as Array<{ id: string }>)[0]!.id;
    await waitFor(async () => (await desk.t.gateway.store.models.Message.findOne({ 'delivery.externalIds': wamid }).lean())?.delivery?.status === 'sent');
    const failed = { id: wamid, status: 'failed', timestamp: String(Math.floor(clock().getTime() / 1000)), recipient_id: CUSTOMER, errors: [{ code: 131026, title: 'Message undeliverable' }] };
    for (let i = 0; i < 2; i++) expect((await postToMetaWebhook(webhook(), secret, waWebhook(PHONE_ID, { statuses: [failed] }))).status).toBe(200);
    const undeliverable = await waitFor(() => desk.threadPosts(card.ts).find((p) => p.includes('Not delivered to the customer') && p.includes('free return label')));
    expect(undeliverable).toContain('Message undeliverable [wa_131026]');

    // The customer sends a photo: the agent sees it described in the thread, with a link that opens it.
    const photo = Buffer.from('jpeg bytes of a dented box');
    peer.addMedia('MEDIA-DENT', photo, 'image/jpeg');
    const image = { from: CUSTOMER, id: 'wamid.S3', timestamp: String(Math.floor(clock().getTime() / 1000)), type: 'image', image: { id: 'MEDIA-DENT', mime_type: 'image/jpeg', caption: 'It arrived dented' } };
    peer.inbound(CUSTOMER, clock());
    expect((await postToMetaWebhook(webhook(), secret, waWebhook(PHONE_ID, { contacts: [{ profile: { name: 'Ada' }, wa_id: CUSTOMER }], messages: [image] }))).status).toBe(200);
    const mirrored = await waitFor(() => desk.threadPosts(card.ts).find((p) => p.includes('It arrived dented')));
    const link = /📎 photo \(image\/jpeg\) (https:\/\/support\.shop\.example\/media\/\S+)/.exec(mirrored)?.[1];
    expect(link).toBeDefined();
    const opened = await fetch(link!.replace('https://support.shop.example', desk.t.url));
    expect(opened.status).toBe(200);
    expect(opened.headers.get('content-type')).toBe('image/jpeg');
    expect(opened.headers.get('content-disposition')).toMatch(/^inline/);
    expect(Buffer.from(await opened.arrayBuffer()).equals(photo)).toBe(true);
    expect((await fetch(`${link!.replace('https://support.shop.example', desk.t.url)}x`)).status).toBe(404);

    // A day and more of silence: a free-form reply would be refused by WhatsApp, so the template goes instead.
    time.advance(25 * HOUR);
    const before = sends().length;
    await desk.agentSays(card.ts, 'Did the label work?');
    const template = await waitFor(() => sends().slice(before).find((c) => (c.body as { type?: string }).type === 'template'));
    expect(template.body).toMatchObject({ to: CUSTOMER, template: { name: 'follow_up', language: { code: 'en_US' } } });
    expect(sends().slice(before).some((c) => JSON.stringify(c.body).includes('Did the label work?'))).toBe(false);
    // The agent is told in the thread that the customer got the template, not their text.
    const notice = await Promise.race([waitFor(() => desk.threadPosts(card.ts).find((p) => p.includes('Not delivered as written'))), new Promise<string>((r) => setTimeout(() => r('TIMEOUT ' + JSON.stringify(desk.threadPosts(card.ts))), 5000))]);
    expect(notice).toContain('"Did the label work?"');
    expect(notice).toContain('"follow_up" was sent instead');
    const stored = await desk.t.gateway.store.models.Message.findOne({ text: /Did the label work/, direction: 'outbound' }).lean();
    expect(stored?.delivery).toMatchObject({ status: 'sent', substitute: { code: 'reengagement_template' } });

    // Without a template configured, the reply is refused before sending and the agent reads why.
    await desk.t.gateway.store.channels.setSettings('wa', { reengagementTemplate: null });
    time.advance(10_000); // gateways see channel edits within 5 s
    const refusedBefore = sends().length;
    await desk.agentSays(card.ts, 'Are you still there?');
    const refusal = await waitFor(() => desk.threadPosts(card.ts).find((p) => p.includes('Not delivered to the customer') && p.includes('still there')));
    expect(refusal).toContain('"Are you still there?"');
    expect(refusal).toContain('messaging window closed');
    expect(refusal).toContain('[rejected:window_closed]');
    expect(sends().length).toBe(refusedBefore);
    expect(desk.threadPosts(card.ts).filter((p) => p.includes('free return label') && p.includes('Not delivered'))).toHaveLength(1);
  });
});
