import type { RawRequest } from '../types';

/**
 * Slack posts Events API callbacks as JSON, interactivity (button clicks) as a form with one `payload` field
 * holding JSON, and slash commands as plain form fields (`command`, `text`, `user_id`…). Returns the decoded
 * object, or undefined when it is none of these.
 */
export function decodeSlackBody(req: RawRequest): Record<string, unknown> | undefined {
  const text = req.rawBody.toString('utf8');
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  try {
    if (type.startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(text);
      const payload = form.get('payload');
      if (payload) return asObject(JSON.parse(payload));
      return form.has('command') ? Object.fromEntries(form) : undefined;
    }
    return asObject(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
