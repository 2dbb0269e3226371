import { Schema } from 'mongoose';
import type {
  ChannelRecord,
  ContactRecord,
  ConversationRecord,
  IdentityRecord,
  MessageRecord,
} from './types';

const keyValue = new Schema({ k: { type: String, required: true }, v: { type: String, required: true } }, { _id: false });

export const contactSchema = new Schema<ContactRecord>(
  {
    displayName: String,
    email: String,
    phone: String,
    attributes: { type: [keyValue], default: [] },
    aiOptOut: { type: Boolean, default: false },
    vip: { type: Boolean, default: false },
  },
  { timestamps: true, versionKey: false },
);
// Looking a contact up by a verified email or phone (cross-channel matching, admin search).
contactSchema.index({ email: 1 }, { sparse: true });
contactSchema.index({ phone: 1 }, { sparse: true });

export const identitySchema = new Schema<IdentityRecord>(
  {
    _id: { type: String, required: true },
    contactId: { type: Schema.Types.ObjectId, required: true },
    channelId: { type: String, required: true },
    externalId: { type: String, required: true },
    handle: String,
    lastSeenAt: { type: Date, required: true },
  },
  { versionKey: false },
);
// All identities of a contact (profile view, merge).
identitySchema.index({ contactId: 1 });

export const conversationSchema = new Schema<ConversationRecord>(
  {
    contactId: { type: Schema.Types.ObjectId, required: true },
    channelId: { type: String, required: true },
    channelKind: { type: String, required: true },
    address: {
      to: { type: String, required: true },
      threadId: String,
      extra: { type: [keyValue], default: [] },
    },
    openKey: String,
    status: { type: String, enum: ['bot', 'pending', 'assigned', 'resolved'], default: 'bot' },
    team: String,
    assignee: String,
    priority: { type: String, enum: ['low', 'normal', 'high', 'urgent'], default: 'normal' },
    escalationReason: String,
    latest: { type: Schema.Types.Mixed, default: {} },
    tags: { type: [String], default: [] },
    unhelpfulTurns: { type: Number, default: 0 },
    botHelpsUntil: Date,
    lastInboundAt: Date,
    lastBotReplyAt: Date,
    offeredChoices: { type: [{ id: String, title: String, _id: false }], default: undefined },
    firstResponseAt: Date,
    firstResponseMs: Number,
    escalatedAt: Date,
    assigneeName: String,
    claimedAt: Date,
    agentFirstReplyAt: Date,
    agentReplyMs: Number,
    slaRemindedAt: Date,
    assist: Schema.Types.Mixed,
    resolvedAt: Date,
    resolutionMs: Number,
    resolvedBy: String,
    /** Counts reopenings: each episode (open → resolved) has its own outcome row in the reports. */
    episode: Number,
    csat: { _id: false, type: { requestedAt: Date, score: Number, answeredAt: Date } },
  },
  { timestamps: true, versionKey: false, minimize: false },
);
// Ingest finds "the open conversation of this address" by key; unique + sparse (never null) keeps it single.
conversationSchema.index({ openKey: 1 }, { unique: true, sparse: true });
// Inbox views: a team's escalations by status, newest first.
conversationSchema.index({ status: 1, team: 1, updatedAt: -1 });
conversationSchema.index({ contactId: 1, createdAt: -1 });
// SLA reminders: unclaimed escalations, oldest first.
conversationSchema.index({ status: 1, escalatedAt: 1 });
// The wait quoted to a queued customer: a team's latest first replies by a person.
conversationSchema.index({ team: 1, agentFirstReplyAt: -1 }, { sparse: true });

const deliverySchema = new Schema(
  {
    status: { type: String, enum: ['queued', 'sent', 'delivered', 'read', 'failed'], required: true },
    attempts: { type: Number, default: 0 },
    nextAttemptAt: { type: Date, required: true },
    chunksSent: { type: Number, default: 0 },
    externalIds: { type: [String], default: [] },
    error: { code: String, message: String, retryable: Boolean, at: Date },
    substitute: { code: String, description: String },
    /** Handed to the channel but nobody took it yet (a web chat visitor offline): queued until their receipt. */
    awaitingRecipient: Boolean,
    sentAt: Date,
    deliveredAt: Date,
    readAt: Date,
  },
  { _id: false },
);

export const messageSchema = new Schema<MessageRecord>(
  {
    conversationId: { type: Schema.Types.ObjectId, required: true },
    contactId: { type: Schema.Types.ObjectId, required: true },
    channelId: { type: String, required: true },
    direction: { type: String, enum: ['inbound', 'outbound'], required: true },
    author: { kind: { type: String, required: true }, id: String, name: String },
    // Typed by the port (adapters/types.ts Part); stored as-is.
    parts: { type: Schema.Types.Mixed, default: [] },
    text: { type: String, default: '' },
    citations: { type: [{ title: String, url: String, _id: false }], default: [] },
    dedupeKey: String,
    externalId: String,
    actionValue: String,
    processing: { state: String, processedAt: Date, outcome: String, attempts: Number, lastAttemptAt: Date, lastError: String },
    delivery: deliverySchema,
    annotations: Schema.Types.Mixed,
    replyTo: Schema.Types.ObjectId,
    rating: { _id: false, type: { value: String, at: Date } },
    internal: Boolean,
    automated: String,
    raw: String,
    receivedAt: { type: Date, required: true },
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
// Idempotency: a redelivered webhook (Meta retries for a day, Slack three times) hits this and becomes a no-op;
// a re-run of a crashed worker's reply hits it too. Sparse because agent-typed messages have no natural key.
messageSchema.index({ dedupeKey: 1 }, { unique: true, sparse: true });
// Conversation history in order; the worker's "pending inbound messages of this conversation" scan.
messageSchema.index({ conversationId: 1, receivedAt: 1 });
// A returning web chat visitor's history across their conversations.
messageSchema.index({ contactId: 1, receivedAt: -1 });
// Operators' view of what is stuck or failed.
messageSchema.index({ 'delivery.status': 1, 'delivery.nextAttemptAt': 1 });
// Web chat replies waiting for their visitor (few, and only until a receipt): what each process's sweep reads.
messageSchema.index({ 'delivery.awaitingRecipient': 1, receivedAt: 1 }, { sparse: true });
// Platform status webhooks (delivered/read/failed) name the platform's message id.
messageSchema.index({ channelId: 1, 'delivery.externalIds': 1 });

export const channelSchema = new Schema<ChannelRecord>(
  {
    _id: { type: String, required: true },
    kind: { type: String, required: true },
    name: { type: String, required: true },
    enabled: { type: Boolean, default: true },
    settings: { type: Schema.Types.Mixed, default: {} },
    secretsEnc: String,
    apiKeyHash: String,
  },
  { timestamps: true, versionKey: false, minimize: false },
);
// The HTTP API channel finds its channel from the bearer key's hash.
channelSchema.index({ apiKeyHash: 1 }, { unique: true, sparse: true });
