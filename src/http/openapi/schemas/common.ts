import { bool, dateTime, list, obj, oneOf, str, strings, type Schema } from './build';

/** src/http/errors.ts: every refusal and failure, whatever the route. */
export const ErrorBody: Schema = {
  ...obj({ error: obj({ code: str, message: str }) }),
  description: '`code` is stable and machine-readable (e.g. `invalid_body`, `unauthorized`); `message` says what to change.',
};

const store = obj({ available: bool, reason: str, since: dateTime }, ['reason', 'since']);

/** GET /health (src/http/health-routes.ts). */
export const Health: Schema = obj({ status: oneOf('ok', 'unavailable'), store });

/** GET /ready: the store, this process's workers, and every stateful connection held somewhere (src/readiness.ts). */
export const Ready: Schema = obj(
  {
    status: oneOf('ok', 'unavailable'),
    notReady: strings,
    store,
    workers: { oneOf: [obj({ ready: { const: true } }), obj({ ready: { const: false }, reason: str })] },
    connections: obj({ ready: bool, unheld: list(obj({ channelId: str, kind: str })) }),
  },
  ['notReady', 'workers', 'connections'],
);

export const commonSchemas = { Error: ErrorBody, Health, Ready };
