import type { DeliveryStatus, Identity, InboundEvent, Part, RawRequest } from '../types';
import { dateOf, decodeMetaBody, list, num, obj, str, type Json } from './payload';

const MEDIA_TYPES = ['image', 'document', 'audio', 'video', 'sticker'] as const;
const STATUSES = new Set<DeliveryStatus>(['sent', 'delivered', 'read', 'failed']);

/**
 * Pure: a WhatsApp Cloud API webhook in, normalized events out. One POST can batch several entries, changes,
 * messages and statuses; each becomes its own event. Never throws: unknown shapes are `unsupported`.
 */
export function parseWhatsAppRequest(req: RawRequest, now: Date = new Date()): InboundEvent<Json | undefined>[] {
  const body = decodeMetaBody(req);
  if (!body || body.object !== 'whatsapp_business_account') {
    return [{ kind: 'unsupported', reason: `not a WhatsApp webhook (object "${String(body?.object)}")`, raw: body }];
  }
  const events: InboundEvent<Json | undefined>[] = [];
  for (const entry of list(body.entry)) {
    for (const change of list(obj(entry)?.changes)) {
      const value = obj(obj(change)?.value);
      if (!value || obj(change)?.field !== 'messages') {
        events.push({ kind: 'unsupported', reason: `WhatsApp change field "${String(obj(change)?.field)}"`, raw: body });
        continue;
      }
      const phoneNumberId = str(obj(value.metadata)?.phone_number_id) ?? '';
      const names = new Map<string, string>();
      for (const c of list(value.contacts)) {
        const waId = str(obj(c)?.wa_id);
        const name = str(obj(obj(c)?.profile)?.name);
        if (waId && name) names.set(waId, name);
      }
      for (const m of list(value.messages)) events.push(parseMessage(obj(m), phoneNumberId, names, now, body));
      for (const s of list(value.statuses)) events.push(parseStatus(obj(s), now, body));
    }
  }
  return events.length ? events : [{ kind: 'unsupported', reason: 'WhatsApp webhook without messages or statuses', raw: body }];
}

function parseMessage(m: Json | undefined, phoneNumberId: string, names: Map<string, string>, now: Date, raw: Json): InboundEvent<Json> {
  const id = str(m?.id);
  const from = str(m?.from);
  const type = str(m?.type);
  if (!m || !id || !from || !type) return { kind: 'unsupported', reason: 'WhatsApp message without id, from or type', raw };
  const sentAt = dateOf(m.timestamp, 's', now);
  const name = names.get(from);
  const identity: Identity = { externalId: from, phone: `+${from}`, ...(name ? { displayName: name } : {}) };
  const address = { to: from, extra: { phoneNumberId, lastInboundAt: sentAt.toISOString() } };
  const message = (parts: Part[]): InboundEvent<Json> => ({ kind: 'message', externalId: id, from: identity, address, parts, sentAt, isSelf: false, raw });
  const action = (value: string | undefined, title: string | undefined): InboundEvent<Json> =>
    value ? { kind: 'action', externalId: id, from: identity, address, value, ...(title ? { title } : {}), sentAt, raw } : { kind: 'unsupported', reason: `WhatsApp ${type} without an id`, raw };

  switch (type) {
    case 'text': {
      const text = str(obj(m.text)?.body);
      return text ? message([{ type: 'text', text }]) : { kind: 'unsupported', reason: 'empty WhatsApp text', raw };
    }
    case 'interactive': {
      const interactive = obj(m.interactive);
      const reply = obj(interactive?.button_reply) ?? obj(interactive?.list_reply);
      if (!reply) return { kind: 'unsupported', reason: `WhatsApp interactive "${String(interactive?.type)}"`, raw };
      return action(str(reply.id), str(reply.title));
    }
    case 'button': {
      // A template's quick-reply button: the payload is what the template defined.
      const button = obj(m.button);
      return action(str(button?.payload) ?? str(button?.text), str(button?.text));
    }
    case 'location': {
      const loc = obj(m.location);
      const latitude = num(loc?.latitude);
      const longitude = num(loc?.longitude);
      if (latitude === undefined || longitude === undefined) return { kind: 'unsupported', reason: 'WhatsApp location without coordinates', raw };
      const locName = str(loc?.name);
      const locAddress = str(loc?.address);
      return message([{ type: 'location', latitude, longitude, ...(locName ? { name: locName } : {}), ...(locAddress ? { address: locAddress } : {}) }]);
    }
    case 'contacts': {
      const summary = list(m.contacts)
        .map((c) => {
          const card = obj(c);
          const who = str(obj(card?.name)?.formatted_name) ?? 'Unnamed contact';
          const phones = list(card?.phones).map((p) => str(obj(p)?.phone)).filter(Boolean);
          return phones.length ? `${who} (${phones.join(', ')})` : who;
        })
        .join('; ');
      return message([{ type: 'text', text: `Shared contact: ${summary || 'empty card'}` }]);
    }
    default: {
      if ((MEDIA_TYPES as readonly string[]).includes(type)) {
        const media = obj(m[type]);
        const mediaId = str(media?.id);
        if (!mediaId) return { kind: 'unsupported', reason: `WhatsApp ${type} without a media id`, raw };
        const mimeType = str(media?.mime_type);
        const caption = str(media?.caption);
        const fileName = str(media?.filename);
        // The bytes need a Graph lookup with the token (see `fetchWhatsAppMedia`); the id is what is durable.
        return message([{ type: 'media', url: `wa-media:${mediaId}`, ...(mimeType ? { mimeType } : {}), ...(caption ? { caption } : {}), ...(fileName ? { name: fileName } : {}) }]);
      }
      return { kind: 'unsupported', reason: `WhatsApp message type "${type}"`, raw };
    }
  }
}

/**
 * `played`: the customer listened to a voice message we sent (it comes instead of `read` for voice notes, so
 * ignoring it left them at `delivered`). The model's nearest status is `read`; the raw status stays in `raw`.
 */
const STATUS_ALIASES: Record<string, DeliveryStatus> = { played: 'read' };

function parseStatus(s: Json | undefined, now: Date, raw: Json): InboundEvent<Json> {
  const id = str(s?.id);
  const given = str(s?.status);
  const status = (given && STATUS_ALIASES[given]) ?? (given as DeliveryStatus | undefined);
  if (!s || !id || !status || !STATUSES.has(status)) return { kind: 'unsupported', reason: `WhatsApp status "${String(s?.status)}"`, raw };
  const first = obj(list(s.errors)[0]);
  const code = str(first?.code);
  const error = status === 'failed' ? { code: code ? `wa_${code}` : 'wa_failed', message: str(first?.message) ?? str(first?.title) ?? 'WhatsApp reported the message as failed' } : undefined;
  return { kind: 'status', externalId: id, status, ...(error ? { error } : {}), at: dateOf(s.timestamp, 's', now), raw };
}
