import type { Part } from './types';

export type MediaKind = 'image' | 'video' | 'audio' | 'file';

/** The family of a file by its MIME type, as the platforms that send files by type (WhatsApp, Messenger, Telegram) need it. */
export function mediaKind(part: Extract<Part, { type: 'media' }>): MediaKind {
  const family = part.mimeType?.split('/')[0];
  return family === 'image' || family === 'video' || family === 'audio' ? family : 'file';
}
