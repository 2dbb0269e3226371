import type { RouteSpec } from '../console/route-table';
import { consolePaths } from './console-paths';
import { channelPaths } from './channel-paths';
import { apiChannelSchemas } from './schemas/api-channel';
import { commonSchemas } from './schemas/common';
import { accessSchemas } from './schemas/console-access';
import { adminSchemas } from './schemas/console-admin';
import { inboxSchemas } from './schemas/console-inbox';
import { reportSchemas } from './schemas/console-reports';

export interface DocumentSource {
  version: string;
  /** The console route table the gateway mounts: the console API's paths are generated from it. */
  consoleTable: readonly RouteSpec[];
  maxBodyBytes: number;
}

/**
 * The OpenAPI 3.1 description of the gateway's HTTP API: /health, /ready, /metrics, /openapi.json, the HTTP API
 * channel (/api/v1) and the console's JSON API (/console/api). Built in TS, so it type-checks and ships with the
 * build, and the console part is generated from the route table (console-paths.ts). Not described: platform
 * webhooks (/webhooks/*, each platform's own format), the web chat widget's transport, /media links, and the
 * console's HTML pages and /admin pages (docs/decisions.md).
 */
export function openApiDocument(source: DocumentSource): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard',
      version: source.version,
      description: 'Customer-service gateway. Errors are always `{"error":{"code","message"}}`. Kept true by test/contract/openapi.test.ts and scripts/fuzz-openapi.sh (schemathesis).',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    components: {
      securitySchemes: {
        apiChannelKey: { type: 'http', scheme: 'bearer', description: "An HTTP API channel's key (its secret `apiKey`). Replies to a callback URL are signed: see the `apiCallback` webhook." },
        consoleSession: { type: 'apiKey', in: 'cookie', name: 'sb_session', description: 'The console session cookie set by sign-in; writes also need the X-CSRF-Token header.' },
        consoleToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'For scripts: a personal API token (`sbt_…`, created under Account or with POST /console/api/tokens; at most its role) or the operator\'s ADMIN_TOKEN (owner). No CSRF header needed.',
        },
        consoleBasic: { type: 'http', scheme: 'basic', description: 'The ADMIN_TOKEN (or a personal token) as the password, any user name: for opening /admin pages in a browser.' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN.' },
      },
      schemas: { ...commonSchemas, ...apiChannelSchemas, ...inboxSchemas, ...accessSchemas, ...adminSchemas, ...reportSchemas },
    },
    paths: { ...channelPaths(source.maxBodyBytes), ...consolePaths(source.consoleTable, source.maxBodyBytes) },
    webhooks: {
      apiCallback: {
        post: {
          summary: "A reply, POSTed to an API channel's callback URL",
          description:
            'Signed: `X-Switchboard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(signingSecret, "<t>.<body>")>`; reject a `t` more than 5 minutes off. `X-Switchboard-Message-Id` is stable across retries.',
          parameters: [
            { name: 'X-Switchboard-Signature', in: 'header', required: true, schema: { type: 'string', pattern: '^t=\\d+,v1=[0-9a-f]{64}$' } },
            { name: 'X-Switchboard-Message-Id', in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/Callback' } } } },
          responses: { '2XX': { description: 'Received. Anything else is retried with back-off.' } },
        },
      },
    },
  };
}
