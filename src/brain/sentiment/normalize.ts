/**
 * Cleans a customer message before scoring. Channels hand us raw text: tweets carry @handles and links, e-mail and
 * web widgets carry HTML entities. None of those carry sentiment, and VADER would read "&amp;" or a handle like
 * "@LoveAir" as words.
 */
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+\d*);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower in ENTITIES) return ENTITIES[lower]!;
    const code = lower.startsWith('#x') ? parseInt(lower.slice(2), 16) : lower.startsWith('#') ? parseInt(lower.slice(1), 10) : NaN;
    return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : whole;
  });
}

/** Text as a person would read it: entities decoded, handles and links gone, "#fail" read as "fail". */
export function normalizeMessage(text: string): string {
  return decodeEntities(text)
    .replace(/https?:\/\/\S+|www\.\S+/gi, ' ')
    .replace(/(^|[^\w])@\w+/g, '$1 ')
    .replace(/#(\w)/g, '$1')
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/\s+/g, ' ')
    .trim();
}
