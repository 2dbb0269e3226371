import { parseWaWebMessage } from '../../adapters/whatsapp-web';
import { waWebMessage } from '../support/wwebjs-fake';

describe('whatsapp-web.js message → normalized event', () => {
  it('reads a location with its name', () => {
    const event = parseWaWebMessage(waWebMessage({ from: '4915112345678@c.us', type: 'location', location: { latitude: '52.52', longitude: '13.405', description: 'Shop Berlin' } }));
    expect(event).toMatchObject({ kind: 'message', parts: [{ type: 'location', latitude: 52.52, longitude: 13.405, name: 'Shop Berlin' }], from: { phone: '+4915112345678' } });
  });

  it('names shared contacts', () => {
    const event = parseWaWebMessage(waWebMessage({ from: '4915112345678@c.us', type: 'multi_vcard', vCards: ['BEGIN:VCARD\nVERSION:3.0\nFN:Ana Lima\nEND:VCARD', 'BEGIN:VCARD\nFN:Bo Chen\nEND:VCARD'] }));
    expect(event).toMatchObject({ kind: 'message', parts: [{ type: 'text', text: 'Shared contacts: Ana Lima, Bo Chen' }] });
  });

  it('keeps a hidden-number sender (@lid) as an id without a phone', () => {
    const event = parseWaWebMessage(waWebMessage({ from: '123456789012345@lid', body: 'hi', name: 'Kim' }));
    expect(event).toMatchObject({ kind: 'message', from: { externalId: '123456789012345@lid', displayName: 'Kim' } });
    expect(event.kind === 'message' ? event.from.phone : 'not a message').toBeUndefined();
  });

  it('records media it could not download by message id, and a sticker without its caption text', () => {
    const voice = parseWaWebMessage({ ...waWebMessage({ from: '15550001@c.us', type: 'ptt' }), hasMedia: true });
    expect(voice).toMatchObject({ kind: 'message', parts: [{ type: 'media', url: expect.stringMatching(/^wa-web-media:false_15550001@c\.us_/) }] });
    const sticker = parseWaWebMessage({ ...waWebMessage({ from: '15550001@c.us', type: 'sticker', body: 'ignored' }), hasMedia: true }, { mimeType: 'image/webp', sizeBytes: 10, stored: true });
    expect(sticker).toMatchObject({ kind: 'message', parts: [{ type: 'media', url: 'attachment:0', mimeType: 'image/webp' }] });
  });

  it('acknowledges what it does not serve, naming it', () => {
    expect(parseWaWebMessage(waWebMessage({ from: '15550001@c.us', type: 'revoked' }))).toMatchObject({ kind: 'unsupported', reason: 'message type "revoked"' });
    expect(parseWaWebMessage(waWebMessage({ from: '15550001@c.us', type: 'chat', body: '   ' }))).toMatchObject({ kind: 'unsupported' });
    expect(parseWaWebMessage(waWebMessage({ from: '120363000000@newsletter', body: 'news' }))).toMatchObject({ kind: 'unsupported', reason: 'channel posts are not served' });
    expect(parseWaWebMessage({ ...waWebMessage({ from: '15550001@c.us', body: 'x' }), id: { _serialized: '' } })).toMatchObject({ kind: 'unsupported' });
  });
});
