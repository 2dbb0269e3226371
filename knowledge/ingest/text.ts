import type { Section } from '../chunk';

/** Plain-text chunks are smaller than sections: without headings, a chunk is only as focused as its size. */
export const TEXT_CHUNK_CHARS = 800;

/**
 * Plain text → a title (the first line when it reads like one: short, no sentence punctuation, set apart by a blank
 * line or an underline) and one body section, which `buildChunks` groups by paragraph into ~800-character chunks.
 */
export function parsePlainText(text: string): { title?: string; sections: Section[] } {
  const lines = text.split('\n');
  const first = lines[0]?.trim() ?? '';
  const second = lines[1]?.trim();
  let title: string | undefined;
  let body = text;
  if (first && first.length <= 100 && !/[.,;:!]$/.test(first) && (second === undefined || second === '' || /^(=+|-+)$/.test(second))) {
    title = first.replace(/^#+\s*/, '');
    body = lines.slice(second && /^(=+|-+)$/.test(second) ? 2 : 1).join('\n');
  }
  return { ...(title ? { title } : {}), sections: [{ heading: '', text: body }] };
}
