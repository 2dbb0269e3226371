import { HttpError } from '../errors';

/** A JSON body's field that must be a non-empty string; the 400 names it. */
export function requiredString(body: unknown, field: string, max = 10_000): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new HttpError(400, 'invalid_body', `"${field}" is required (a non-empty string)`);
  if (value.length > max) throw new HttpError(400, 'invalid_body', `"${field}" is longer than ${max} characters`);
  return value;
}

export function optionalString(body: unknown, field: string, max = 10_000): string | undefined {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new HttpError(400, 'invalid_body', `"${field}" must be a string`);
  if (value.length > max) throw new HttpError(400, 'invalid_body', `"${field}" is longer than ${max} characters`);
  return value;
}

export function objectField(body: unknown, field: string): Record<string, unknown> {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, 'invalid_body', `"${field}" must be an object`);
  return value as Record<string, unknown>;
}

export function optionalBoolean(body: unknown, field: string): boolean | undefined {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new HttpError(400, 'invalid_body', `"${field}" must be true or false`);
  return value;
}
