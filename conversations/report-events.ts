import type { Types } from 'mongoose';
import type { Annotations, AnswerRating } from './types';

/**
 * What the reporting model is told as it happens. The repositories emit these right after the atomic write that
 * made them true (and only when that write matched, so a redelivered webhook or a re-run after a crash emits
 * nothing new); src/reporting stores them append-only and folds them into one outcome row per episode.
 */
export type ReportFact =
  /** An inbound message the brain has read and decided on: what it read and what it did. */
  | { type: 'message'; key: string; annotations: Annotations }
  /** The bot's first reply in the conversation (first response time, bot side). */
  | { type: 'first_bot_response'; ms: number }
  | { type: 'handed_off'; reason: string; team: string; priority: string }
  | { type: 'claimed'; agent: string }
  | { type: 'returned_to_bot' }
  /** The first message a person wrote to the customer after the escalation. */
  | { type: 'first_human_reply'; ms: number }
  | { type: 'resolved'; by?: string; ms: number; surveyed: boolean }
  | { type: 'reopened' }
  /** The customer's verdict on one bot answer (👍/👎, "that helped"). */
  | { type: 'rated'; key: string; value: AnswerRating }
  | { type: 'survey_answered'; score: number }
  | { type: 'delivery_failed'; key: string; code: string };

export interface ReportEventInput {
  conversationId: Types.ObjectId;
  at: Date;
  fact: ReportFact;
  /** The episode the fact belongs to, when the writer knows it better than the conversation row does (a reopen). */
  episode?: number;
}

/** Where the repositories send facts; absent: reporting is off (tools, some tests). Never throws. */
export type ReportSink = (event: ReportEventInput) => Promise<void>;
