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
    if (known.status >= 500) log.error({ err, path: req.path }, 'request failed');
    else log.info({ path: req.path, status: known.status, code: known.code }, 'request rejected');
    if (res.headersSent) return;
    if (known instanceof RateLimitedError) res.set('retry-after', String(known.retryAfterSec));
    res.status(known.status).json({ error: { code: known.code, message: known.message } });
  };
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new HttpError(404, 'not_found', `No route for ${req.method} ${req.path}`));
};

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
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
