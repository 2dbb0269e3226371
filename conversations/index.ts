import type { Connection } from 'mongoose';
import { ChannelRepository } from './channels';
import { ContactRepository } from './contacts';
import { ConversationRepository } from './conversations';
import { DeskRepository } from './desk';
import { JobRepository } from './jobs';
import { LeaseRepository } from './leases';
import { AttachmentRepository } from './attachments';
import { ConnectionStatusRepository } from './connection-status';
import { MailCursorRepository } from './mail-cursors';
import { MessageRepository } from './messages';
import { createModels, ensureIndexes, type Models } from './models';
import type { ReportSink } from './report-events';
import type { SecretBox } from './secret-box';

export interface Store {
  models: Models;
  contacts: ContactRepository;
  conversations: ConversationRepository;
  messages: MessageRepository;
  channels: ChannelRepository;
  jobs: JobRepository;
  leases: LeaseRepository;
  desk: DeskRepository;
  /** IMAP intake progress per channel and mailbox. */
  mailCursors: MailCursorRepository;
  /** Attachments of inbound mail. */
  attachments: AttachmentRepository;
  /** What stateful connections' holders last reported (a WhatsApp Web QR), readable from any process. */
  connectionStatus: ConnectionStatusRepository;
}

export async function openStore(connection: Connection, box: SecretBox, options: { report?: ReportSink } = {}): Promise<Store> {
  const models = createModels(connection);
  await ensureIndexes(models);
  return {
    models,
    contacts: new ContactRepository(models),
    conversations: new ConversationRepository(models, options.report),
    messages: new MessageRepository(models, options.report),
    channels: new ChannelRepository(models, box),
    jobs: new JobRepository(models.Job),
    leases: new LeaseRepository(models.Lease),
    desk: new DeskRepository(models),
    mailCursors: new MailCursorRepository(models.MailCursor),
    attachments: new AttachmentRepository(models.Attachment),
    connectionStatus: new ConnectionStatusRepository(models.ConnectionStatus),
  };
}

export { SecretBox } from './secret-box';
export type * from './types';
export type * from './report-events';
