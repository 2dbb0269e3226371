import { bool, dateTime, list, num, obj, oneOf, orNull, ref, str, strings, type Schema } from './build';

/** The inbox's shapes (src/http/console/api-types.ts: InboxRow, ConversationView, MessageView, Reading). */
const status = oneOf('bot', 'pending', 'assigned', 'resolved');
const priority = oneOf('low', 'normal', 'high', 'urgent');
const text = orNull(str);

export const InboxRow: Schema = obj({
  id: str,
  customer: str,
  channelKind: str,
  channelId: str,
  status,
  priority,
  team: text,
  reason: text,
  assigneeName: text,
  mine: bool,
  escalatedAt: dateTime,
  slaDueAt: orNull(dateTime),
  lastInboundAt: orNull(dateTime),
  intent: text,
  sentiment: text,
});

const Reading: Schema = obj({
  language: text,
  intent: text,
  intentConfidence: orNull(num),
  outOfScope: bool,
  sentiment: text,
  frustration: orNull(num),
  decision: text,
  reason: text,
  answerScore: orNull(num),
  answerSource: text,
  team: text,
  priority: text,
  provider: text,
});

export const MessageView: Schema = obj({
  id: str,
  direction: oneOf('inbound', 'outbound'),
  author: obj({ kind: str, name: text }),
  text: str,
  internal: bool,
  at: dateTime,
  files: list(obj({ name: str, mimeType: text, url: str })),
  citations: list(obj({ title: str, url: text })),
  delivery: orNull(obj({ status: str, error: text })),
  reading: orNull(Reading),
});

export const ConversationView: Schema = obj({
  id: str,
  status,
  priority,
  team: text,
  channelKind: str,
  channelId: str,
  reason: text,
  assigneeName: text,
  mine: bool,
  escalatedAt: orNull(dateTime),
  resolvedAt: orNull(dateTime),
  csat: orNull(num),
  customer: obj({ name: str, email: text, phone: text, vip: bool, channels: strings }),
  assist: orNull(obj({ summary: str, suggestion: orNull(obj({ text: str, citations: list(obj({ title: str, url: str }, ['url'])) })) })),
  messages: list(ref('MessageView')),
  colleagues: list(obj({ name: str, typing: bool })),
});

/** A long-polled answer (src/http/console/live.ts): `version` goes back as `?since=` to wait for a change. */
export function live(data: Schema): Schema {
  return obj({ version: str, data });
}

export const inboxSchemas = { InboxRow, MessageView, ConversationView };
