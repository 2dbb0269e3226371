import { z } from 'zod';
import type { InboundEvent, RawRequest } from '../types';

/** Frames the widget sends (see public/widget.js). */
const frame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('message'), id: z.string().min(1).max(128), text: z.string().trim().min(1).max(4000) }),
  z.object({ type: z.literal('action'), id: z.string().min(1).max(128), value: z.string().min(1).max(256), title: z.string().max(256).optional() }),
  z.object({ type: z.literal('received'), messageId: z.string().min(1).max(128) }),
  z.object({ type: z.literal('read'), messageId: z.string().min(1).max(128) }),
]);

export type WebchatFrame = z.infer<typeof frame>;

/** The transport puts the verified visitor id in this header before calling `parse`. */
export const VISITOR_HEADER = 'x-switchboard-visitor';

export function parseWebchatFrame(req: RawRequest, now: Date): InboundEvent<WebchatFrame | unknown>[] {
  const visitorId = req.headers[VISITOR_HEADER];
  let json: unknown;
  try {
    json = JSON.parse(req.rawBody.toString('utf8'));
  } catch {
    return [{ kind: 'unsupported', reason: 'frame is not JSON', raw: req.rawBody.toString('utf8').slice(0, 200) }];
  }
  const parsed = frame.safeParse(json);
  if (!parsed.success || !visitorId) {
    return [{ kind: 'unsupported', reason: parsed.success ? 'no visitor' : `unknown frame: ${parsed.error.issues[0]?.message ?? ''}`, raw: json }];
  }
  const f = parsed.data;
  const from = { externalId: visitorId };
  const address = { to: visitorId };
  switch (f.type) {
    case 'message':
      // Client ids are scoped by visitor: two visitors' widgets may pick the same id.
      return [{ kind: 'message', externalId: `${visitorId}:${f.id}`, from, address, parts: [{ type: 'text', text: f.text }], sentAt: now, isSelf: false, raw: f }];
    case 'action':
      return [{ kind: 'action', externalId: `${visitorId}:${f.id}`, from, address, value: f.value, ...(f.title ? { title: f.title } : {}), sentAt: now, raw: f }];
    case 'received':
      return [{ kind: 'status', externalId: f.messageId, status: 'delivered', at: now, from, raw: f }];
    case 'read':
      return [{ kind: 'status', externalId: f.messageId, status: 'read', at: now, from, raw: f }];
  }
}
