import { randomBytes } from 'node:crypto';
import { MediaLinks } from '../../src/media/links';
import { textForAgents } from '../../src/desk/agent-text';

const messageId = '6b061369a182ec9f02ebe974';

describe('signed media links', () => {
  const key = randomBytes(32);
  const links = new MediaLinks(key, 3_600_000, 'https://support.shop.example/');
  const now = new Date('2026-11-25T09:00:00Z');

  it('names the file until it expires', () => {
    const url = links.url({ messageId, index: 1 }, now)!;
    expect(url).toMatch(/^https:\/\/support\.shop\.example\/media\/6b061369a182ec9f02ebe974\.1\.\d+\.[A-Za-z0-9_-]{43}$/);
    const token = url.split('/').pop()!;
    expect(links.verify(token, new Date(now.getTime() + 3_599_000))).toEqual({ messageId, index: 1 });
    expect(links.verify(token, new Date(now.getTime() + 3_601_000))).toBe('expired');
  });

  it('refuses a token another key signed, or one edited to name another file or live longer', () => {
    const token = links.token({ messageId, index: 0 }, now);
    expect(new MediaLinks(randomBytes(32), 3_600_000, undefined).verify(token, now)).toBe('invalid');
    const [id, , expires, mac] = token.split('.');
    expect(links.verify([id, '1', expires, mac].join('.'), now)).toBe('invalid');
    expect(links.verify([id, '0', String(Number(expires) + 86_400), mac].join('.'), now)).toBe('invalid');
    expect(links.verify('../../etc/passwd', now)).toBe('invalid');
  });

  it('gives no link without a public URL', () => {
    expect(new MediaLinks(key, 1000, undefined).url({ messageId, index: 0 }, now)).toBeUndefined();
  });
});

describe('a customer message as agents read it', () => {
  it('lists files with their size and link, and locations, under the text', () => {
    const text = textForAgents(
      {
        text: 'the box arrived like this',
        parts: [
          { type: 'text', text: 'the box arrived like this' },
          { type: 'media', url: 'attachment:0', mimeType: 'image/jpeg', sizeBytes: 245_000 },
          { type: 'media', url: 'wa-media:9', mimeType: 'application/pdf', name: 'invoice.pdf', sizeBytes: 3_500_000 },
          { type: 'location', latitude: 52.52, longitude: 13.405, name: 'Shop Berlin' },
        ],
      },
      (index) => (index === 1 ? 'https://x/media/t1' : undefined),
    );
    expect(text).toBe(
      'the box arrived like this\n📎 photo (image/jpeg, 239 KB) https://x/media/t1\n📎 invoice.pdf (application/pdf, 3.3 MB)\n📍 Shop Berlin https://www.openstreetmap.org/?mlat=52.52&mlon=13.405',
    );
  });
});
