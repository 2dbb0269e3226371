import type { Connection, Model } from 'mongoose';
import { createDeskModels, type DeskModels } from './desk';
import { createJobModel, type JobRecord } from './jobs';
import { createLeaseModel, type LeaseRecord } from './leases';
import { createAttachmentModel, type AttachmentRecord } from './attachments';
import { createConnectionStatusModel, type ConnectionStatusRecord } from './connection-status';
import { createMailCursorModel, type MailCursorRecord } from './mail-cursors';
import { channelSchema, contactSchema, conversationSchema, identitySchema, messageSchema } from './schemas';
import type { ChannelRecord, ContactRecord, ConversationRecord, IdentityRecord, MessageRecord } from './types';

export interface Models extends DeskModels {
  Contact: Model<ContactRecord>;
  Identity: Model<IdentityRecord>;
  Conversation: Model<ConversationRecord>;
  Message: Model<MessageRecord>;
  Channel: Model<ChannelRecord>;
  Job: Model<JobRecord>;
  Lease: Model<LeaseRecord>;
  MailCursor: Model<MailCursorRecord>;
  Attachment: Model<AttachmentRecord>;
  ConnectionStatus: Model<ConnectionStatusRecord>;
}

/** Models are bound to a connection (not the global mongoose), so tests and tools can hold several at once. */
export function createModels(connection: Connection): Models {
  return {
    Contact: connection.model<ContactRecord>('Contact', contactSchema, 'contacts'),
    Identity: connection.model<IdentityRecord>('Identity', identitySchema, 'contact_identities'),
    Conversation: connection.model<ConversationRecord>('Conversation', conversationSchema, 'conversations'),
    Message: connection.model<MessageRecord>('Message', messageSchema, 'messages'),
    Channel: connection.model<ChannelRecord>('Channel', channelSchema, 'channels'),
    Job: createJobModel(connection),
    Lease: createLeaseModel(connection),
    MailCursor: createMailCursorModel(connection),
    Attachment: createAttachmentModel(connection),
    ConnectionStatus: createConnectionStatusModel(connection),
    ...createDeskModels(connection),
  };
}

/** Creates collections and indexes explicitly, so start-up fails loudly if the store rejects one. */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of Object.values(models) as Model<unknown>[]) {
    await model.createCollection().catch((err: { code?: number }) => {
      if (err.code !== 48) throw err; // 48: NamespaceExists
    });
    await model.createIndexes();
  }
}
