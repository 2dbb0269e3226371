import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
}

/**
 * A real SMTP server on loopback (npm smtp-server): records every accepted mail, parsed with mailparser, and emits
 * 'request' for each. `rejectNext(code)` answers the next DATA with that SMTP code (450 transient, 550 permanent).
 */
export class SmtpPeer extends EventEmitter {
  readonly received: ReceivedMail[] = [];
  private readonly rejections: Array<{ code: number; to?: string }> = [];
  private server: SMTPServer | undefined;
  port = 0;

  async start(): Promise<this> {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const recipients = session.envelope.rcptTo.map((r) => r.address);
          const at = this.rejections.findIndex((r) => !r.to || recipients.includes(r.to));
          const code = at >= 0 ? this.rejections.splice(at, 1)[0]!.code : undefined;
          if (code) {
            const err = Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try again later'), { responseCode: code });
            callback(err);
            return;
          }
          const raw = Buffer.concat(chunks);
          void simpleParser(raw).then((parsed) => {
            const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
            this.received.push({ envelope: { from, to: session.envelope.rcptTo.map((r) => r.address) }, raw, parsed });
            callback();
            this.emit('request', parsed);
          });
        });
      },
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server.server, 'listening');
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  /** The next mail (to `to`, if given) is refused with this SMTP code. */
  rejectNext(code: number, to?: string): void {
    this.rejections.push({ code, ...(to ? { to } : {}) });
  }

  to(address: string): ReceivedMail[] {
    return this.received.filter((m) => m.envelope.to.includes(address));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

/** An RFC 822 message as a mail client would send it; headers override the defaults. */
export function rfc822(input: { from: string; to?: string; subject?: string; messageId: string; body?: string; headers?: Record<string, string>; contentType?: string; raw?: string }): Buffer {
  const headers: Record<string, string> = {
    From: input.from,
    To: input.to ?? 'support@shop.example',
    Subject: input.subject ?? 'Question',
    'Message-ID': input.messageId,
    Date: 'Wed, 25 Nov 2026 09:00:00 +0000',
    'MIME-Version': '1.0',
    'Content-Type': input.contentType ?? 'text/plain; charset=utf-8',
    ...(input.headers ?? {}),
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${input.raw ?? (input.body ?? '').replace(/\n/g, '\r\n')}\r\n`, input.raw ? 'latin1' : 'utf8');
}
