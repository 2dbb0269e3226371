import { createHash } from 'node:crypto';
import { convert as htmlToText } from 'html-to-text';
import { simpleParser, type AddressObject, type HeaderValue, type ParsedMail } from 'mailparser';
import type { InboundEvent, Part } from '../types';
import { visibleText } from './quotes';
import { EMAIL_ADDRESS_KEYS as K, type EmailSettings } from './settings';

export { visibleText };

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
  /** The first parent named by In-Reply-To (most mail names one). */
  inReplyTo?: string;
  /** Every parent when In-Reply-To names several (RFC 5322 allows it; some clients list the whole chain). */
  inReplyToIds?: string[];
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
export async function mailToEvent(
  source: Buffer,
  settings: Pick<EmailSettings, 'from' | 'maxAttachmentBytes'>,
  options: { receivedAt?: Date } = {},
): Promise<{ event: InboundEvent<MailRaw>; attachments: MailAttachment[] }> {
  const mail = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  const messageId = messageIds(mail.messageId)[0] ?? `<sha256.${createHash('sha256').update(source).digest('hex').slice(0, 32)}@switchboard.invalid>`;
  const subject = (mail.subject ?? '').trim();
  const bounce = !validAddress(firstAddress(mail.from)) && looksLikeBounce(mail, subject);
  const sender = validAddress(firstAddress(mail.from)) ?? (bounce ? bounceSender(mail, messageId) : undefined);
  const parents = messageIds(mail.inReplyTo);
  // A bounce names the mail it returns only inside its report: its Message-ID threads the bounce to that mail.
  const references = [...new Set([...messageIds(mail.references), ...(bounce || automatedReason(mail, sender, settings.from) ? returnedIds(mail) : [])])];
  const inReplyTo = parents[0];
  const fullText = bodyText(mail);
  const visible = visibleText(fullText);
  const automated = bounce ? 'bounce' : automatedReason(mail, sender, settings.from);
  // No (or a broken) Date header: the time the mail reached us, never 1970.
  const sentAt = validDate(mail.date) ?? validDate(options.receivedAt) ?? receivedHeaderDate(mail) ?? new Date();
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
    ...(parents.length > 1 ? { inReplyToIds: parents } : {}),
    ...(sender ? { from: sender.address } : {}),
    ...(validDate(mail.date) ? { date: mail.date!.toISOString() } : {}),
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
        ...(validDate(mail.date) ? { [K.quoteDate]: mail.date!.toUTCString() } : {}),
      },
    },
    parts: parts.filter((p) => p.type !== 'text' || p.text.length > 0),
    sentAt,
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

/**
 * The message ids in a Message-ID, In-Reply-To or References header: `<…>` tokens, however they are separated
 * (spaces, commas, folded lines) and however many; a header without brackets (some clients) gives its words.
 * mailparser hands these over as one string, or an array of strings when the header repeats.
 */
export function messageIds(header: string | string[] | undefined): string[] {
  const values = (Array.isArray(header) ? header : header ? [header] : []).map((v) => String(v));
  const ids: string[] = [];
  for (const value of values) {
    const bracketed = value.match(/<[^<>\s]+>/g);
    const words = value.split(/[\s,]+/).filter((t) => t.includes('@'));
    const tokens = bracketed ?? (words.length ? words : [value]);
    for (const token of tokens) {
      const id = normaliseId(token);
      if (id && !ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

function normaliseId(id: string | undefined): string | undefined {
  const trimmed = id?.trim().replace(/^<|>$/g, '').trim();
  return trimmed ? `<${trimmed}>` : undefined;
}

function firstAddress(from: AddressObject | undefined): { address: string; name?: string } | undefined {
  const entry = from?.value?.find((v) => v.address) ?? from?.value?.[0];
  if (!entry) return undefined;
  return { address: (entry.address ?? '').toLowerCase(), ...(entry.name ? { name: entry.name } : {}) };
}

/** An address we could write to: `<>`, "MAILER-DAEMON" without a domain and empty ones are not. */
function validAddress(sender: { address: string; name?: string } | undefined): { address: string; name?: string } | undefined {
  return sender && /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(sender.address) ? sender : undefined;
}

const BOUNCE_SUBJECT =
  /undeliver|undelivered|delivery status notification|delivery (has )?failed|delivery failure|failure notice|returned mail|mail delivery (failed|subsystem)|unzustellbar|nicht zugestellt|non remis|non distribuable|no entregado|no se puede entregar|onbestelbaar|niet afgeleverd|non recapitato|não entregue|niedostarczon|kunde inte levereras|недоставлен|не доставлен/i;

/** RFC 3464/3462 reports, the null sender (RFC 5321 §4.5.5), or what MTAs name their bounces. */
function looksLikeBounce(mail: ParsedMail, subject: string): boolean {
  const h = (name: string) => headerText(mail.headers.get(name)).toLowerCase();
  const from = firstAddress(mail.from);
  if (mail.headers.has('from') && (!from || !from.address || !from.address.includes('@'))) return true;
  if (/multipart\/report/.test(h('content-type'))) return true;
  if (mail.headers.has('return-path') && (h('return-path') === '<>' || h('return-path') === '')) return true;
  if (/mailer-daemon|postmaster|mail delivery/i.test(`${from?.address ?? ''} ${from?.name ?? ''}`)) return true;
  return BOUNCE_SUBJECT.test(subject);
}

/**
 * Who a bounce without a usable From is stored as: the envelope sender when Return-Path names one, else
 * `mailer-daemon@<the domain of its Message-ID>` (the MTA that wrote it), so agents see where it came from.
 */
function bounceSender(mail: ParsedMail, messageId: string): { address: string; name?: string } {
  const returnPath = validAddress({ address: headerText(mail.headers.get('return-path')).replace(/^<|>$/g, '').toLowerCase() });
  const name = firstAddress(mail.from)?.name || 'Mail Delivery System';
  if (returnPath) return { address: returnPath.address, name };
  const domain = /@([^>\s]+)>$/.exec(messageId)?.[1]?.toLowerCase();
  return { address: `mailer-daemon@${domain && !domain.endsWith('switchboard.invalid') ? domain : 'unknown.invalid'}`, name };
}

/** The Message-ID of the mail a bounce returns, from its attached copy or headers (message/rfc822, text/rfc822-headers). */
function returnedIds(mail: ParsedMail): string[] {
  const ids: string[] = [];
  for (const a of mail.attachments ?? []) {
    if (!/^(message\/rfc822|text\/rfc822-headers|message\/global|message\/global-headers)$/i.test(a.contentType ?? '') || !a.content) continue;
    const head = a.content.toString('utf8', 0, Math.min(a.content.length, 64 * 1024)).split(/\r?\n\r?\n/)[0] ?? '';
    const match = /^message-id:\s*(<[^<>\s]+>)/im.exec(head.replace(/\r?\n[ \t]+/g, ' '));
    if (match) ids.push(match[1]!);
  }
  return ids;
}

function validDate(date: Date | undefined): Date | undefined {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date : undefined;
}

/** The newest `Received:` header's date (after its ";"): when our mail server took the mail. */
function receivedHeaderDate(mail: ParsedMail): Date | undefined {
  const received = mail.headers.get('received');
  const newest = Array.isArray(received) ? received[0] : received;
  const text = typeof newest === 'string' ? newest : '';
  const at = text.lastIndexOf(';');
  return at === -1 ? undefined : validDate(new Date(text.slice(at + 1).trim().replace(/\s*\([^)]*\)\s*$/, '')));
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
