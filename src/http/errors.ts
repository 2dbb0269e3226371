import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { AdapterError } from '../../adapters/types';

/** An error that becomes a JSON 4xx/5xx response: `{"error":{"code","message"}}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The driver's errors for "the server is not there" (a request that was in flight when the store died, or raced
 * the driver noticing): the client may retry, unlike a bug's 500. Matched by name, as the driver names them.
 */
const STORE_DOWN_ERRORS = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);
const STORE_RETRY_AFTER_S = 5;

function isStoreDown(err: unknown): boolean {
  for (let e = err as { name?: string; message?: string; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (e.name && STORE_DOWN_ERRORS.has(e.name)) return true;
    // mongoose's buffering of operations while disconnected gives up with a plain MongooseError.
    if (e.name === 'MongooseError' && /buffering timed out/.test(e.message ?? '')) return true;
  }
  return false;
}

/** 429 with `Retry-After` (seconds): the client may try again once its window reopens. */
export class RateLimitedError extends HttpError {
  constructor(
    readonly retryAfterSec: number,
    what: string,
  ) {
    super(429, 'rate_limited', `too many ${what}; retry after ${retryAfterSec} s`);
  }
}

const ADAPTER_STATUS: Record<string, number> = { bad_signature: 401, stale_signature: 401, bad_request: 400, unsupported: 400 };

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = toHttpError(err);
    // The outage itself is logged once at error level when it starts (src/store/availability.ts), not per request.
    if (known.code === 'store_unavailable') log.warn({ path: req.path, reason: known.message }, 'request refused: store unavailable');
    else if (known.status >= 500) log.error({ err, path: req.path }, 'request failed');
    else log.info({ path: req.path, status: known.status, code: known.code }, 'request rejected');
    if (res.headersSent) return;
    if (known.code === 'store_unavailable' && !res.get('retry-after')) res.set('retry-after', String(STORE_RETRY_AFTER_S));
    if (known instanceof RateLimitedError) res.set('retry-after', String(known.retryAfterSec));
    res.status(known.status).json({ error: { code: known.code, message: known.message } });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}`));
};

/** The status `errorHandler` answers `err` with (the webhook metrics classify refusals by it). */
export function httpStatusOf(err: unknown): number {
  return toHttpError(err).status;
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (isStoreDown(err)) return new HttpError(503, 'store_unavailable', 'the message store is unavailable; retry later');
  if (err instanceof AdapterError) return new HttpError(ADAPTER_STATUS[err.code] ?? 502, err.code, err.message);
  // body-parser's typed errors: oversized, bad JSON, unsupported charset.
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  switch (e.type) {
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', `body exceeds the ${e.limit} byte limit`);
    case 'entity.parse.failed':
      return new HttpError(400, 'malformed_json', `body is not valid JSON: ${e.message}`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpError(415, 'unsupported_encoding', e.message ?? 'unsupported encoding');
    case 'request.aborted':
      return new HttpError(400, 'request_aborted', 'the client aborted the request');
  }
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) {
    return new HttpError(e.status, 'bad_request', e.message ?? 'bad request');
  }
  return new HttpError(500, 'internal_error', 'internal error');
}
