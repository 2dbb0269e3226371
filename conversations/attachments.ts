import { Schema, type Connection, type Model } from 'mongoose';

/**
 * Attachments of inbound mail, one document per attachment. `_id` = `<channelId>:<externalId>:<index>`, so
 * saving the same mail again (a re-fetch after a crash or a UIDVALIDITY reset) changes nothing.
 * Attachments over the channel's `maxAttachmentBytes` are recorded without their bytes (`stored: false`).
 */
export interface AttachmentRecord {
  _id: string;
  channelId: string;
  /** The inbound message's external id (the mail's Message-ID). */
  externalId: string;
  index: number;
  filename?: string;
  contentType: string;
  size: number;
  contentId?: string;
  stored: boolean;
  data?: Buffer;
  createdAt: Date;
}

/** What the intake hands over (the adapter's MailAttachment, structurally). */
export interface AttachmentInput {
  index: number;
  filename?: string;
  contentType: string;
  size: number;
  contentId?: string;
  content?: Buffer;
}

const attachmentSchema = new Schema<AttachmentRecord>(
  {
    _id: { type: String, required: true },
    channelId: { type: String, required: true },
    externalId: { type: String, required: true },
    index: { type: Number, required: true },
    filename: String,
    contentType: { type: String, required: true },
    size: { type: Number, required: true },
    contentId: String,
    stored: { type: Boolean, required: true },
    data: Buffer,
    createdAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export function createAttachmentModel(connection: Connection): Model<AttachmentRecord> {
  return connection.model<AttachmentRecord>('Attachment', attachmentSchema, 'attachments');
}

export const attachmentId = (channelId: string, externalId: string, index: number) => `${channelId}:${externalId}:${index}`;

export class AttachmentRepository {
  constructor(
    private readonly Attachment: Model<AttachmentRecord>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** Idempotent: an attachment already saved is left as it is (`$setOnInsert` upserts). */
  async saveAll(channelId: string, externalId: string, attachments: AttachmentInput[]): Promise<void> {
    if (attachments.length === 0) return;
    const createdAt = this.clock();
    await this.Attachment.bulkWrite(
      attachments.map((a) => {
        const _id = attachmentId(channelId, externalId, a.index);
        const doc = {
          channelId,
          externalId,
          index: a.index,
          contentType: a.contentType,
          size: a.size,
          stored: a.content !== undefined,
          createdAt,
          ...(a.filename !== undefined ? { filename: a.filename } : {}),
          ...(a.contentId !== undefined ? { contentId: a.contentId } : {}),
          ...(a.content !== undefined ? { data: a.content } : {}),
        };
        return { updateOne: { filter: { _id }, update: { $setOnInsert: doc }, upsert: true } };
      }),
      { ordered: false },
    );
  }

  async get(channelId: string, externalId: string, index: number): Promise<AttachmentRecord | null> {
    const row = await this.Attachment.findById(attachmentId(channelId, externalId, index)).lean<AttachmentRecord>().exec();
    // Lean reads give BSON Binary, not Buffer.
    const data = row?.data as unknown as { buffer?: ArrayBufferLike | Buffer } | Buffer | undefined;
    if (!row || !data || Buffer.isBuffer(data)) return row;
    return { ...row, data: Buffer.from(data.buffer as Uint8Array) };
  }

  list(channelId: string, externalId: string): Promise<AttachmentRecord[]> {
    return this.Attachment.find({ channelId, externalId }).sort({ index: 1 }).lean<AttachmentRecord[]>().exec();
  }
}
