/**
 * The OpenAPI 3.1 description of the public HTTP surface, built in TS so it type-checks and ships with the build
 * (no YAML file to locate at start). Scope so far: /health, /ready and the HTTP API channel (/api/v1); the
 * console's JSON API is not described yet (issue #15, see docs/decisions.md).
 * Schemas mirror the code they describe: the inbound body is adapters/api/parse.ts (zod strips unknown keys,
 * so additionalProperties stays open), responses are what src/http/api-routes.ts and errors.ts write.
 */
const error = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const;

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

const health = {
  type: 'object',
  required: ['status', 'store'],
  additionalProperties: false,
  properties: {
    status: { enum: ['ok', 'unavailable'] },
    store: {
      type: 'object',
      required: ['available'],
      additionalProperties: false,
      properties: { available: { type: 'boolean' }, reason: { type: 'string' }, since: { type: 'string', format: 'date-time' } },
    },
  },
} as const;

const id = { type: 'string', minLength: 1, maxLength: 256 } as const;

const inboundMessage = {
  type: 'object',
  required: ['id', 'contact'],
  description: 'Either a non-blank "text" or a "choice" is required.',
  anyOf: [{ required: ['text'] }, { required: ['choice'] }],
  properties: {
    id,
    contact: {
      type: 'object',
      required: ['id'],
      properties: {
        id,
        name: { type: 'string', maxLength: 256 },
        email: { type: 'string', format: 'email', maxLength: 320 },
        phone: { type: 'string', maxLength: 64 },
      },
    },
    text: { type: 'string', maxLength: 10_000 },
    choice: { type: 'object', required: ['id'], properties: { id, title: { type: 'string', maxLength: 256 } } },
  },
} as const;

const accepted = {
  type: 'object',
  required: ['conversationId', 'messageId', 'duplicate'],
  additionalProperties: false,
  properties: { conversationId: { type: 'string' }, messageId: { type: 'string' }, duplicate: { type: 'boolean' } },
} as const;

const message = {
  type: 'object',
  required: ['id', 'direction', 'author', 'text', 'parts', 'citations', 'createdAt'],
  properties: {
    id: { type: 'string' },
    direction: { enum: ['inbound', 'outbound'] },
    author: { type: 'object' },
    text: { type: 'string' },
    parts: { type: 'array' },
    citations: { type: 'array' },
    clientMessageId: { type: 'string' },
    delivery: { type: 'object', required: ['status', 'attempts'] },
    createdAt: { type: 'string', format: 'date-time' },
  },
} as const;

const history = {
  type: 'object',
  required: ['conversationId', 'status', 'messages'],
  additionalProperties: false,
  properties: {
    conversationId: { type: 'string' },
    status: { type: 'string' },
    escalationReason: { type: 'string' },
    messages: { type: 'array', items: { $ref: '#/components/schemas/Message' } },
  },
} as const;

export function openApiDocument(version: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: { title: 'Switchboard', version },
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: "The API channel's key." } },
      schemas: { Error: error, Health: health, InboundMessage: inboundMessage, Accepted: accepted, Message: message, History: history },
    },
    paths: {
      '/health': { get: { operationId: 'health', responses: healthResponses() } },
      '/ready': { get: { operationId: 'ready', responses: healthResponses() } },
      '/api/v1/messages': {
        post: {
          operationId: 'postMessage',
          security: [{ apiKey: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/InboundMessage' } } } },
          responses: {
            '202': { description: 'Stored (or a redelivery of a stored id).', content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } } },
            '400': errorResponse('Malformed or invalid body.'),
            '401': errorResponse('Missing or invalid API key.'),
            '413': errorResponse('Body too large.'),
            '415': errorResponse('Not JSON.'),
            '429': errorResponse('Rate limited (Retry-After).'),
            '503': errorResponse('Store unavailable (Retry-After).'),
          },
        },
      },
      '/api/v1/conversations/{id}/messages': {
        get: {
          operationId: 'conversationMessages',
          security: [{ apiKey: [] }],
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } },
          ],
          responses: {
            '200': { description: 'The conversation and its messages.', content: { 'application/json': { schema: { $ref: '#/components/schemas/History' } } } },
            '401': errorResponse('Missing or invalid API key.'),
            '404': errorResponse('No such conversation on this channel.'),
            '429': errorResponse('Rate limited (Retry-After).'),
            '503': errorResponse('Store unavailable (Retry-After).'),
          },
        },
      },
    },
  };
}

function healthResponses() {
  const body = { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } };
  return { '200': { description: 'Up.', content: body }, '503': { description: 'Store down (Retry-After).', content: body } };
}
