import { z } from 'zod';
import type { RawRequest } from '../types';

/** The JSON object of an inbound activity, or undefined when the body is not one. Shared by verify and parse. */
export function decodeActivityBody(req: RawRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(req.rawBody.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const id = z.string().min(1).max(1024);

const account = z.object({ id, name: z.string().max(1024).nullish(), aadObjectId: z.string().max(256).nullish(), role: z.string().nullish() }).loose();

/**
 * Only the fields we read. Teams adds fields freely (and sends `null` for some), so unknown keys pass through and
 * stay in `raw`; anything shaped differently from the Activity protocol is `unsupported`, never an exception.
 */
export const activitySchema = z
  .object({
    type: z.string().min(1).max(64),
    name: z.string().max(256).nullish(),
    id: id.nullish(),
    timestamp: z.string().max(64).nullish(),
    serviceUrl: z.string().min(1).max(2048).nullish(),
    channelId: z.string().max(64).nullish(),
    from: account.nullish(),
    recipient: account.nullish(),
    conversation: z
      .object({ id, conversationType: z.string().max(64).nullish(), tenantId: z.string().max(256).nullish(), isGroup: z.boolean().nullish() })
      .loose()
      .nullish(),
    text: z.string().max(200_000).nullish(),
    value: z.unknown().optional(),
    replyToId: z.string().max(1024).nullish(),
    attachments: z
      .array(z.object({ contentType: z.string().max(256), contentUrl: z.string().max(4096).nullish(), name: z.string().max(1024).nullish(), content: z.unknown().optional() }).loose())
      .nullish(),
    entities: z.array(z.object({ type: z.string() }).loose()).nullish(),
    channelData: z
      .object({
        tenant: z.object({ id: z.string() }).loose().nullish(),
        team: z.object({ id: z.string(), name: z.string().nullish() }).loose().nullish(),
        channel: z.object({ id: z.string(), name: z.string().nullish() }).loose().nullish(),
      })
      .loose()
      .nullish(),
  })
  .loose();

export type TeamsActivity = z.infer<typeof activitySchema>;

const THREAD_MARKER = ';messageid=';

/**
 * A Teams channel thread is addressed by the channel's conversation id plus `;messageid=<root activity id>`; every
 * reply in the thread arrives with that same id. Splits it into the channel part and the root.
 */
export function splitConversationId(conversationId: string): { base: string; rootId?: string } {
  const at = conversationId.toLowerCase().indexOf(THREAD_MARKER);
  if (at < 0) return { base: conversationId };
  const rootId = conversationId.slice(at + THREAD_MARKER.length);
  return rootId ? { base: conversationId.slice(0, at), rootId } : { base: conversationId.slice(0, at) };
}

export function threadConversationId(base: string, rootId: string | undefined): string {
  return rootId ? `${base}${THREAD_MARKER}${rootId}` : base;
}
