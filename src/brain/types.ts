import type { ChannelKind, Choice, Citation } from '../../adapters/types';
import type { Annotations, AuthorKind, ConversationStatus, Priority } from '../../conversations/types';

/** What the brain may read. It never writes: the pipeline turns its decision into state changes. */
export interface BrainContext {
  text: string;
  /** Set when the customer tapped a button rather than typing. */
  actionValue?: string;
  channelKind: ChannelKind;
  contact: { aiOptOut: boolean; vip: boolean; displayName?: string };
  conversation: { status: ConversationStatus; unhelpfulTurns: number; language?: string };
  /** Recent messages, oldest first, the current one excluded. */
  history: Array<{ author: AuthorKind; text: string }>;
}

interface DecisionBase {
  annotations: Annotations;
}

export type Decision =
  | (DecisionBase & { kind: 'answer'; text: string; citations: Citation[]; choices?: Choice[] })
  | (DecisionBase & { kind: 'clarify'; text: string; choices?: Choice[] })
  | (DecisionBase & { kind: 'escalate'; text: string; reason: EscalationReason; team: string; priority: Priority });

export type EscalationReason = 'customer_request' | 'low_confidence' | 'ai_opt_out' | 'negative_sentiment' | 'policy';

export interface Brain {
  readonly name: string;
  /** Brains that read earlier messages say so; the others are spared loading them on every turn. */
  readonly usesHistory?: boolean;
  decide(context: BrainContext): Promise<Decision>;
}

/** The value of the "talk to a person" button every channel shows. */
export const HANDOFF_ACTION = 'handoff';
