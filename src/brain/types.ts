import type { ChannelKind, Choice, Citation } from '../../adapters/types';
import type { Annotations, AnswerRating, AuthorKind, ConversationStatus, Priority } from '../../conversations/types';

/** What the brain may read. It never writes: the pipeline turns its decision into state changes. */
export interface BrainContext {
  /** For per-conversation limits (a provider's token budget); the brain never loads anything by it. */
  conversationId?: string;
  text: string;
  /** Set when the customer tapped a button rather than typing. */
  actionValue?: string;
  channelKind: ChannelKind;
  contact: { aiOptOut: boolean; vip: boolean; displayName?: string };
  conversation: { status: ConversationStatus; unhelpfulTurns: number; language?: string };
  /** Recent messages, oldest first, the current one excluded. */
  history: Array<{ author: AuthorKind; text: string }>;
  /** Set while the conversation waits for a person (handed over, nobody has taken it yet): the pipeline reads it. */
  queue?: QueueStatus;
}

/** Where a handed-over conversation stands, from the store (the brain never reads it itself). */
export interface QueueStatus {
  team: string;
  /** 1 = next: the team's pending conversations escalated before this one, plus one. */
  position: number;
  /** Recent first-reply times of the team's hand-overs, ms (the brain decides what is enough to quote). */
  recentFirstReplyMs: number[];
  /** The bot already replied once since the hand-over (an acknowledgement or status). */
  repliedSinceHandoff: boolean;
}

/** What the bot says to a customer waiting for a person; undefined: nothing (the agents see the message anyway). */
export interface WaitingReply {
  text: string;
  choices?: Choice[];
  annotations: Annotations;
  effects?: DecisionBase['effects'] & {
    /** The customer no longer needs a person ("never mind, found it"): the conversation goes back to the bot. */
    withdraw?: true;
  };
}

interface DecisionBase {
  annotations: Annotations;
  /** State the pipeline records besides the reply. */
  effects?: {
    /** The customer rated the bot's latest answer. */
    rating?: AnswerRating;
    /** The customer asked never to be handled by AI again. */
    aiOptOut?: true;
  };
}

export type Decision =
  | (DecisionBase & { kind: 'answer'; text: string; citations: Citation[]; choices?: Choice[] })
  | (DecisionBase & { kind: 'clarify'; text: string; choices?: Choice[] })
  | (DecisionBase & {
      kind: 'escalate';
      text: string;
      reason: EscalationReason;
      team: string;
      priority: Priority;
      /** Outside the team's hours: the bot keeps answering until then (people see the conversation first thing). */
      botHelpsUntil?: Date;
    });

/**
 * Why people took over. The built-in reasons below; routing rules may name their own (lower_snake_case), which
 * agents see on the escalation card as written.
 */
export type EscalationReason =
  | 'customer_request'
  | 'low_confidence'
  | 'repeated_failure'
  | 'ai_opt_out'
  | 'negative_sentiment'
  | 'urgent'
  | 'intent_policy'
  | 'unsupported_language'
  | 'policy'
  | (string & {});

export interface Brain {
  readonly name: string;
  /** Brains that read earlier messages say so; the others are spared loading them on every turn. */
  readonly usesHistory?: boolean;
  decide(context: BrainContext): Promise<Decision>;
  /**
   * A customer message while the conversation waits for a person (`context.queue` set). Brains without it stay
   * silent then, as before.
   */
  whileQueued?(context: BrainContext & { queue: QueueStatus }): Promise<WaitingReply | undefined>;
  /**
   * A hand-over summary for agents, when the brain has a model to write one (the provider brain). Rejects on any
   * failure; the desk then writes its own summary from the analysis.
   */
  summarize?(transcript: Array<{ author: string; text: string }>, facts: string): Promise<string>;
}

/** The value of the "talk to a person" button every channel shows. */
export const HANDOFF_ACTION = 'handoff';
