import { createHash } from 'node:crypto';
import EmailReplyParser from 'email-reply-parser';
import { convert as htmlToText } from 'html-to-text';
import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';
import type { InboundEvent, Part } from '../types';
import { EMAIL_ADDRESS_KEYS as K, type EmailSettings } from './settings';

export interface MailAttachment {
  index: number;
  filename?: string;
  contentType: string;
  size: number;
  contentId?: string;
  /** Absent when larger than `maxAttachmentBytes` (recorded, not stored). */
  content?: Buffer;
}

/** What the event's `raw` holds for a mail: the headers that matter and the full bodies (the brain reads less). */
export interface MailRaw {
  messageId: string;
  inReplyTo?: string;
  references: string[];
  subject: string;
  from?: string;
  to: string[];
  date?: string;
  text: string;
  html?: string;
  automated?: string;
}

const QUOTE_MAX = 2_000;

/**
 * One RFC 822 message → one normalized `message` event (async: MIME parsing streams). Never throws on content:
 * malformed MIME, unknown charsets and HTML-only mail still give an event (mailparser decodes what it can).
 *  - externalId: the Message-ID (a hash of the source when it has none), so a re-fetch is a duplicate;
 *  - parts: the visible text only (quoted history and signature stripped; HTML converted) plus attachments;
 *  - address: the sender, with the thread headers in `extra` (the threader in src/ picks the conversation);
 *  - automated: auto-replies, bulk and list mail, bounces and our own mail are stored but never answered.
 */
export async function mailToEvent(source: Buffer, settings: Pick<EmailSettings, 'from' | 'maxAttachmentBytes'>): Promise<{ event: InboundEvent<MailRaw>; attachments: MailAttachment[] }> {
  const mail = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  const messageId = normaliseId(mail.messageId) ?? `<sha256.${createHash('sha256').update(source).digest('hex').slice(0, 32)}@switchboard.invalid>`;
  const sender = firstAddress(mail.from);
  const references = referencesOf(mail);
  const inReplyTo = normaliseId(mail.inReplyTo);
  const subject = (mail.subject ?? '').trim();
  const fullText = bodyText(mail);
  const visible = visibleText(fullText);
  const automated = automatedReason(mail, sender, settings.from);
  const attachments = (mail.attachments ?? []).map((a, index): MailAttachment => ({
    index,
    contentType: a.contentType || 'application/octet-stream',
    size: a.size ?? a.content?.length ?? 0,
    ...(a.filename ? { filename: a.filename } : {}),
    ...(a.contentId ? { contentId: a.contentId } : {}),
    ...(a.content && a.content.length <= settings.maxAttachmentBytes ? { content: a.content } : {}),
  }));
  const parts: Part[] = [{ type: 'text', text: visible || (attachments.length ? '' : subject) }];
  for (const a of attachments) {
    parts.push({ type: 'media', url: `attachment:${a.index}`, mimeType: a.contentType, sizeBytes: a.size, ...(a.filename ? { name: a.filename } : {}) });
  }
  const raw: MailRaw = {
    messageId,
    references,
    subject,
    to: addresses(mail.to),
    text: fullText,
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(sender ? { from: sender.address } : {}),
    ...(mail.date ? { date: mail.date.toISOString() } : {}),
    ...(mail.html ? { html: mail.html } : {}),
    ...(automated ? { automated } : {}),
  };
  if (!sender) return { event: { kind: 'unsupported', reason: 'mail without a sender address', raw }, attachments: [] };
  const event: InboundEvent<MailRaw> = {
    kind: 'message',
    externalId: messageId,
    from: { externalId: sender.address, email: sender.address, ...(sender.name ? { displayName: sender.name } : {}) },
    address: {
      to: sender.address,
      extra: {
        [K.messageId]: messageId,
        [K.references]: [...references.filter((r) => r !== messageId), messageId].join(' '),
        [K.subject]: subject,
        [K.subjectKey]: subjectKey(subject),
        [K.quote]: visible.slice(0, QUOTE_MAX),
        [K.quoteFrom]: sender.name ? `${sender.name} <${sender.address}>` : sender.address,
        ...(mail.date ? { [K.quoteDate]: mail.date.toUTCString() } : {}),
      },
    },
    parts: parts.filter((p) => p.type !== 'text' || p.text.length > 0),
    sentAt: mail.date ?? new Date(0),
    isSelf: sender.address === settings.from.toLowerCase(),
    ...(automated ? { automated } : {}),
    raw,
  };
  return { event, attachments };
}

/** Subject threading key: no Re:/Fwd:/AW:/SV:/… prefixes (repeated), no [ticket] tags, spacing and case folded. */
export function subjectKey(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const next = s.replace(/^(\[[^\]]*\]\s*)+/, '').replace(/^(re|fw|fwd|aw|wg|sv|vs|tr|rif|r|antw|odp|res|enc)(\[\d+\])?\s*:\s*/i, '');
    if (next === s) break;
    s = next;
  }
  return s.replace(/\s+/g, ' ').toLowerCase();
}

/**
 * RFC 3834 and the conventions around it: mail a machine sent must never get an automatic answer (two
 * auto-responders answering each other is the classic mail loop). Returns the reason, or undefined for a person.
 */
export function automatedReason(mail: Pick<ParsedMail, 'headers'>, sender: { address: string } | undefined, ownAddress: string): string | undefined {
  const h = (name: string) => headerText(mail.headers.get(name)).toLowerCase();
  const autoSubmitted = h('auto-submitted');
  if (autoSubmitted && autoSubmitted !== 'no') return `auto-submitted: ${autoSubmitted}`;
  const precedence = h('precedence');
  if (['bulk', 'junk', 'list', 'auto_reply'].includes(precedence)) return `precedence: ${precedence}`;
  if (h('list-id') || h('list-unsubscribe')) return 'mailing list';
  if (h('x-autoreply') || h('x-autorespond') || h('x-auto-response-suppress').includes('all') || h('x-autogenerated')) return 'auto-reply header';
  if (/multipart\/report/.test(h('content-type'))) return 'delivery report';
  const returnPath = h('return-path');
  if (returnPath === '<>' || returnPath === '') {
    if (mail.headers.has('return-path')) return 'null return path';
  }
  const address = sender?.address ?? '';
  if (/^(mailer-daemon|postmaster|no-?reply|do-?not-?reply)@/i.test(address)) return `sender ${address}`;
  if (address === ownAddress.toLowerCase()) return 'our own address';
  return undefined;
}

/** The customer's own words: quoted history and signatures removed (the full text stays in `raw`). */
export function visibleText(text: string): string {
  const normalised = text.replace(/\r\n?/g, '\n');
  let visible: string;
  try {
    visible = new EmailReplyParser().parseReply(normalised);
  } catch {
    visible = normalised;
  }
  // Outlook-style headers of a quoted message that the parser keeps when they are not prefixed by ">".
  const outlook = /^\s*(-{2,}\s*Original Message\s*-{2,}|_{10,}|From:\s.+\n(Sent|Date):\s)/im.exec(visible);
  if (outlook) visible = visible.slice(0, outlook.index);
  return visible.trim();
}

function bodyText(mail: ParsedMail): string {
  // mailparser derives `text` from HTML-only mail itself, leaving "[cid:…]" where inline images were.
  if (mail.text?.trim()) return mail.text.replace(/^[ \t]*\[cid:[^\]]*\][ \t]*$/gm, '').replace(/\n{3,}/g, '\n\n');
  if (typeof mail.html === 'string' && mail.html.trim()) return htmlText(mail.html);
  return '';
}

function htmlText(html: string): string {
  try {
    return htmlToText(html, { wordwrap: false, selectors: [{ selector: 'img', format: 'skip' }, { selector: 'a', options: { ignoreHref: true } }] });
  } catch {
    // html-to-text walks the DOM recursively: thousands of nested elements overflow the stack. The mail is still
    // the customer's message, so its words are kept, flattened (tags dropped, common entities decoded).
    return flatHtmlText(html);
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/** Text of HTML without a DOM: one linear pass (no regex backtracking on a hostile body), block ends as newlines. */
function flatHtmlText(html: string): string {
  let out = '';
  let i = 0;
  while (i < html.length) {
    const open = html.indexOf('<', i);
    if (open < 0) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, open);
    const close = html.indexOf('>', open + 1);
    if (close < 0) break; // an unterminated tag: the rest is markup
    if (/^<\/?(br|p|div|li|tr|h[1-6])\b/i.test(html.slice(open, Math.min(close + 1, open + 8)))) out += '\n';
    i = close + 1;
  }
  return out
    .replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (m, e: string) => {
      const code = e[0] === '#' ? (e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : undefined;
      if (code !== undefined) return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : m;
      return ENTITIES[e.toLowerCase()] ?? m;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/ ?\n[ \n]*/g, '\n')
    .trim();
}

function referencesOf(mail: ParsedMail): string[] {
  const refs = Array.isArray(mail.references) ? mail.references : mail.references ? mail.references.split(/\s+/) : [];
  return refs.map(normaliseId).filter((r): r is string => r !== undefined);
}

function normaliseId(id: string | undefined): string | undefined {
  const trimmed = id?.trim();
  if (!trimmed) return undefined;
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

function firstAddress(from: AddressObject | undefined): { address: string; name?: string } | undefined {
  const entry = from?.value?.find((v) => v.address);
  if (!entry?.address) return undefined;
  return { address: entry.address.toLowerCase(), ...(entry.name ? { name: entry.name } : {}) };
}

function addresses(to: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(to) ? to : to ? [to] : [];
  return list.flatMap((o) => o.value.map((v) => v.address?.toLowerCase()).filter((a): a is string => !!a));
}

function headerText(value: HeaderValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => headerText(v as HeaderValue)).join(', ');
  // Address headers (Return-Path…) come as {value: [...], text}; structured ones (Content-Type) as {value, params}.
  if (typeof value === 'object' && 'text' in value) return String((value as { text: unknown }).text ?? '').trim();
  if (typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value ?? '').trim();
  return String(value).trim();
}
