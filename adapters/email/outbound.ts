import escapeHtml from 'escape-html';
import { convert as htmlToText } from 'html-to-text';
import type { ChannelAddress, RenderedMessage } from '../types';
import { EMAIL_ADDRESS_KEYS as K, type EmailSettings } from './settings';

export interface ComposedMail {
  from: { name: string; address: string };
  to: string;
  subject: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  text: string;
  html: string;
  headers: Record<string, string>;
}

/**
 * A reply as mail clients expect it: `Re:` subject, In-Reply-To / References continuing the customer's thread, text
 * and HTML alternatives, the channel's signature and (optionally) the customer's last message quoted below. The
 * Message-ID is derived from our message id, so a retry after a timeout re-sends the same mail (receivers and our
 * own threading see one message), and a customer's reply to it finds its conversation.
 */
export function composeReply(to: ChannelAddress, message: RenderedMessage, settings: EmailSettings): ComposedMail {
  const extra = to.extra ?? {};
  const domain = settings.from.split('@')[1] ?? 'switchboard.invalid';
  const inReplyTo = extra[K.messageId];
  const references = (extra[K.references] ?? '').split(/\s+/).filter(Boolean);
  const subject = replySubject(extra[K.subject] ?? '');
  const signature = settings.signature?.trim();
  const quote = settings.quoteHistory ? extra[K.quote] : undefined;
  const attribution = quote ? `On ${extra[K.quoteDate] ?? 'an earlier date'}, ${extra[K.quoteFrom] ?? to.to} wrote:` : undefined;

  const bodyHtml = message.text;
  const html = [
    `<div>${bodyHtml}</div>`,
    ...(signature ? [`<div>-- <br>${escapeHtml(signature).replace(/\n/g, '<br>')}</div>`] : []),
    ...(quote ? [`<div>${escapeHtml(attribution!)}</div><blockquote style="margin:0 0 0 .8ex;border-left:1px solid #ccc;padding-left:1ex">${escapeHtml(quote).replace(/\n/g, '<br>')}</blockquote>`] : []),
  ].join('\n');
  const text = [
    htmlToText(bodyHtml, { wordwrap: 76 }),
    ...(signature ? [`-- \n${signature}`] : []),
    ...(quote ? [`${attribution}\n${quote.split('\n').map((l) => `> ${l}`).join('\n')}`] : []),
  ].join('\n\n');
  const fromName = message.authorKind === 'agent' && message.authorName ? `${message.authorName} (${settings.fromName ?? 'Support'})` : (settings.fromName ?? 'Support');
  return {
    from: { name: fromName, address: settings.from },
    to: to.to,
    subject,
    messageId: `<${message.messageId}.${message.chunkIndex}@${domain}>`,
    ...(inReplyTo ? { inReplyTo } : {}),
    ...(references.length ? { references } : {}),
    text,
    html,
    // RFC 3834: our automatic answers say so, so other responders do not answer them; people's replies do not.
    headers: message.authorKind === 'agent' ? {} : { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
  };
}

export function replySubject(subject: string): string {
  const trimmed = subject.trim();
  if (!trimmed) return 'Re: your message';
  return /^re\s*:/i.test(trimmed) ? trimmed : `Re: ${trimmed}`;
}
