import express, { type Request, type RequestHandler } from 'express';
import type { RawRequest } from '../../adapters/types';
import { HttpError } from './errors';

/**
 * Keeps the exact bytes: signatures are computed over them, so nothing may parse and re-serialize the body
 * before an adapter verifies it.
 */
export function rawBody(limitBytes: number): RequestHandler {
  return express.raw({ type: () => true, limit: limitBytes });
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** JSON endpoints of our own API: the content type must say JSON, and the bytes must be valid UTF-8. */
export function requireJson(req: Request): void {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!/^application\/([a-z0-9.+-]+\+)?json\b/.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', `expected Content-Type: application/json, got "${type || 'none'}"`);
  }
  const charset = /charset=([^;\s]+)/.exec(type)?.[1]?.replace(/"/g, '');
  if (charset && !/^utf-?8$/.test(charset)) {
    throw new HttpError(415, 'unsupported_encoding', `charset "${charset}" is not supported; send UTF-8`);
  }
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  try {
    UTF8.decode(body);
  } catch {
    throw new HttpError(400, 'invalid_encoding', 'body is not valid UTF-8');
  }
}

export function toRawRequest(req: Request): RawRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
  const query: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.query)) query[k] = typeof v === 'string' ? v : undefined;
  return {
    method: req.method,
    path: req.path,
    headers,
    query,
    rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
  };
}
