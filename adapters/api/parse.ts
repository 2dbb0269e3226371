import { z } from 'zod';
import type { InboundEvent, RawRequest } from '../types';

const id = z.string().trim().min(1).max(256);

/** The public request body of `POST /api/v1/messages`. */
export const inboundBody = z
  .object({
    id,
    contact: z.object({
      id,
      name: z.string().max(256).optional(),
      email: z.email().max(320).optional(),
      phone: z.string().max(64).optional(),
    }),
    text: z.string().max(10_000).optional(),
    /** A tapped choice from an earlier reply (its `id`), instead of typed text. */
    choice: z.object({ id: z.string().min(1).max(256), title: z.string().max(256).optional() }).optional(),
  })
  .refine((b) => (b.text?.trim().length ?? 0) > 0 || b.choice !== undefined, { message: 'either "text" or "choice" is required' });

export type InboundBody = z.infer<typeof inboundBody>;

export function parseApiRequest(req: RawRequest, now: Date): InboundEvent<InboundBody | unknown>[] {
  let json: unknown;
  try {
    json = JSON.parse(req.rawBody.toString('utf8'));
  } catch (err) {
    return [{ kind: 'unsupported', reason: `malformed JSON: ${(err as Error).message}`, raw: null }];
  }
  const parsed = inboundBody.safeParse(json);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return [{ kind: 'unsupported', reason, raw: json }];
  }
  const body = parsed.data;
  const from = {
    externalId: body.contact.id,
    ...(body.contact.name ? { displayName: body.contact.name } : {}),
    ...(body.contact.email ? { email: body.contact.email } : {}),
    ...(body.contact.phone ? { phone: body.contact.phone } : {}),
  };
  const address = { to: body.contact.id };
  if (body.choice) {
    return [
      {
        kind: 'action',
        externalId: body.id,
        from,
        address,
        value: body.choice.id,
        ...(body.choice.title ? { title: body.choice.title } : {}),
        sentAt: now,
        raw: body,
      },
    ];
  }
  return [
    { kind: 'message', externalId: body.id, from, address, parts: [{ type: 'text', text: body.text!.trim() }], sentAt: now, isSelf: false, raw: body },
  ];
}
