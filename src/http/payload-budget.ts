import { jsonNestingExceeds, RAW_MAX_DEPTH } from '../../conversations/raw-budget';
import { HttpError } from './errors';

/**
 * Rejects a JSON body nested deeper than any platform sends (64 levels; real payloads stay under 15), before a
 * parser or a store sees it. A 400 is the honest answer even on a platform webhook, although platforms retry
 * non-2xx (Meta for a day, Slack three times): no platform produces such a body, so the retries are of a forgery
 * or a bug, and acknowledging it would hide that. Bodies that do not start as JSON (forms, empty) pass through.
 */
export function assertJsonDepth(body: Buffer): void {
  let i = 0;
  while (i < body.length && (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)) i++;
  if (body[i] !== 0x7b && body[i] !== 0x5b) return;
  if (jsonNestingExceeds(body, RAW_MAX_DEPTH)) {
    throw new HttpError(400, 'payload_too_deep', `JSON nests deeper than ${RAW_MAX_DEPTH} levels`);
  }
}

/**
 * Bounded work per webhook request: each event costs several store round trips before the platform gets its
 * answer. Meta batches at most 1,000 changes per delivery; Telegram, Slack, Teams and Discord send one event.
 * Above the cap nothing is stored (413), so there is no half-processed batch to reason about.
 */
export function assertEventCount(count: number, max: number): void {
  if (count > max) throw new HttpError(413, 'too_many_events', `${count} events in one request; at most ${max} are accepted`);
}
