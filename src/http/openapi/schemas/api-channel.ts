import { bool, dateTime, list, obj, oneOf, ref, str, type Schema } from './build';

/**
 * The HTTP API channel (/api/v1, src/http/api-routes.ts). The inbound body mirrors adapters/api/parse.ts: zod strips
 * unknown keys, so it stays open; the responses are closed.
 */
const id: Schema = { type: 'string', minLength: 1, maxLength: 256 };

export const InboundMessage: Schema = {
  type: 'object',
  required: ['id', 'contact'],
  description: 'Either a non-blank "text" or a "choice" is required.',
  // A blank text counts as none (parse.ts trims it), so the text alternative needs a non-space character.
  anyOf: [{ required: ['text'], properties: { text: { pattern: '\\S' } } }, { required: ['choice'] }],
  properties: {
    id,
    contact: {
      type: 'object',
      required: ['id'],
      properties: { id, name: { type: 'string', maxLength: 256 }, email: { type: 'string', format: 'email', maxLength: 320 }, phone: { type: 'string', maxLength: 64 } },
    },
    text: { type: 'string', maxLength: 10_000 },
    choice: { type: 'object', required: ['id'], properties: { id, title: { type: 'string', maxLength: 256 } } },
  },
};

export const Accepted: Schema = obj({ conversationId: str, messageId: str, duplicate: bool });

/** A stored message as the integrator reads it back: author and parts are the unified model's (conversations/types.ts). */
export const Message: Schema = obj(
  {
    id: str,
    direction: oneOf('inbound', 'outbound'),
    author: { type: 'object', required: ['kind'], properties: { kind: str, name: str } },
    text: str,
    parts: list({ type: 'object', required: ['type'], properties: { type: str } }),
    citations: list({ type: 'object', required: ['title'], properties: { title: str, url: str } }),
    clientMessageId: str,
    delivery: obj({ status: str, attempts: { type: 'integer', minimum: 0 }, error: obj({ code: str, message: str }) }, ['error']),
    createdAt: dateTime,
  },
  ['clientMessageId', 'delivery'],
);

export const History: Schema = obj({ conversationId: str, status: str, escalationReason: str, messages: list(ref('Message')) }, ['escalationReason']);

/** The signed POST the gateway sends to a channel's callback URL (adapters/api/index.ts). */
export const Callback: Schema = obj({
  type: { const: 'message' },
  conversationId: str,
  contact: obj({ id: str }),
  message: obj(
    {
      id: str,
      part: { type: 'integer', minimum: 0 },
      author: obj({ kind: str, name: str }, ['name']),
      text: str,
      format: str,
      choices: list({ type: 'object' }),
      citations: list({ type: 'object' }),
    },
  ),
});

export const apiChannelSchemas = { InboundMessage, Accepted, Message, History, Callback };
