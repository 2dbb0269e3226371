import { Router } from 'express';
import { Types } from 'mongoose';
import type { Part } from '../../adapters/types';
import type { GatewayDeps } from '../deps';
import { HttpError } from './errors';

type MediaPart = Extract<Part, { type: 'media' }>;

/**
 * `GET /media/<signed token>`: a customer's file for whoever holds an unexpired link (agents open them from the
 * desk thread). Stored files are served from MongoDB; platform files (`wa-media:`, `telegram-file:`) are fetched
 * from the platform with the channel's credentials; public URLs are redirected to.
 */
export function mediaRoutes(deps: GatewayDeps): Router {
  const router = Router();

  router.get('/media/:token', async (req, res) => {
    const ref = deps.mediaLinks.verify(String(req.params.token), deps.clock());
    if (ref === 'invalid') throw new HttpError(404, 'media_not_found', 'no such file (the link is malformed or was not issued by this gateway)');
    if (ref === 'expired') throw new HttpError(410, 'media_link_expired', 'this link has expired: open the conversation again for a fresh one');
    const message = Types.ObjectId.isValid(ref.messageId) ? await deps.store.messages.get(new Types.ObjectId(ref.messageId)) : null;
    const part = message?.parts[ref.index];
    if (!message || part?.type !== 'media') throw new HttpError(404, 'media_not_found', 'no such file');
    res.set('cache-control', 'private, max-age=300');
    res.set('x-content-type-options', 'nosniff');

    if (/^https?:\/\//i.test(part.url)) {
      res.redirect(302, part.url);
      return;
    }
    const file = await bytesOf(deps, message.channelId, message.externalId, part);
    const type = file.mimeType ?? part.mimeType ?? 'application/octet-stream';
    // Only images, audio, video and PDFs are shown in the browser; anything else (HTML, SVG) is a download.
    const inline = /^(image\/(png|jpeg|gif|webp)|audio\/|video\/|application\/pdf)/.test(type);
    res.attachment(part.name ?? `file-${ref.index}`);
    // After attachment(), which guesses a type from the file name: the stored type is the truth.
    res.type(type);
    if (inline) res.set('content-disposition', String(res.get('content-disposition')).replace(/^attachment/, 'inline'));
    res.send(file.bytes);
  });

  return router;
}

async function bytesOf(deps: GatewayDeps, channelId: string, externalId: string | undefined, part: MediaPart): Promise<{ bytes: Buffer; mimeType?: string }> {
  const stored = /^attachment:(\d+)$/.exec(part.url);
  if (stored) {
    const attachment = externalId ? await deps.store.attachments.get(channelId, externalId, Number(stored[1])) : null;
    if (!attachment?.stored || !attachment.data) throw new HttpError(404, 'media_not_kept', 'this file was larger than the channel keeps and was not stored');
    return { bytes: Buffer.from(attachment.data), mimeType: attachment.contentType };
  }
  const channel = await deps.store.channels.get(channelId);
  const adapter = channel ? deps.registry.get(channel) : undefined;
  if (!channel || !adapter?.fetchMedia) throw new HttpError(404, 'media_not_kept', 'this file is not kept and its channel cannot fetch it');
  try {
    return await adapter.fetchMedia(part.url);
  } catch (err) {
    throw new HttpError(502, 'media_unavailable', `the platform did not hand the file over: ${(err as Error).message}`);
  }
}
