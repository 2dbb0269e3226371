import type { RawRequest } from '../types';

export type Json = Record<string, unknown>;

/** The webhook body as an object, or undefined when it is not a JSON object. */
export function decodeMetaBody(req: RawRequest): Json | undefined {
  try {
    return obj(JSON.parse(req.rawBody.toString('utf8')));
  } catch {
    return undefined;
  }
}

export function obj(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : typeof value === 'number' ? String(value) : undefined;
}

export function num(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Epoch seconds (WhatsApp) or milliseconds (Messenger) → Date; `fallback` when missing or absurd. */
export function dateOf(value: unknown, unit: 's' | 'ms', fallback: Date): Date {
  const n = num(value);
  if (n === undefined) return fallback;
  const date = new Date(unit === 's' ? n * 1000 : n);
  return Number.isNaN(date.getTime()) ? fallback : date;
}
