import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmac } from 'node:crypto';
import { fromGraphError } from '../../adapters/meta/graph';
import { metaHandshake, parseMessengerRequest, parseWhatsAppRequest, verifyMetaSignature } from '../../adapters/meta';
import { AdapterError, type RawRequest } from '../../adapters/types';

const NOW = new Date('2026-03-01T12:00:00Z');
const TS = 1_772_366_400; // 2026-03-01T12:00:00Z in seconds

function req(body: unknown, init: Partial<RawRequest> = {}): RawRequest {
  return { method: 'POST', path: '/webhooks/x', headers: {}, query: {}, rawBody: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), ...init };
}

/** A webhook body from test/fixtures/channels/meta, shaped like Meta's documented payloads, as a request. */
const fixture = (name: string): RawRequest => req(readFileSync(join(__dirname, '../fixtures/channels/meta', name), 'utf8'));

const wa = (messages: unknown[] = [], statuses: unknown[] = []) =>
  req({
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { phone_number_id: 'PN1' }, contacts: [{ profile: { name: 'Kim' }, wa_id: '1555' }], messages, statuses } }] }],
  });
const waMsg = (extra: Record<string, unknown>) => ({ from: '1555', id: 'wamid.A', timestamp: String(TS), ...extra });

describe('WhatsApp parse', () => {
  it('turns a text into a message with the wa_id address and lastInboundAt from the message timestamp', () => {
    expect(parseWhatsAppRequest(wa([waMsg({ type: 'text', text: { body: 'hi' } })]), NOW)).toEqual([
      {
        kind: 'message',
        externalId: 'wamid.A',
        from: { externalId: '1555', phone: '+1555', displayName: 'Kim' },
        address: { to: '1555', extra: { phoneNumberId: 'PN1', lastInboundAt: '2026-03-01T12:00:00.000Z' } },
        parts: [{ type: 'text', text: 'hi' }],
        sentAt: new Date(TS * 1000),
        isSelf: false,
        raw: expect.any(Object),
      },
    ]);
  });

  it.each([
    ['image', { id: 'M1', mime_type: 'image/jpeg', caption: 'my receipt' }, { type: 'media', url: 'wa-media:M1', mimeType: 'image/jpeg', caption: 'my receipt' }],
    ['document', { id: 'M2', mime_type: 'application/pdf', filename: 'invoice.pdf' }, { type: 'media', url: 'wa-media:M2', mimeType: 'application/pdf', name: 'invoice.pdf' }],
    ['audio', { id: 'M3', mime_type: 'audio/ogg' }, { type: 'media', url: 'wa-media:M3', mimeType: 'audio/ogg' }],
    ['video', { id: 'M4' }, { type: 'media', url: 'wa-media:M4' }],
  ])('turns %s into a media part', (type, media, part) => {
    const [event] = parseWhatsAppRequest(wa([waMsg({ type, [type]: media })]), NOW);
    expect(event).toMatchObject({ kind: 'message', parts: [part] });
  });

  it('turns a location and a shared contact into parts', () => {
    const [loc, card] = parseWhatsAppRequest(
      wa([
        waMsg({ type: 'location', location: { latitude: 52.37, longitude: 4.89, name: 'Shop', address: 'Damrak 1' } }),
        waMsg({ id: 'wamid.B', type: 'contacts', contacts: [{ name: { formatted_name: 'Ann Lee' }, phones: [{ phone: '+31 6 1234' }] }] }),
      ]),
      NOW,
    );
    expect(loc).toMatchObject({ kind: 'message', parts: [{ type: 'location', latitude: 52.37, longitude: 4.89, name: 'Shop', address: 'Damrak 1' }] });
    expect(card).toMatchObject({ kind: 'message', externalId: 'wamid.B', parts: [{ type: 'text', text: 'Shared contact: Ann Lee (+31 6 1234)' }] });
  });

  it('turns button_reply, list_reply and template buttons into actions', () => {
    const events = parseWhatsAppRequest(
      wa([
        waMsg({ id: 'w1', type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'refund', title: 'Refund' } } }),
        waMsg({ id: 'w2', type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'swap', title: 'Exchange', description: 'x' } } }),
        waMsg({ id: 'w3', type: 'button', button: { payload: 'STOP', text: 'Stop promotions' } }),
      ]),
      NOW,
    );
    expect(events.map((e) => e.kind === 'action' && [e.externalId, e.value, e.title])).toEqual([
      ['w1', 'refund', 'Refund'],
      ['w2', 'swap', 'Exchange'],
      ['w3', 'STOP', 'Stop promotions'],
    ]);
  });

  it('maps the `played` status of a voice message to read', () => {
    expect(parseWhatsAppRequest(fixture('whatsapp-status-played.json'), NOW)).toEqual([
      { kind: 'status', externalId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJDQjZCMzlEQUE4OTJBMTE4RTUA', status: 'read', at: new Date(1772366600 * 1000), raw: expect.any(Object) },
    ]);
  });

  it('turns statuses into status events, failed ones with the error code', () => {
    const events = parseWhatsAppRequest(
      wa(
        [],
        [
          { id: 'wamid.OUT1', status: 'delivered', timestamp: String(TS), recipient_id: '1555' },
          { id: 'wamid.OUT2', status: 'failed', timestamp: String(TS), recipient_id: '1555', errors: [{ code: 131026, title: 'Message undeliverable' }] },
          { id: 'wamid.OUT3', status: 'deleted', timestamp: String(TS) },
        ],
      ),
      NOW,
    );
    expect(events[0]).toMatchObject({ kind: 'status', externalId: 'wamid.OUT1', status: 'delivered', at: new Date(TS * 1000) });
    expect(events[1]).toMatchObject({ kind: 'status', externalId: 'wamid.OUT2', status: 'failed', error: { code: 'wa_131026', message: 'Message undeliverable' } });
    expect(events[2]).toMatchObject({ kind: 'unsupported' });
  });

  it.each([
    ['an unknown message type', wa([waMsg({ type: 'reaction', reaction: { emoji: '👍' } })])],
    ['another object', req({ object: 'page', entry: [] })],
    ['another field', req({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'account_update', value: {} }] }] })],
    ['broken JSON', req('{"object":')],
    ['a JSON array', req('[1,2]')],
    ['garbage shapes', req({ object: 'whatsapp_business_account', entry: [null, { changes: 'x' }, { changes: [{ field: 'messages', value: { messages: [null, 7] } }] }] })],
  ])('never throws: %s is unsupported', (_label, request) => {
    const events = parseWhatsAppRequest(request, NOW);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.kind).toBe('unsupported');
  });
});

const page = (event: unknown, object = 'page') => req({ object, entry: [{ id: 'PAGE1', time: 1, messaging: [event] }] });
const MS = TS * 1000;

describe('Messenger / Instagram parse', () => {
  it('turns a text into a message addressed to the PSID with the page id', () => {
    const [event] = parseMessengerRequest(page({ sender: { id: 'PSID1' }, recipient: { id: 'PAGE1' }, timestamp: MS, message: { mid: 'm_1', text: 'hi' } }), 'page', NOW);
    expect(event).toEqual({
      kind: 'message',
      externalId: 'm_1',
      from: { externalId: 'PSID1' },
      address: { to: 'PSID1', extra: { pageId: 'PAGE1', lastInboundAt: '2026-03-01T12:00:00.000Z' } },
      parts: [{ type: 'text', text: 'hi' }],
      sentAt: new Date(MS),
      isSelf: false,
      raw: expect.any(Object),
    });
  });

  it('reads Instagram under object "instagram" only', () => {
    const event = { sender: { id: 'IGSID1' }, recipient: { id: 'PAGE1' }, timestamp: MS, message: { mid: 'ig_1', text: 'hey' } };
    expect(parseMessengerRequest(page(event, 'instagram'), 'instagram', NOW)[0]).toMatchObject({ kind: 'message', externalId: 'ig_1', address: { to: 'IGSID1' } });
    expect(parseMessengerRequest(page(event, 'page'), 'instagram', NOW)[0]).toMatchObject({ kind: 'unsupported' });
  });

  it('turns attachments into media and location parts', () => {
    const [event] = parseMessengerRequest(
      page({
        sender: { id: 'P' },
        recipient: { id: 'PAGE1' },
        timestamp: MS,
        message: { mid: 'm_2', attachments: [{ type: 'image', payload: { url: 'https://cdn.example/a.jpg' } }, { type: 'location', payload: { coordinates: { lat: 1.5, long: 2.5 } } }, { type: 'template', payload: {} }] },
      }),
      'page',
      NOW,
    );
    expect(event).toMatchObject({ kind: 'message', parts: [{ type: 'media', url: 'https://cdn.example/a.jpg' }, { type: 'location', latitude: 1.5, longitude: 2.5 }] });
  });

  it('keeps Instagram shared posts, reels and story mentions as media with what they are as the caption', () => {
    const [share] = parseMessengerRequest(fixture('instagram-share.json'), 'instagram', NOW);
    expect(share).toMatchObject({ kind: 'message', from: { externalId: 'IGSID-ADA' }, parts: [{ type: 'media', url: expect.stringMatching(/^https:\/\/lookaside\.fbsbx\.com\//), caption: 'Shared a post' }] });
    const [story] = parseMessengerRequest(fixture('instagram-story-mention.json'), 'instagram', NOW);
    expect(story).toMatchObject({ kind: 'message', parts: [{ type: 'media', url: expect.stringContaining('asset_id=18000000000000002'), caption: 'Mentioned you in their story' }] });
    const [reel] = parseMessengerRequest(fixture('instagram-reel.json'), 'instagram', NOW);
    expect(reel).toMatchObject({ kind: 'message', parts: [{ type: 'text', text: 'is this jacket still in stock?' }, { type: 'media', caption: 'Shared a reel: Winter collection drop' }] });
  });

  it('turns quick replies and postbacks into actions', () => {
    const [quick] = parseMessengerRequest(page({ sender: { id: 'P' }, recipient: { id: 'PAGE1' }, timestamp: MS, message: { mid: 'm_3', text: 'Yes', quick_reply: { payload: 'YES' } } }), 'page', NOW);
    const [postback] = parseMessengerRequest(page({ sender: { id: 'P' }, recipient: { id: 'PAGE1' }, timestamp: MS, postback: { mid: 'm_4', title: 'Start', payload: 'GET_STARTED' } }), 'page', NOW);
    expect(quick).toMatchObject({ kind: 'action', externalId: 'm_3', value: 'YES', title: 'Yes', address: { to: 'P' } });
    expect(postback).toMatchObject({ kind: 'action', externalId: 'm_4', value: 'GET_STARTED', title: 'Start' });
  });

  it('flags echoes as our own, maps delivery mids to statuses, and leaves reads unsupported', () => {
    const [echo] = parseMessengerRequest(page({ sender: { id: 'PAGE1' }, recipient: { id: 'P' }, timestamp: MS, message: { mid: 'm_5', text: 'ours', is_echo: true } }), 'page', NOW);
    expect(echo).toMatchObject({ kind: 'message', isSelf: true, address: { to: 'P' } });
    const delivered = parseMessengerRequest(page({ sender: { id: 'P' }, recipient: { id: 'PAGE1' }, timestamp: MS, delivery: { mids: ['m_a', 'm_b'], watermark: MS } }), 'page', NOW);
    expect(delivered).toEqual([
      { kind: 'status', externalId: 'm_a', status: 'delivered', at: new Date(MS), raw: expect.any(Object) },
      { kind: 'status', externalId: 'm_b', status: 'delivered', at: new Date(MS), raw: expect.any(Object) },
    ]);
    expect(parseMessengerRequest(page({ sender: { id: 'P' }, recipient: { id: 'PAGE1' }, timestamp: MS, read: { watermark: MS } }), 'page', NOW)[0]).toMatchObject({ kind: 'unsupported' });
  });

  it.each([
    ['a reaction', page({ sender: { id: 'P' }, recipient: { id: 'PAGE1' }, timestamp: MS, reaction: { mid: 'm', emoji: '👍' } })],
    ['no sender', page({ recipient: { id: 'PAGE1' }, timestamp: MS, message: { mid: 'm', text: 'x' } })],
    ['broken JSON', req('nope')],
    ['garbage', req({ object: 'page', entry: [7, { messaging: [null, 'x'] }] })],
  ])('never throws: %s is unsupported', (_label, request) => {
    const events = parseMessengerRequest(request, 'page', NOW);
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) expect(e.kind).toBe('unsupported');
  });
});

describe('Meta verification', () => {
  const secret = 'app-secret-123';
  const body = JSON.stringify({ object: 'page', entry: [] });
  const signed = (signature?: string) => req(body, { headers: signature === undefined ? {} : { 'x-hub-signature-256': signature } });
  const good = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it('accepts the HMAC of the raw bytes and rejects missing, malformed or wrong signatures', () => {
    expect(() => verifyMetaSignature(secret, signed(good), 'messenger')).not.toThrow();
    for (const bad of [undefined, 'sha1=abc', good.replace(/.$/, (c) => (c === '0' ? '1' : '0')), `sha256=${'0'.repeat(64)}`]) {
      expect(() => verifyMetaSignature(secret, signed(bad), 'messenger')).toThrow(expect.objectContaining({ code: 'bad_signature' }));
    }
    expect(() => verifyMetaSignature('', signed(good), 'messenger')).toThrow(AdapterError);
  });

  it('answers the subscription handshake only with the right token', () => {
    const get = (query: Record<string, string>) => metaHandshake('tok', { method: 'GET', path: '/', headers: {}, query, rawBody: Buffer.alloc(0) });
    expect(get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '42' })).toMatchObject({ status: 200, body: '42' });
    expect(get({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '42' })).toMatchObject({ status: 403 });
    expect(get({ 'hub.mode': 'unsubscribe', 'hub.verify_token': 'tok', 'hub.challenge': '42' })).toMatchObject({ status: 403 });
    expect(metaHandshake('tok', req('{}'))).toBeUndefined();
  });
});

describe('Graph error mapping', () => {
  const map = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    fromGraphError(new Response(JSON.stringify(body), { status, headers }), body, { channel: 'whatsapp', now: () => NOW, what: 'messages' });

  it.each([
    [429, {}, { 'retry-after': '3' }, 'rate_limited', 'http_429', 3000],
    [400, { error: { code: 80007 } }, {}, 'rate_limited', 'meta_80007', undefined],
    [400, { error: { code: 130429 } }, {}, 'rate_limited', 'meta_130429', undefined],
    [400, { error: { code: 4 } }, {}, 'rate_limited', 'meta_4', undefined],
    [400, { error: { code: 131047, message: 'Re-engagement message' } }, {}, 'rejected', 'wa_131047', undefined],
    [500, { error: { code: 2 } }, {}, 'unavailable', 'http_500', undefined],
    [400, { error: { code: 100, message: 'Invalid parameter' } }, {}, 'rejected', 'meta_100', undefined],
  ])('HTTP %i %j → %s', (status, body, headers, code, platformCode, retryAfterMs) => {
    const error = map(status, body, headers);
    expect(error).toMatchObject({ code, options: expect.objectContaining({ platformCode }) });
    expect(error.retryAfterMs).toBe(retryAfterMs);
    expect(error.retryable).toBe(code !== 'rejected');
  });
});
