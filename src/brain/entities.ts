import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';

/**
 * Entities worth routing on, and the personal data that must not leave for an external model provider.
 * Phones come from libphonenumber (real numbering plans, not digit-run guesses), IBANs are checksum-validated by
 * ibantools, card numbers must pass the Luhn check: a long order number is not a card and is not redacted.
 */
export type EntityKind = 'email' | 'phone' | 'card' | 'iban' | 'order' | 'amount' | 'date';

export interface Entity {
  kind: EntityKind;
  text: string;
  /** Normalised value: E.164 phone, compact IBAN, digits of a card, ISO currency + number, ISO date. */
  value: string;
  start: number;
  end: number;
}

const PII: ReadonlySet<EntityKind> = new Set(['email', 'phone', 'card', 'iban']);

export function isPii(kind: EntityKind): boolean {
  return PII.has(kind);
}

// Every pattern below runs in linear time on any input (test/unit/adversarial-text.test.ts feeds each 1 MB of
// hostile text): quantifiers are bounded or start only at a word boundary that a failed attempt cannot revisit.
// Email is the exception that needs a scanner: `[local chars]+@…` as one regex retries the whole run of letters
// from every starting letter, quadratic on a long word (a 100,000-letter message blocked the gateway for 11 s).
const EMAIL_LOCAL_CHAR = /[\p{L}\p{N}._%+-]/uy;
const EMAIL_DOMAIN = /[\p{L}\p{N}.-]+\.[\p{L}]{2,}/uy;
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b/g;
// Order numbers as the demo store prints them (NW-EU-1048213) and the common "order #12345" form.
// The "order #" prefix is matched, not looked behind for, with bounded spaces: a lookbehind with `\s*(…)?\s*` is
// re-evaluated backwards at every position and backtracked cubically through a long run of spaces.
const ORDER_CODE = /\b[A-Z]{2,4}-[A-Z]{2}-\d{5,10}\b/gi;
const ORDER_REF = /\border\s{0,3}(?:number|no\.?|#)?\s{0,3}#?(\d{5,12})\b/gi;
const AMOUNT = /(?:([€$£])\s?(\d{1,7}(?:[.,]\d{1,2})?)|\b(\d{1,7}(?:[.,]\d{1,2})?)\s?(€|eur|euros?|usd|dollars?|gbp|pounds?)\b)/gi;
const ISO_DATE = /\b(\d{4})-(\d{2})-(\d{2})\b/g;
const DMY_DATE = /\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b/g;

const CURRENCY: Record<string, string> = { '€': 'EUR', eur: 'EUR', euro: 'EUR', euros: 'EUR', $: 'USD', usd: 'USD', dollar: 'USD', dollars: 'USD', '£': 'GBP', gbp: 'GBP', pound: 'GBP', pounds: 'GBP' };

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

/**
 * The matches `/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.[\p{L}]{2,}/gu` would find, in linear time: anchored on each
 * '@', the local part is scanned leftwards (never past the previous match, never past another '@', so every
 * character is scanned once) and the domain is matched by a sticky pattern whose only backtracking is the search
 * for the last dot, inside a run that also stops at the next '@'.
 */
export function findEmails(text: string): Array<{ start: number; text: string }> {
  const found: Array<{ start: number; text: string }> = [];
  let floor = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    let start = at;
    while (start > floor) {
      // One code point to the left (a surrogate pair is one letter to \p{L}).
      const pair = start - 2 >= floor && isLowSurrogate(text.charCodeAt(start - 1)) && isHighSurrogate(text.charCodeAt(start - 2));
      const from = pair ? start - 2 : start - 1;
      EMAIL_LOCAL_CHAR.lastIndex = from;
      if (!EMAIL_LOCAL_CHAR.test(text)) break;
      start = from;
    }
    if (start === at) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    const domain = EMAIL_DOMAIN.exec(text);
    if (!domain) continue;
    const end = at + 1 + domain[0].length;
    found.push({ start, text: text.slice(start, end) });
    floor = end;
    at = end - 1;
  }
  return found;
}

// A phone number as people write it: an international prefix or a national trunk 0 (not glued to a digit before
// it), then digits and separators, at most 40 characters. Only these windows are handed to libphonenumber.
const PHONE_WINDOW = /(?<![\d+])[+0][\d \t\u00a0\-./()]{5,39}/g;
/**
 * libphonenumber costs ~0.5 ms per window of digits and spaces ("0 0 0 0 …"), so a message is granted this many
 * windows; a message with more phone-like runs than that is junk or an attack, and its remaining windows are
 * reported as phones unchecked: redacted rather than leaked, and never slow.
 */
const PHONE_WINDOWS_CHECKED = 20;

/**
 * With a default country the library also reads bare digit runs (inside order numbers, dates) as national
 * numbers; people write phone numbers with an international prefix or a national trunk 0, so require one. Run on
 * the whole text the library is linear but slow on long runs of digits (100 ms for 4,000 characters of "1 1 1");
 * on bounded windows that start like a phone number it is fast, and the work per message is capped.
 */
export function findPhones(text: string, defaultCountry: CountryCode = 'DE'): Array<{ start: number; text: string; value: string }> {
  const found: Array<{ start: number; text: string; value: string }> = [];
  let checked = 0;
  for (const w of text.matchAll(PHONE_WINDOW)) {
    const window = w[0];
    const offset = w.index!;
    if ((window.match(/\d/g)?.length ?? 0) < 6) continue;
    if (checked++ >= PHONE_WINDOWS_CHECKED) {
      const raw = window.replace(/[^\d]+$/, '');
      found.push({ start: offset, text: raw, value: raw.replace(/[^\d+]/g, '') });
      continue;
    }
    for (const p of findPhoneNumbersInText(window, defaultCountry)) {
      const raw = window.slice(p.startsAt, p.endsAt);
      if (/^(\+|00|0)/.test(raw)) found.push({ start: offset + p.startsAt, text: raw, value: p.number.number });
    }
  }
  return found;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

export function extractEntities(text: string, defaultCountry: CountryCode = 'DE'): Entity[] {
  const found: Entity[] = [];
  const add = (kind: EntityKind, start: number, matched: string, value: string) => found.push({ kind, text: matched, value, start, end: start + matched.length });

  for (const m of findEmails(text)) add('email', m.start, m.text, m.text.toLowerCase());
  for (const m of text.matchAll(IBAN)) {
    const compact = electronicFormatIBAN(m[0]) ?? '';
    if (isValidIBAN(compact)) add('iban', m.index!, m[0], compact);
  }
  for (const m of text.matchAll(CARD)) {
    const digits = m[0].replace(/\D/g, '');
    if (luhnValid(digits)) add('card', m.index!, m[0], digits);
  }
  for (const p of findPhones(text, defaultCountry)) add('phone', p.start, p.text, p.value);
  for (const m of text.matchAll(ORDER_CODE)) add('order', m.index!, m[0], m[0].toUpperCase());
  for (const m of text.matchAll(ORDER_REF)) add('order', m.index! + m[0].length - m[1]!.length, m[1]!, m[1]!);
  for (const m of text.matchAll(AMOUNT)) {
    const symbol = (m[1] ?? m[4] ?? '').toLowerCase();
    const number = (m[2] ?? m[3] ?? '').replace(',', '.');
    add('amount', m.index!, m[0], `${CURRENCY[symbol] ?? symbol.toUpperCase()} ${number}`);
  }
  for (const m of text.matchAll(ISO_DATE)) add('date', m.index!, m[0], m[0]);
  for (const m of text.matchAll(DMY_DATE)) add('date', m.index!, m[0], `${m[3]}-${m[2]!.padStart(2, '0')}-${m[1]!.padStart(2, '0')}`);

  // Overlaps: the earlier and longer match wins, and personal data wins over everything else (a card number
  // must not survive as an "order number" or a phone).
  const rank = (e: Entity) => (PII.has(e.kind) ? 0 : 1);
  found.sort((a, b) => a.start - b.start || rank(a) - rank(b) || b.end - a.end);
  // `kept` stays sorted and free of overlaps, and `e` starts at or after every kept entity: only the last one can
  // clash (searching them all was quadratic in the entity count, 0.2 s for 64 KB of "0 0 0 …" card look-alikes).
  const kept: Entity[] = [];
  for (const e of found) {
    const last = kept[kept.length - 1];
    const clash = last && e.start < last.end && last.start < e.end ? last : undefined;
    if (!clash) kept.push(e);
    else if (rank(e) < rank(clash)) kept[kept.length - 1] = e;
  }
  return kept;
}

/** Replaces personal data with typed placeholders ("[EMAIL]", "[PHONE]", "[CARD]", "[IBAN]") before text leaves. */
export function redactPii(text: string, defaultCountry: CountryCode = 'DE'): { text: string; redacted: Entity[] } {
  const redacted = extractEntities(text, defaultCountry).filter((e) => PII.has(e.kind));
  // Built in one pass: re-slicing the whole text for every entity was quadratic in a text full of look-alikes.
  const pieces: string[] = [];
  let at = 0;
  for (const e of redacted) {
    pieces.push(text.slice(at, e.start), `[${e.kind.toUpperCase()}]`);
    at = e.end;
  }
  pieces.push(text.slice(at));
  return { text: pieces.join(''), redacted };
}
