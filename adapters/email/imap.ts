import { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { ChannelInstance, InboundEvent } from '../types';
import { mailToEvent, type MailAttachment } from './inbound';
import { emailSettingsOf, type EmailSettings } from './settings';

/** Read position per channel and mailbox (conversations/mail-cursors.ts, which adapters/ may not import). */
export interface MailCursorStore {
  get(channelId: string, mailbox: string): Promise<{ uidValidity: string; lastUid: number } | null>;
  /** Only ever moves forward within one UIDVALIDITY; another UIDVALIDITY replaces the cursor. */
  advance(channelId: string, mailbox: string, uidValidity: string, uid: number): Promise<void>;
  reset(channelId: string, mailbox: string, uidValidity: string): Promise<void>;
}

export interface ImapConnectionDeps {
  cursors: MailCursorStore;
  /** Idempotent per (channel, externalId, index): the same mail may be read again after a crash. */
  saveAttachments(channelId: string, externalId: string, attachments: MailAttachment[]): Promise<void>;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Connection, greeting and socket timeouts of the IMAP client. */
  timeoutMs: number;
  /**
   * Each mailbox is selected afresh and read at this interval (default 60 s), for what IDLE does not report: a
   * missed notification, or the mailbox deleted and recreated under us (dovecot keeps the stale selection open and
   * only answers `NO`; the new UIDVALIDITY shows on the next SELECT).
   */
  pollMs?: number;
  /** First reconnect / retry delay; doubles up to `maxBackoffMs` (defaults 250 ms and 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Messages fetched (with their source) per round trip. */
  batchSize?: number;
}

/** Same shape as the host's StatefulConnection (src/connections), which adapters/ may not import. */
export interface ImapConnection {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The keyword set on every mail we ingested, next to `\Seen`: visible in any mail client, searchable. */
export const PROCESSED_KEYWORD = '$Switchboard';

/**
 * The IMAP side of an email channel: reads every configured mailbox and hands each new mail, in UID order, to
 * `onEvent` (the host persists it). One IMAP client per mailbox, because a connection has one mailbox selected
 * at a time; each waits in IDLE for `exists` notifications. Only the process holding the channel's lease runs it.
 *
 * Exactly once, across crashes: a mail's event is persisted before the cursor moves past its UID, so a crash
 * re-reads at most the mails after the cursor, and those are duplicates by Message-ID (the event's externalId).
 */
export function createImapConnection(channel: ChannelInstance, onEvent: (event: InboundEvent) => Promise<unknown>, deps: ImapConnectionDeps): ImapConnection {
  const settings = emailSettingsOf(channel);
  const readers = settings.imap.mailboxes.map((mailbox) => new MailboxReader(channel, settings, mailbox, onEvent, deps));
  let started = false;

  return {
    async start() {
      if (started) return;
      started = true;
      // All or nothing: a mailbox that cannot be opened fails the start, and the host retries on its next tick.
      const results = await Promise.allSettled(readers.map((r) => r.start()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) {
        started = false;
        await Promise.all(readers.map((r) => r.stop()));
        throw failed.reason;
      }
    },
    async stop() {
      started = false;
      await Promise.all(readers.map((r) => r.stop()));
    },
  };
}

interface Batch {
  client: ImapFlow;
  uidValidity: string;
  lastUid: number;
}

class MailboxReader {
  private client: ImapFlow | undefined;
  private running = false;
  /** The drain in progress; `again` asks it for one more pass (an `exists` arrived meanwhile). */
  private draining: Promise<void> | undefined;
  private again = false;
  /** SELECT the mailbox again before the next read (poll, or a failed SELECT). */
  private reselect = false;
  /** After each (re)connect: mark mail below the cursor that a killed predecessor persisted but never flagged. */
  private repair = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private reconnects = 0;
  private retries = 0;

  constructor(
    private readonly channel: ChannelInstance,
    private readonly settings: EmailSettings,
    private readonly mailbox: string,
    private readonly onEvent: (event: InboundEvent) => Promise<unknown>,
    private readonly deps: ImapConnectionDeps,
  ) {}

  private get ctx() {
    return { channel: this.channel.id, mailbox: this.mailbox };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.connect();
    } catch (err) {
      this.running = false;
      throw err;
    }
    this.schedulePoll();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.pollTimer);
    // The drain checks `running` between mails: it ends after the mail in hand, whose cursor it still advances.
    await this.draining?.catch(() => {});
    const client = this.client;
    this.client = undefined;
    if (client) await closeClient(client, this.deps.timeoutMs);
  }

  private async connect(): Promise<void> {
    const { imap } = this.settings;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.secure,
      auth: { user: this.channel.secrets.imapUser ?? '', pass: this.channel.secrets.imapPassword ?? '' },
      logger: false,
      // IDLE soon after the last command: new mail is noticed within milliseconds, not after imapflow's 15 s.
      autoIdleDelay: 100,
      connectionTimeout: this.deps.timeoutMs,
      greetingTimeout: this.deps.timeoutMs,
    });
    // Without a listener an 'error' event would crash the process; 'close' follows it and reconnects.
    client.on('error', (err: unknown) => this.deps.log?.warn({ err, ...this.ctx }, 'imap client error'));
    client.on('close', () => {
      if (this.client !== client) return;
      this.client = undefined;
      if (this.running) {
        this.deps.log?.warn(this.ctx, 'imap connection closed: reconnecting');
        this.scheduleReconnect();
      }
    });
    client.on('exists', () => this.kick());
    try {
      await client.connect();
      if (imap.processedFolder) await ensureMailbox(client, imap.processedFolder);
      // SELECT and keep it selected (no lock held), so imapflow IDLEs on it between our commands.
      await client.mailboxOpen(this.mailbox);
    } catch (err) {
      client.close();
      throw err;
    }
    if (!this.running) {
      await closeClient(client, this.deps.timeoutMs);
      return;
    }
    this.client = client;
    this.reconnects = 0;
    this.repair = true;
    this.deps.log?.info(this.ctx, 'imap mailbox open');
    this.kick();
  }

  private scheduleReconnect(): void {
    clearTimeout(this.reconnectTimer);
    const delay = this.backoff(this.reconnects++);
    this.reconnectTimer = setTimeout(() => {
      if (!this.running || this.client) return;
      this.connect().catch((err: unknown) => {
        this.deps.log?.warn({ err, ...this.ctx, delay }, 'imap reconnect failed');
        if (this.running && !this.client) this.scheduleReconnect();
      });
    }, delay);
  }

  private schedulePoll(): void {
    clearTimeout(this.pollTimer);
    if (!this.running) return;
    this.pollTimer = setTimeout(() => {
      this.reselect = true;
      this.kick();
      this.schedulePoll();
    }, this.deps.pollMs ?? 60_000);
  }

  private backoff(attempt: number): number {
    const base = this.deps.backoffMs ?? 250;
    const cap = this.deps.maxBackoffMs ?? 30_000;
    const delay = Math.min(cap, base * 2 ** Math.min(attempt, 20));
    // Up to 20 % jitter, so many channels behind one server do not reconnect in lockstep.
    return Math.round(delay * (0.8 + Math.random() * 0.2));
  }

  /** Reads new mail now, or right after the drain in progress. */
  private kick(): void {
    if (!this.running) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = (async () => {
      try {
        do {
          this.again = false;
          await this.drain();
        } while (this.again && this.running);
        this.retries = 0;
      } catch (err) {
        // Nothing past the failed mail was marked read: retry later from the cursor (a closed connection
        // reconnects on its own and drains on open).
        if (this.running && this.client) {
          const delay = this.backoff(this.retries++);
          this.deps.log?.warn({ err, ...this.ctx, delay }, 'imap intake paused: retrying');
          clearTimeout(this.retryTimer);
          this.retryTimer = setTimeout(() => this.kick(), delay);
        } else {
          this.deps.log?.warn({ err, ...this.ctx }, 'imap intake interrupted');
        }
      } finally {
        this.draining = undefined;
      }
    })();
  }

  /** One pass: every UID above the cursor, in order, in batches. */
  private async drain(): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (this.reselect || !client.mailbox) {
      this.reselect = false;
      try {
        await client.mailboxOpen(this.mailbox);
      } catch (err) {
        this.reselect = true;
        throw err;
      }
    }
    if (!client.mailbox) return;
    const uidValidity = String(client.mailbox.uidValidity);
    const cursor = await this.deps.cursors.get(this.channel.id, this.mailbox);
    let lastUid = cursor?.lastUid ?? 0;
    if (cursor && cursor.uidValidity !== uidValidity) {
      this.deps.log?.warn({ ...this.ctx, was: cursor.uidValidity, now: uidValidity }, 'imap UIDVALIDITY changed: reading the mailbox again');
      await this.deps.cursors.reset(this.channel.id, this.mailbox, uidValidity);
      lastUid = 0;
    }
    if (this.repair && lastUid > 0) {
      const unmarked = await client.search({ uid: `1:${lastUid}`, unKeyword: PROCESSED_KEYWORD }, { uid: true });
      const uids = (unmarked || []).filter((uid) => uid <= lastUid);
      if (uids.length) {
        this.deps.log?.info({ ...this.ctx, count: uids.length }, 'imap marking mail persisted before a crash');
        await this.mark(client, uids);
      }
    }
    this.repair = false;
    // UIDs only first (`n:*` also matches the highest UID when n is past it, hence the filter).
    const found = await client.search({ uid: `${lastUid + 1}:*` }, { uid: true });
    const uids = (found || []).filter((uid) => uid > lastUid).sort((a, b) => a - b);
    const size = this.deps.batchSize ?? 50;
    for (let i = 0; i < uids.length && this.running; i += size) {
      lastUid = await this.process({ client, uidValidity, lastUid }, uids.slice(i, i + size));
    }
  }

  /** Fetches one batch, then persists it mail by mail; returns the last UID persisted. */
  private async process(batch: Batch, uids: number[]): Promise<number> {
    const { client, uidValidity } = batch;
    const sources = new Map<number, { source: Buffer; receivedAt?: Date }>();
    // Collect first: no other IMAP command may run inside a fetch iterator (it deadlocks). INTERNALDATE is when the
    // server took the mail: the time of a mail without a Date header.
    for await (const message of client.fetch(uids.join(','), { uid: true, source: true, internalDate: true }, { uid: true })) {
      if (message.uid <= batch.lastUid || !message.source) continue;
      const receivedAt = message.internalDate ? new Date(message.internalDate) : undefined;
      sources.set(message.uid, { source: message.source, ...(receivedAt && !Number.isNaN(receivedAt.getTime()) ? { receivedAt } : {}) });
    }
    const done: number[] = [];
    let lastUid = batch.lastUid;
    try {
      for (const uid of uids) {
        if (!this.running) break;
        const fetched = sources.get(uid);
        if (!fetched) continue; // expunged meanwhile
        await this.ingest(uid, fetched.source, fetched.receivedAt);
        await this.deps.cursors.advance(this.channel.id, this.mailbox, uidValidity, uid);
        lastUid = uid;
        done.push(uid);
      }
    } finally {
      // Marking is cosmetic (the cursor is the truth), so it runs for the persisted part even when a mail failed.
      if (done.length) await this.mark(client, done);
    }
    return lastUid;
  }

  private async ingest(uid: number, source: Buffer, receivedAt: Date | undefined): Promise<void> {
    let parsed: Awaited<ReturnType<typeof mailToEvent>>;
    try {
      parsed = await mailToEvent(source, this.settings, receivedAt ? { receivedAt } : {});
    } catch (err) {
      // mailToEvent does not throw on content; if it ever does, one bad mail must not stall the mailbox forever.
      this.deps.log?.error({ err, ...this.ctx, uid }, 'mail could not be read: skipped');
      return;
    }
    const { event, attachments } = parsed;
    if (attachments.length && 'externalId' in event) await this.deps.saveAttachments(this.channel.id, event.externalId, attachments);
    // Rejects when the event could not be stored: the batch stops here and the cursor stays before this mail.
    await this.onEvent(event);
  }

  private async mark(client: ImapFlow, uids: number[]): Promise<void> {
    const range = uids.join(',');
    try {
      await client.messageFlagsAdd(range, ['\\Seen', PROCESSED_KEYWORD], { uid: true });
      const folder = this.settings.imap.processedFolder;
      if (folder && folder !== this.mailbox) await client.messageMove(range, folder, { uid: true });
    } catch (err) {
      this.deps.log?.warn({ err, ...this.ctx, uids: uids.length }, 'imap could not mark processed mail');
    }
  }
}

async function ensureMailbox(client: ImapFlow, path: string): Promise<void> {
  const list = await client.list();
  if (list.some((m) => m.path === path)) return;
  try {
    await client.mailboxCreate(path);
  } catch (err) {
    // Another process (or a concurrent reader of this channel) created it first.
    const again = await client.list();
    if (!again.some((m) => m.path === path)) throw err;
  }
}

async function closeClient(client: ImapFlow, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.logout(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } catch {
    // Already closed.
  } finally {
    clearTimeout(timer);
    client.close();
  }
}
