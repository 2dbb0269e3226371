import type { Identity, InboundEvent, Part } from '../types';
import type { WaWebMessage } from './client';

/** Message types that carry a file (`hasMedia`); `ptt` is a voice note. */
const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);

/** What the connection learned about a message's file before parsing (it downloads and stores the bytes). */
export interface WaWebMediaInfo {
  mimeType: string;
  sizeBytes: number;
  filename?: string;
  /** True when the bytes are in the attachments collection (`attachment:0`). */
  stored: boolean;
}

export interface WaWebMessageRaw {
  id: string;
  from: string;
  type: string;
}

/**
 * A whatsapp-web.js message → the normalized event. Pure; never throws. Only one-to-one chats are served: group
 * chats, status updates and channels are acknowledged as `unsupported`, so nobody's group gets a bot in it.
 */
export function parseWaWebMessage(msg: WaWebMessage, media?: WaWebMediaInfo): InboundEvent<WaWebMessageRaw> {
  const raw: WaWebMessageRaw = { id: msg.id?._serialized ?? '', from: msg.from ?? '', type: msg.type ?? '' };
  if (!raw.id || !raw.from) return { kind: 'unsupported', reason: 'whatsapp-web message without an id or sender', raw };
  if (msg.isStatus || msg.broadcast || raw.from.endsWith('@broadcast')) return { kind: 'unsupported', reason: 'status update', raw };
  if (raw.from.endsWith('@g.us')) return { kind: 'unsupported', reason: 'group chats are not served', raw };
  if (raw.from.endsWith('@newsletter')) return { kind: 'unsupported', reason: 'channel posts are not served', raw };

  const parts = partsOf(msg, media);
  if (!parts) return { kind: 'unsupported', reason: `message type "${raw.type}"`, raw };
  return {
    kind: 'message',
    externalId: raw.id,
    from: identityOf(msg),
    address: { to: raw.from },
    parts,
    sentAt: new Date((Number(msg.timestamp) || 0) * 1000),
    isSelf: msg.fromMe === true,
    raw,
  };
}

function identityOf(msg: WaWebMessage): Identity {
  const name = msg._data?.notifyName?.trim();
  // `@c.us` ids are phone numbers; `@lid` ids hide the number and are only an id.
  const phone = /^(\d{6,15})@c\.us$/.exec(msg.from)?.[1];
  return { externalId: msg.from, ...(name ? { displayName: name } : {}), ...(phone ? { phone: `+${phone}` } : {}) };
}

function partsOf(msg: WaWebMessage, media: WaWebMediaInfo | undefined): Part[] | undefined {
  const body = typeof msg.body === 'string' ? msg.body : '';
  switch (msg.type) {
    case 'chat':
      return body.trim() ? [{ type: 'text', text: body }] : undefined;
    case 'location': {
      const latitude = Number(msg.location?.latitude);
      const longitude = Number(msg.location?.longitude);
      if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return undefined;
      const name = msg.location?.name ?? msg.location?.description;
      return [{ type: 'location', latitude, longitude, ...(name ? { name } : {}), ...(msg.location?.address ? { address: msg.location.address } : {}) }];
    }
    case 'vcard':
    case 'multi_vcard': {
      const names = (msg.vCards ?? []).map((card) => /^FN:(.*)$/m.exec(card)?.[1]?.trim()).filter((n): n is string => Boolean(n));
      return [{ type: 'text', text: `Shared contact${names.length > 1 ? 's' : ''}: ${names.join(', ') || 'unnamed'}` }];
    }
    default:
      if (!MEDIA_TYPES.has(msg.type)) return undefined;
      return [
        ...(body.trim() && msg.type !== 'sticker' ? [{ type: 'text' as const, text: body }] : []),
        {
          type: 'media',
          // Stored bytes are served like a mail's attachments; otherwise the id says which message had them.
          url: media?.stored ? 'attachment:0' : `wa-web-media:${msg.id._serialized}`,
          ...(media ? { mimeType: media.mimeType, sizeBytes: media.sizeBytes } : {}),
          ...(media?.filename ? { name: media.filename } : {}),
        },
      ];
  }
}
