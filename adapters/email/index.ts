import nodemailer, { type Transporter } from 'nodemailer';
import { AdapterError, type Capabilities, type ChannelAdapter, type ChannelAddress, type ChannelInstance, type DeliveryReceipt, type RenderedMessage } from '../types';
import { composeReply } from './outbound';
import { emailSettingsOf, type EmailSettings } from './settings';

export const emailCapabilities: Capabilities = {
  maxTextLength: 100_000,
  markup: 'html',
  // Buttons in mail are links at best; choices become a numbered list the customer answers by number.
  buttons: false,
  attachments: false,
  threads: true,
  edits: false,
  typing: false,
  citations: 'text',
  // The agent's name goes in the From display name ("Dana (Support)"), not into the text.
  authorNames: 'native',
};

export interface EmailAdapterDeps {
  timeoutMs: number;
}

/**
 * Email as a channel: replies over SMTP (nodemailer). Mail arrives over IMAP (./imap.ts, a stateful connection held
 * by one process), not through webhooks, so `verify` refuses every HTTP request to the channel.
 */
export function createEmailAdapter(channel: ChannelInstance, deps: EmailAdapterDeps): ChannelAdapter {
  const settings = emailSettingsOf(channel);
  let transport: Transporter | undefined;
  const transporter = () => (transport ??= smtpTransport(channel, settings, deps.timeoutMs));

  return {
    kind: 'email',
    capabilities: emailCapabilities,
    verify() {
      throw new AdapterError('bad_request', 'email channels receive mail over IMAP, not webhooks', { channel: 'email', retryable: false });
    },
    parse: () => [],
    async send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt> {
      const mail = composeReply(to, message, settings);
      try {
        await transporter().sendMail(mail);
      } catch (err) {
        throw fromSmtpError(err);
      }
      return { status: 'sent', externalId: mail.messageId };
    },
  };
}

/** The channel's SMTP server with its credentials (replies, and alert mail sent `via` the channel). */
export function smtpTransport(channel: ChannelInstance, settings: EmailSettings, timeoutMs: number): Transporter {
  return nodemailer.createTransport({
    host: settings.smtp.host,
    port: settings.smtp.port,
    secure: settings.smtp.secure,
    ...(channel.secrets.smtpUser ? { auth: { user: channel.secrets.smtpUser, pass: channel.secrets.smtpPassword ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}

/** SMTP replies: 4xx and connection trouble are worth another try; 5xx and bad credentials are not. */
export function fromSmtpError(err: unknown): AdapterError {
  const e = err as { code?: string; responseCode?: number; message?: string };
  const message = e?.message ?? String(err);
  if (typeof e?.responseCode === 'number') {
    const transient = e.responseCode >= 400 && e.responseCode < 500;
    return new AdapterError(transient ? 'unavailable' : 'rejected', `SMTP ${e.responseCode}: ${message}`, { channel: 'email', retryable: transient, platformCode: `smtp_${e.responseCode}` });
  }
  if (e?.code === 'EAUTH' || e?.code === 'EENVELOPE') {
    return new AdapterError('rejected', message, { channel: 'email', retryable: false, platformCode: e.code.toLowerCase() });
  }
  return new AdapterError('unavailable', `SMTP unreachable: ${message}`, { channel: 'email', retryable: true, ...(e?.code ? { platformCode: e.code.toLowerCase() } : {}) });
}
