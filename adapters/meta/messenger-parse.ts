import type { Identity, InboundEvent, Part, RawRequest } from '../types';
import { dateOf, decodeMetaBody, list, num, obj, str, type Json } from './payload';

const ATTACHMENT_KINDS: Record<string, string> = { image: 'image/*', video: 'video/*', audio: 'audio/*', file: 'application/octet-stream' };

/**
 * Instagram attachments that point at someone's content rather than carrying a file: a shared post (`share`, and
 * `ig_post` in newer webhooks), a shared reel (`ig_reel`, `reel`), a story that mentions the business
 * (`story_mention`), and Messenger's link shares (`fallback`). Each has `payload.url`.
 */
const SHARED_KINDS: Record<string, string> = {
  share: 'Shared a post',
  ig_post: 'Shared a post',
  ig_reel: 'Shared a reel',
  reel: 'Shared a reel',
  story_mention: 'Mentioned you in their story',
  fallback: 'Shared a link',
};

/**
 * Pure: a Messenger (`object: "page"`) or Instagram (`object: "instagram"`) webhook in, normalized events out.
 * Both use `entry[].messaging[]`; senders are PSIDs / IGSIDs scoped to the page. Never throws.
 */
export function parseMessengerRequest(req: RawRequest, object: 'page' | 'instagram', now: Date = new Date()): InboundEvent<Json | undefined>[] {
  const body = decodeMetaBody(req);
  if (!body || body.object !== object) return [{ kind: 'unsupported', reason: `not a ${object} webhook (object "${String(body?.object)}")`, raw: body }];
  const events: InboundEvent<Json | undefined>[] = [];
  for (const entry of list(body.entry)) {
    const pageId = str(obj(entry)?.id) ?? '';
    const messaging = list(obj(entry)?.messaging);
    if (!messaging.length) events.push({ kind: 'unsupported', reason: 'entry without messaging events', raw: body });
    for (const e of messaging) events.push(...parseEvent(obj(e), pageId, now, body));
  }
  return events.length ? events : [{ kind: 'unsupported', reason: 'webhook without entries', raw: body }];
}

function parseEvent(e: Json | undefined, pageId: string, now: Date, raw: Json): InboundEvent<Json>[] {
  const sender = str(obj(e?.sender)?.id);
  const recipient = str(obj(e?.recipient)?.id);
  if (!e || !sender) return [{ kind: 'unsupported', reason: 'messaging event without a sender', raw }];
  const sentAt = dateOf(e.timestamp, 'ms', now);
  const page = pageId || recipient || '';
  const from: Identity = { externalId: sender };
  const address = { to: sender, extra: { pageId: page, lastInboundAt: sentAt.toISOString() } };

  const delivery = obj(e.delivery);
  if (delivery) {
    const mids = list(delivery.mids).map(str).filter((m): m is string => Boolean(m));
    if (!mids.length) return [{ kind: 'unsupported', reason: 'delivery receipt without mids', raw }];
    return mids.map((mid) => ({ kind: 'status' as const, externalId: mid, status: 'delivered' as const, at: sentAt, raw }));
  }
  // Reads carry only a watermark (everything before it was read): nothing that names our message.
  if (obj(e.read)) return [{ kind: 'unsupported', reason: 'read receipt (watermark only)', raw }];

  const postback = obj(e.postback);
  if (postback) {
    const value = str(postback.payload) ?? str(postback.title);
    if (!value) return [{ kind: 'unsupported', reason: 'postback without a payload', raw }];
    const title = str(postback.title);
    const externalId = str(postback.mid) ?? `postback:${sender}:${String(e.timestamp)}`;
    return [{ kind: 'action', externalId, from, address, value, ...(title ? { title } : {}), sentAt, raw }];
  }

  const message = obj(e.message);
  const mid = str(message?.mid);
  if (!message || !mid) return [{ kind: 'unsupported', reason: `messaging event "${Object.keys(e).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k)).join(',')}"`, raw }];
  if (message.is_deleted === true) return [{ kind: 'unsupported', reason: 'message deleted', raw }];
  const text = str(message.text);
  if (message.is_echo === true) {
    // Our own message (or one a person sent from the Page inbox): the pipeline drops it as a loop guard.
    const customer = recipient ?? '';
    return [{ kind: 'message', externalId: mid, from, address: { to: customer, extra: { pageId: sender } }, parts: text ? [{ type: 'text', text }] : [], sentAt, isSelf: true, raw }];
  }
  const quickReply = str(obj(message.quick_reply)?.payload);
  if (quickReply) return [{ kind: 'action', externalId: mid, from, address, value: quickReply, ...(text ? { title: text } : {}), sentAt, raw }];

  const parts: Part[] = text ? [{ type: 'text', text }] : [];
  for (const a of list(message.attachments)) {
    const attachment = obj(a);
    const type = str(attachment?.type) ?? '';
    const payload = obj(attachment?.payload);
    const coordinates = obj(payload?.coordinates);
    const lat = num(coordinates?.lat);
    const long = num(coordinates?.long);
    if (type === 'location' && lat !== undefined && long !== undefined) {
      parts.push({ type: 'location', latitude: lat, longitude: long });
      continue;
    }
    const url = str(payload?.url);
    if (url && ATTACHMENT_KINDS[type]) {
      parts.push({ type: 'media', url, mimeType: ATTACHMENT_KINDS[type] });
      continue;
    }
    const shared = SHARED_KINDS[type];
    if (url && shared) {
      // A post, reel or story the customer sent us, or their story that mentions us: the CDN link to its media
      // (it expires), with what it is as the caption so the brain and the agents know what they are looking at.
      const title = str(payload?.title);
      parts.push({ type: 'media', url, caption: title ? `${shared}: ${title}` : shared });
    }
  }
  if (!parts.length) return [{ kind: 'unsupported', reason: 'message without text or supported attachments', raw }];
  return [{ kind: 'message', externalId: mid, from, address, parts, sentAt, isSelf: false, raw }];
}
