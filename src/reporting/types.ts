import type { Types } from 'mongoose';
import type { ReportFact } from '../../conversations/report-events';
import type { Dimensions } from './figure-types';

export type { Dimensions } from './figure-types';

/** `report_events`: append-only, one row per fact, `_id` = `<conversation>:<episode>:<type>:<key>` (a re-run collides). */
export interface ReportEventRow {
  _id: string;
  conversationId: Types.ObjectId;
  episode: number;
  at: Date;
  channelKind: string;
  channelId: string;
  /** The conversation's team when the fact happened (its hand-off team once handed off). */
  team: string | null;
  fact: ReportFact;
}

/**
 * `report_outcomes`: one row per conversation episode (open → resolved, or a reopening), folded from its events by
 * `foldOutcome` (src/reporting/outcome.ts) and rewritten whole whenever one of them arrives. `_id` starts with the
 * episode's UTC day, so a day's rows are one `_id` range (the only range the stand-in answers from an index).
 */
export interface OutcomeRow extends Dimensions {
  _id: string;
  conversationId: Types.ObjectId;
  episode: number;
  /** UTC day (YYYY-MM-DD) the episode started: the day it is counted on. */
  day: string;
  startedAt: Date;
  lastActivityAt: Date;
  /** Events folded: a concurrent refresh that saw fewer never overwrites one that saw more. */
  events: number;
  customerMessages: number;
  /** The bot tried: it answered or asked back at least once. */
  involved: boolean;
  botAnswers: number;
  /** Resolved by the AI: confirmed (a helpful rating, a "thanks") or assumed (the customer left after an answer). */
  aiResolved: boolean;
  aiResolution: 'confirmed' | 'assumed' | null;
  handedOff: boolean;
  handoffReason: string | null;
  resolved: boolean;
  resolvedAt: Date | null;
  /** Resolved (by a person or the AI) and not reopened within the durability window; null until that is known. */
  durable: boolean | null;
  reopened: boolean;
  firstBotResponseMs: number | null;
  firstHumanResponseMs: number | null;
  resolutionMs: number | null;
  surveyAsked: boolean;
  csat: number | null;
  helpfulRatings: number;
  unhelpfulRatings: number;
  deliveryFailures: number;
  /** False while something may still change without a new event (the AI-resolution window, durability). */
  settled: boolean;
  /** When to fold it again though nothing happened (null: settled). */
  recheckAt: Date | null;
}

/** `report_daily`: the sums of one day's outcome rows for one combination of dimensions. */
export interface DailyRollup extends Dimensions {
  _id: string;
  day: string;
  conversations: number;
  involved: number;
  aiResolved: number;
  aiConfirmed: number;
  handedOff: number;
  handoffReasons: Array<{ k: string; v: number }>;
  resolved: number;
  durableKnown: number;
  durable: number;
  reopened: number;
  surveyAsked: number;
  csatCount: number;
  csatSum: number;
  helpfulRatings: number;
  unhelpfulRatings: number;
  deliveryFailures: number;
  /** Durations in whole seconds, sorted: medians and p90 over any period are exact, not bucket estimates. */
  firstBotResponseS: number[];
  firstHumanResponseS: number[];
  resolutionS: number[];
  builtAt: Date;
}

export const COLLECTIONS = {
  events: 'report_events',
  outcomes: 'report_outcomes',
  daily: 'report_daily',
  /** Days whose rollups are out of date, and outcome rows to fold again at a time (`<iso time>|<outcome id>`). */
  dirtyDays: 'report_dirty_days',
  rechecks: 'report_rechecks',
  /** Per day, what a drill-down shows of each episode (`<day>`). */
  dayRows: 'report_day_rows',
  /** Questions the bot could not answer from the knowledge base (`<day>|<message id>`). */
  gaps: 'report_gaps',
} as const;

export interface ReportSettings {
  /** The customer left this long after an answer without asking for more: the AI resolved it (assumed). */
  assumeResolvedAfterMs: number;
  /** Resolved and not reopened for this long: durable. */
  durableAfterMs: number;
  /** Intents that confirm an answer helped ("thanks, that's it"). */
  confirmIntents: string[];
}
