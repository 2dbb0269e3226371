import type { Types } from 'mongoose';
import type { ChannelAddress, ChannelKind, Citation, DeliveryStatus, Part } from '../adapters/types';

/** Plain shapes returned by the repositories (never mongoose documents), so callers cannot save by accident. */

export type ConversationStatus = 'bot' | 'pending' | 'assigned' | 'resolved';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export type AuthorKind = 'contact' | 'bot' | 'agent' | 'system';
export type Sentiment = 'negative' | 'neutral' | 'positive';
export type AnswerRating = 'helpful' | 'unhelpful';

export interface KeyValue {
  k: string;
  v: string;
}

export interface ContactRecord {
  _id: Types.ObjectId;
  displayName?: string;
  email?: string;
  phone?: string;
  attributes: KeyValue[];
  aiOptOut: boolean;
  vip: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface IdentityRecord {
  /** `${channelId}:${externalId}`: uniqueness per channel comes from the primary key itself. */
  _id: string;
  contactId: Types.ObjectId;
  channelId: string;
  externalId: string;
  handle?: string;
  lastSeenAt: Date;
}

export interface Annotations {
  language?: string;
  intent?: string;
  intentConfidence?: number;
  sentiment?: Sentiment;
  urgent?: boolean;
  decision?: 'answer' | 'clarify' | 'escalate' | 'silent';
  reason?: string;
  answerScore?: number;
  /** The passage the answer came from. */
  answerSource?: string;
  sentimentScore?: number;
  /** 0 … 1: anger, repetition, "still", "again". */
  frustration?: number;
  /** The message fits none of the admin's intents. */
  outOfScope?: boolean;
  /** P(not a support question) from the off-topic head, when it decided the reply. */
  offTopicScore?: number;
  /** The message was read with the customer's previous question (a dependent follow-up, src/brain/context.ts). */
  followUp?: boolean;
  team?: string;
  priority?: Priority;
  /** Routing rules that applied, by name. */
  rules?: string[];
  /** Which brain produced the decision ("embedded", "openai", "openai→embedded" after a fallback). */
  provider?: string;
  fallbackReason?: string;
  /** The bot's previous answer did not help (rated unhelpful, or abstained): counts towards handing over. */
  unhelpful?: boolean;
  /** Routing entities; personal data (email, phone, card, IBAN) by kind only, never its value. */
  entities?: Array<{ kind: string; value?: string }>;
  /** The message was longer than the brain reads (BRAIN_MAX_CHARS): its full length; only the prefix was analysed. */
  truncatedFrom?: number;
}

export interface StoredAddress {
  to: string;
  threadId?: string;
  extra: KeyValue[];
}

export interface ConversationRecord {
  _id: Types.ObjectId;
  contactId: Types.ObjectId;
  channelId: string;
  channelKind: ChannelKind;
  address: StoredAddress;
  /** Present while the conversation is open; unique, so one address has one open conversation. */
  openKey?: string;
  status: ConversationStatus;
  team?: string;
  assignee?: string;
  priority: Priority;
  escalationReason?: string;
  latest: Annotations;
  tags: string[];
  unhelpfulTurns: number;
  /** Escalated outside the team's hours: the bot keeps helping until people are back. */
  botHelpsUntil?: Date;
  lastInboundAt?: Date;
  /** Set when the bot queues a reply: the first one carries the AI disclosure. */
  lastBotReplyAt?: Date;
  /** Choices of the bot's last reply: a customer answering "2" on a channel without buttons means the second. */
  offeredChoices?: Array<{ id: string; title: string }>;
  firstResponseAt?: Date;
  firstResponseMs?: number;
  /** When people were asked to take over (the latest escalation); SLA reminders and reply times count from here. */
  escalatedAt?: Date;
  /** Display name of the agent who owns it (`assignee` is their platform id, e.g. `slack:U123`). */
  assigneeName?: string;
  claimedAt?: Date;
  /** The first message a person wrote to the customer after the escalation, and how long after it. */
  agentFirstReplyAt?: Date;
  agentReplyMs?: number;
  /** Set when the unclaimed-escalation reminder went out, so it goes out once. */
  slaRemindedAt?: Date;
  /** The latest agent assist: summary and suggested reply shown on the desk card ("Send suggested reply" sends this). */
  assist?: ConversationAssist;
  resolvedAt?: Date;
  resolutionMs?: number;
  resolvedBy?: string;
  /** Reopenings so far (absent: none); the reports keep one outcome row per episode. */
  episode?: number;
  /** Satisfaction survey after a person resolved it: asked, then answered 1 … 5. */
  csat?: { requestedAt: Date; score?: number; answeredAt?: Date };
  createdAt: Date;
  updatedAt: Date;
}

export interface ConversationAssist {
  summary: string;
  suggestion?: { text: string; citations: Citation[] };
  at: Date;
}

export interface DeliveryState {
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date;
  /** How many rendered chunks already went out, so a retry resumes instead of repeating them. */
  chunksSent: number;
  externalIds: string[];
  error?: { code: string; message: string; retryable: boolean; at: Date };
  /** What went out instead of the text, when a platform rule required it (a WhatsApp re-engagement template). */
  substitute?: { code: string; description: string };
  /** Handed to the channel but nobody took it yet (a web chat visitor offline): stays queued until their receipt. */
  awaitingRecipient?: boolean;
  sentAt?: Date;
  deliveredAt?: Date;
  readAt?: Date;
}

export interface ProcessingState {
  state: 'pending' | 'done';
  processedAt?: Date;
  outcome?: string;
  /** Processing attempts started (counted before the brain runs, so a hang or a killed worker counts). */
  attempts?: number;
  lastAttemptAt?: Date;
  lastError?: string;
}

export interface MessageRecord {
  _id: Types.ObjectId;
  conversationId: Types.ObjectId;
  contactId: Types.ObjectId;
  channelId: string;
  direction: 'inbound' | 'outbound';
  author: { kind: AuthorKind; id?: string; name?: string };
  parts: Part[];
  text: string;
  citations: Citation[];
  /** Inbound: `${channelId}:${externalId}`; outbound: the key of what produced it. Unique: the dedup guard. */
  dedupeKey?: string;
  externalId?: string;
  /** For inbound button taps: the choice value. */
  actionValue?: string;
  processing?: ProcessingState;
  delivery?: DeliveryState;
  annotations?: Annotations;
  replyTo?: Types.ObjectId;
  /** Inbound mail a machine sent (auto-reply, bounce, list mail): the reason. Stored, never answered automatically. */
  automated?: string;
  /** An agent's note in the desk thread: stored with the conversation, never sent to the customer. */
  internal?: boolean;
  /** The customer's verdict on a bot answer, for analytics. */
  rating?: { value: AnswerRating; at: Date };
  /** JSON text of the platform payload: the escape hatch, stored as a string so any key survives. */
  raw?: string;
  receivedAt: Date;
  createdAt: Date;
}

export interface ChannelRecord {
  _id: string;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  /** AES-256-GCM envelope of the JSON secrets; decrypted only in memory. */
  secretsEnc?: string;
  /** sha256 of the channel's API key, for channels addressed by key instead of URL. */
  apiKeyHash?: string;
  createdAt: Date;
  updatedAt: Date;
}

export type { ChannelAddress, Citation, Part };
