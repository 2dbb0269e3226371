import type { Part } from '../../adapters/types';
import type { MessageRecord } from '../../conversations/types';

type MediaPart = Extract<Part, { type: 'media' }>;

/**
 * A customer's message as agents read it in a desk thread: the text, then one line per file (with a link to open
 * it, when there is one) and per shared location. A photo without a caption must not arrive as an empty post.
 */
export function textForAgents(message: Pick<MessageRecord, 'text' | 'parts'>, link: (partIndex: number) => string | undefined = () => undefined): string {
  const lines = message.text.trim() ? [message.text.trim()] : [];
  message.parts.forEach((part, index) => {
    if (part.type === 'media') {
      const url = link(index);
      lines.push(`📎 ${describeFile(part)}${url ? ` ${url}` : ''}`);
    } else if (part.type === 'location') {
      const label = [part.name, part.address].filter(Boolean).join(', ');
      lines.push(`📍 ${label ? `${label} ` : ''}https://www.openstreetmap.org/?mlat=${part.latitude}&mlon=${part.longitude}`);
    }
  });
  return lines.join('\n');
}

function describeFile(part: MediaPart): string {
  const family = part.mimeType?.split('/')[0];
  const what = part.name ?? (family === 'image' ? 'photo' : family === 'audio' ? 'voice message or audio' : family === 'video' ? 'video' : 'file');
  const facts = [part.mimeType, part.sizeBytes !== undefined ? size(part.sizeBytes) : undefined].filter(Boolean);
  return facts.length ? `${what} (${facts.join(', ')})` : what;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
