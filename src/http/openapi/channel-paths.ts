/**
 * The paths outside the console: health and readiness, metrics, this document, and the HTTP API channel
 * (src/http/health-routes.ts, metrics-routes.ts, api-routes.ts). Hand-written: five routes in three files.
 */
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const json = (description: string, schema: string) => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } });
const apiKey = [{ apiChannelKey: [] }];

export function channelPaths(maxBodyBytes: number): Record<string, Record<string, unknown>> {
  return {
    '/health': {
      get: { operationId: 'health', summary: 'Liveness: answers from the store state alone', tags: ['operations'], security: [], responses: { '200': json('Up.', 'Health'), '503': json('Store down (Retry-After).', 'Health') } },
    },
    '/ready': {
      get: {
        operationId: 'ready',
        summary: 'Readiness: store, workers, stateful connections',
        tags: ['operations'],
        security: [],
        responses: { '200': json('Ready.', 'Ready'), '503': json('Not ready; `notReady` names what is not (Retry-After while the store is down).', 'Ready') },
      },
    },
    '/metrics': {
      get: {
        operationId: 'metrics',
        summary: 'Prometheus metrics',
        tags: ['operations'],
        security: [{ metricsToken: [] }],
        responses: {
          '200': { description: 'Prometheus text format.', content: { 'text/plain': { schema: { type: 'string' } } } },
          '401': errorResponse('Missing or wrong METRICS_TOKEN.'),
          '404': errorResponse('METRICS_TOKEN is not set: metrics are off.'),
        },
      },
    },
    '/openapi.json': {
      get: {
        operationId: 'openApi',
        summary: 'This document',
        tags: ['operations'],
        security: [],
        responses: { '200': { description: 'OpenAPI 3.1.', content: { 'application/json': { schema: { type: 'object', required: ['openapi', 'paths'] } } } } },
      },
    },
    '/api/v1/messages': {
      post: {
        operationId: 'postMessage',
        summary: 'Send a customer message to the gateway',
        tags: ['api channel'],
        security: apiKey,
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/InboundMessage' } } } },
        responses: {
          '202': json('Stored (or a redelivery of a stored id).', 'Accepted'),
          '400': errorResponse('Malformed or invalid body.'),
          '401': errorResponse('Missing or invalid API key.'),
          '413': errorResponse(`Body larger than ${maxBodyBytes} bytes.`),
          '415': errorResponse('Not JSON.'),
          '429': errorResponse('Rate limited (Retry-After).'),
          '503': errorResponse('Store unavailable (Retry-After).'),
        },
      },
    },
    '/api/v1/conversations/{id}/messages': {
      get: {
        operationId: 'conversationMessages',
        summary: 'Read a conversation back (channels without a callback URL)',
        tags: ['api channel'],
        security: apiKey,
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 500 } },
        ],
        responses: {
          '200': json('The conversation and its messages.', 'History'),
          '400': errorResponse('A query parameter the route refuses.'),
          '401': errorResponse('Missing or invalid API key.'),
          '404': errorResponse('No such conversation on this channel.'),
          '429': errorResponse('Rate limited (Retry-After).'),
          '503': errorResponse('Store unavailable (Retry-After).'),
        },
      },
    },
  };
}
