import { z } from 'zod';
import type { ChannelInstance } from '../types';

/**
 * An email channel: one support address, read over IMAP (one or more mailboxes) and answered over SMTP.
 * Settings (plain): servers, folders, the from-address, threading rules. Secrets: `imapUser`, `imapPassword`,
 * `smtpUser`, `smtpPassword` (app passwords for Gmail / Microsoft 365 / iCloud, see the README).
 */
const server = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535), secure: z.boolean().default(false) });

export const emailSettingsSchema = z.object({
  imap: server.extend({
    /** Folders read for new mail, in order. */
    mailboxes: z.array(z.string().min(1)).min(1).default(['INBOX']),
    /** Where processed mail is moved (created if missing); unset: it stays and is only flagged. */
    processedFolder: z.string().min(1).optional(),
  }),
  smtp: server,
  /** The support address replies come from ("support@shop.example"); mail from it is never answered. */
  from: z.email(),
  fromName: z.string().min(1).optional(),
  /** Plain-text signature appended to every reply. */
  signature: z.string().optional(),
  /** A mail without thread headers joins the contact's open conversation with the same subject within the window. */
  threadBySubject: z.boolean().default(true),
  subjectWindowHours: z.number().min(0).default(72),
  /** Attachments larger than this are recorded (name, type, size) but not stored. */
  maxAttachmentBytes: z.number().int().min(0).default(10 * 1024 * 1024),
  /** Quote the customer's last message under a reply, as mail clients do. */
  quoteHistory: z.boolean().default(true),
});

export type EmailSettings = z.infer<typeof emailSettingsSchema>;

export function emailSettingsOf(channel: ChannelInstance): EmailSettings {
  const parsed = emailSettingsSchema.safeParse(channel.settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`email channel ${channel.id}: settings.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** The keys an email conversation's address carries in `extra`, set from the latest inbound mail. */
export const EMAIL_ADDRESS_KEYS = {
  /** Message-ID of the latest customer mail (the reply's In-Reply-To). */
  messageId: 'messageId',
  /** Its References plus its own Message-ID, space-separated (the reply's References). */
  references: 'references',
  subject: 'subject',
  /** Normalised subject (no Re:/Fwd:/[tags], lower case) for subject threading. */
  subjectKey: 'subjectKey',
  /** The customer's visible text of the latest mail, for the quoted history under a reply (capped). */
  quote: 'quote',
  quoteFrom: 'quoteFrom',
  quoteDate: 'quoteDate',
} as const;
