/**
 * The brain reads at most `maxChars` characters of a message. Channels accept much longer text (an email, a pasted
 * log, a 1 MB Telegram message) and the full text stays stored for agents; but every analysis step (entities,
 * language, sentiment, intent features, retrieval, a provider's prompt) costs time proportional to the text, and a
 * support question is asked in its first few thousand characters. One bound, applied by the processor to the
 * message and to the history it passes, keeps every turn's cost bounded whatever the channel.
 */
export interface BrainText {
  text: string;
  /** Length of the full text when it was cut. */
  truncatedFrom?: number;
}

/** The first `maxChars` characters, cut at a word boundary when one is near the end, never inside a surrogate pair. */
export function boundForBrain(text: string, maxChars: number): BrainText {
  if (text.length <= maxChars) return { text };
  let cut = maxChars;
  // Prefer the last whitespace in the final fifth: a word cut in half can read as a different word (or no entity).
  for (let i = maxChars; i >= Math.floor(maxChars * 0.8); i--) {
    if (/\s/.test(text[i]!)) {
      cut = i;
      break;
    }
  }
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return { text: text.slice(0, cut).trimEnd(), truncatedFrom: text.length };
}
