/**
 * The reports' shapes, free of any import so the console's browser code can share them (src/http/console/api-types.ts).
 */

/** What an episode's figures are counted by. */
export interface Dimensions {
  channelKind: string;
  channelId: string;
  team: string;
  intent: string;
  language: string;
}

export type Dimension = keyof Dimensions;

export interface DurationFigure {
  /** Seconds; null when nothing was measured. */
  median: number | null;
  p90: number | null;
  n: number;
}

/** The figures of docs/metrics.md over some rollups; each rate says its denominator by its name there. */
export interface Figures {
  conversations: number;
  involved: number;
  aiResolved: number;
  handedOff: number;
  resolved: number;
  /** involved ÷ conversations */
  involvementRate: number | null;
  /** aiResolved ÷ involved */
  aiResolutionRate: number | null;
  /** involvement × AI resolution = aiResolved ÷ conversations */
  automationRate: number | null;
  /** (conversations − handedOff) ÷ conversations: no person was needed */
  deflectionRate: number | null;
  /** handedOff ÷ conversations */
  handoffRate: number | null;
  handoffReasons: Array<{ reason: string; count: number; rate: number }>;
  firstBotResponse: DurationFigure;
  firstHumanResponse: DurationFigure;
  resolutionTime: DurationFigure;
  /** Mean survey score 1 … 5, over answered surveys */
  csat: number | null;
  csatResponses: number;
  /** answered ÷ asked */
  csatResponseRate: number | null;
  /** helpful ÷ (helpful + unhelpful) answer ratings */
  helpfulAnswerRate: number | null;
  /** durable ÷ resolved episodes whose durability window has passed */
  durableRate: number | null;
  deliveryFailures: number;
}

export interface ReportQuery {
  /** Inclusive UTC days, YYYY-MM-DD. */
  from: string;
  to: string;
  filter: Partial<Dimensions>;
}

export interface Overview {
  from: string;
  to: string;
  previous: { from: string; to: string };
  totals: Figures;
  previousTotals: Figures;
  series: Array<{ day: string } & Figures>;
  breakdowns: Record<Dimension, Array<{ key: string } & Figures>>;
}


/** A group of questions the bot could not answer from the knowledge base (src/reporting/gaps.ts). */
export interface GapGroup {
  /** The first (newest) question of the group. */
  label: string;
  count: number;
  examples: Array<{ text: string; conversationId: string; at: string }>;
}
