/**
 * The budget for a stored channel payload (`messages.raw`). The raw payload is kept for operators and debugging,
 * never read by the pipeline, so a payload over budget is replaced by a summary instead of failing the message:
 * the normalised parts (text, media, address) are what the conversation needs.
 *
 * Depth: real platform payloads are under 15 levels (a Teams Adaptive Card submit, the deepest seen, is about 12);
 * `JSON.stringify` overflows the stack near 5,000. Size: a Meta batch entry or a Slack event is a few KB; an email's
 * raw keeps its text and headers, rarely more than 100 KB.
 */
export const RAW_MAX_DEPTH = 64;
export const RAW_MAX_BYTES = 256 * 1024;

export interface RawSummary {
  truncated: true;
  reason: 'too_deep' | 'too_large' | 'unserializable';
  /** The serialised size, when it could be measured. */
  bytes?: number;
}

/**
 * Serialises a raw payload for storage, within the budget. Never throws: walks the value iteratively (no recursion,
 * so 100,000 levels cost a loop, not the stack) before `JSON.stringify` is allowed near it.
 */
export function serializeRaw(raw: unknown, limits: { maxDepth?: number; maxBytes?: number } = {}): string {
  const maxDepth = limits.maxDepth ?? RAW_MAX_DEPTH;
  const maxBytes = limits.maxBytes ?? RAW_MAX_BYTES;
  // Each object costs at least 2 bytes of JSON: more objects than half the byte budget cannot fit in it.
  const over = overBudget(raw, maxDepth, maxBytes / 2);
  if (over) return summary({ truncated: true, reason: over });
  let text: string | undefined;
  try {
    text = JSON.stringify(raw ?? null);
  } catch {
    // A cycle, a BigInt or a throwing toJSON: the payload cannot be kept, the message still can.
    return summary({ truncated: true, reason: 'unserializable' });
  }
  if (text === undefined) return 'null';
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > maxBytes ? summary({ truncated: true, reason: 'too_large', bytes }) : text;
}

function summary(s: RawSummary): string {
  return JSON.stringify(s);
}

/**
 * Why an object graph is over budget, if it is: deeper than `maxDepth` (objects and arrays count a level), or more
 * than `maxNodes` objects (a graph sharing sub-objects, serialised once per reference, can be far larger than it
 * looks). Iterative; a cycle ends as too deep.
 */
export function overBudget(value: unknown, maxDepth: number, maxNodes: number): 'too_deep' | 'too_large' | undefined {
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  let nodes = 0;
  while (stack.length) {
    const { v, d } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d >= maxDepth) return 'too_deep';
    if (++nodes > maxNodes) return 'too_large';
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push({ v: c, d: d + 1 });
  }
  return undefined;
}

/**
 * True when JSON text nests deeper than `max`, scanned on the bytes before anything parses them (a body that
 * is not JSON nests nowhere). Brackets inside strings do not count. Linear, no allocation.
 */
export function jsonNestingExceeds(body: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped byte
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/**
 * The longest inbound text kept, in characters. Chat platforms cap a message at 4,096 (Telegram, WhatsApp) to
 * 40,000 (Slack); only email is unbounded, and a mail of megabytes of text would pass MongoDB's 16 MB document
 * limit (the text is stored twice: parts and the searchable text) and fail after its conversation was written.
 */
export const INBOUND_TEXT_MAX_CHARS = 100_000;
const SHORTENED = '… [message shortened]';

/** Text parts over the budget, cut to it with a visible marker; `shortened` says whether any was. */
export function boundParts<P extends { type: string }>(parts: P[]): { parts: P[]; shortened: boolean } {
  let shortened = false;
  const bounded = parts.map((p) => {
    const text = (p as { text?: unknown }).text;
    if (p.type !== 'text' || typeof text !== 'string' || text.length <= INBOUND_TEXT_MAX_CHARS) return p;
    shortened = true;
    return { ...p, text: text.slice(0, INBOUND_TEXT_MAX_CHARS) + SHORTENED };
  });
  return { parts: bounded, shortened };
}
