import { Schema, type Connection, type Model } from 'mongoose';
import { isDuplicateKey } from './errors';

/**
 * How far the IMAP intake of one channel has read one mailbox: every UID up to `lastUid` (within `uidValidity`)
 * has been persisted. IMAP UIDs only mean something together with the mailbox's UIDVALIDITY: when the server
 * changes it (mailbox recreated, index rebuilt) the old `lastUid` is meaningless and the mailbox is read again
 * from the start (re-ingest is harmless: inbound mail is deduplicated by its Message-ID).
 */
export interface MailCursorRecord {
  /** `<channelId>:<mailbox>` */
  _id: string;
  /** IMAP UIDVALIDITY as a decimal string (imapflow reports a bigint; BSON has no unsigned 32-bit type). */
  uidValidity: string;
  lastUid: number;
  updatedAt: Date;
}

const mailCursorSchema = new Schema<MailCursorRecord>(
  {
    _id: { type: String, required: true },
    uidValidity: { type: String, required: true },
    lastUid: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export function createMailCursorModel(connection: Connection): Model<MailCursorRecord> {
  return connection.model<MailCursorRecord>('MailCursor', mailCursorSchema, 'mail_cursors');
}

export const mailCursorId = (channelId: string, mailbox: string) => `${channelId}:${mailbox}`;

/** Single-document atomic writes only (mongo.md): a stale or concurrent writer can never move a cursor back. */
export class MailCursorRepository {
  constructor(
    private readonly MailCursor: Model<MailCursorRecord>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async get(channelId: string, mailbox: string): Promise<{ uidValidity: string; lastUid: number } | null> {
    const row = await this.MailCursor.findById(mailCursorId(channelId, mailbox)).lean<MailCursorRecord>();
    return row ? { uidValidity: row.uidValidity, lastUid: row.lastUid } : null;
  }

  /**
   * Records that every UID up to `uid` is persisted. Only moves forward within the same UIDVALIDITY; a cursor of
   * another UIDVALIDITY is replaced (the mailbox was reset under us).
   */
  async advance(channelId: string, mailbox: string, uidValidity: string, uid: number): Promise<void> {
    const _id = mailCursorId(channelId, mailbox);
    const updatedAt = this.clock();
    try {
      // Same validity and behind: move forward. No cursor yet: the upsert creates it. Anything else (already at or
      // past `uid`, or another validity) makes the upsert collide on `_id`: 11000.
      await this.MailCursor.updateOne({ _id, uidValidity, lastUid: { $lt: uid } }, { $set: { lastUid: uid, updatedAt } }, { upsert: true });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // The row exists: forward within this validity (a racing first upsert may have created it behind us), else
      // replace a cursor of another validity. Neither matching means it is already at or past `uid`.
      const forward = await this.MailCursor.updateOne({ _id, uidValidity, lastUid: { $lt: uid } }, { $set: { lastUid: uid, updatedAt } });
      if (forward.matchedCount === 0) {
        await this.MailCursor.updateOne({ _id, uidValidity: { $ne: uidValidity } }, { $set: { uidValidity, lastUid: uid, updatedAt } });
      }
    }
  }

  /** Starts the mailbox over under a new UIDVALIDITY (nothing read yet). */
  async reset(channelId: string, mailbox: string, uidValidity: string): Promise<void> {
    await this.MailCursor.updateOne(
      { _id: mailCursorId(channelId, mailbox) },
      { $set: { uidValidity, lastUid: 0, updatedAt: this.clock() } },
      { upsert: true },
    );
  }
}
