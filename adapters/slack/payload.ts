import type { RawRequest } from '../types';

/**
 * Slack posts Events API callbacks as JSON and interactivity (button clicks) as a form with one `payload` field
 * holding JSON. Returns the decoded object, or undefined when it is neither.
 */
export function decodeSlackBody(req: RawRequest): Record<string, unknown> | undefined {
  const text = req.rawBody.toString('utf8');
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  try {
    if (type.startsWith('application/x-www-form-urlencoded')) {
      const payload = new URLSearchParams(text).get('payload');
      return payload ? asObject(JSON.parse(payload)) : undefined;
    }
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
