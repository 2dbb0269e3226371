/**
 * The desk port: where people pick escalated conversations up (a Slack channel, a Teams channel). A desk surface
 * only draws: it posts a thread root card for an escalation, redraws it when the state changes, and posts into
 * its thread. Everything agents do there comes back through the channel adapter's `parse` as ordinary events
 * (messages in the thread, button values `sb:<action>:<conversation id>`, commands), which the desk core in
 * `src/desk/` interprets. Keeping the surface this small is what lets Slack and Teams share one desk.
 */
import type { ChannelKind, Citation } from './types';

export type DeskAction =
  | 'claim'
  | 'send_suggested'
  | 'resolve'
  | 'return_to_bot'
  | 'refresh_suggestion'
  | 'draft_email'
  | 'next_action';

/** Button values carry the action and the conversation: `sb:claim:6650…`. */
export const DESK_ACTION_PREFIX = 'sb:';

export function deskActionValue(action: DeskAction, conversationId: string): string {
  return `${DESK_ACTION_PREFIX}${action}:${conversationId}`;
}

const ACTIONS = new Set<DeskAction>(['claim', 'send_suggested', 'resolve', 'return_to_bot', 'refresh_suggestion', 'draft_email', 'next_action']);

export function parseDeskActionValue(value: string): { action: DeskAction; conversationId: string } | undefined {
  const match = /^sb:([a-z_]+):([0-9a-f]{24})$/.exec(value);
  if (!match || !ACTIONS.has(match[1] as DeskAction)) return undefined;
  return { action: match[1] as DeskAction, conversationId: match[2]! };
}

export interface DeskButton {
  action: DeskAction;
  title: string;
  /** `deskActionValue(action, conversationId)`: what comes back when an agent taps it. */
  value: string;
  style?: 'primary' | 'danger';
}

/** Everything the thread root card shows; surfaces decide the layout (Block Kit, Adaptive Card). */
export interface EscalationCard {
  conversationId: string;
  customer: { name: string; handle?: string; channelKind: ChannelKind; channelName: string };
  /** Machine reason (`low_confidence`) and its human label ("The bot was not sure of an answer"). */
  reason: string;
  reasonLabel: string;
  team: string;
  priority: 'low' | 'normal' | 'high' | 'urgent';
  intent?: string;
  sentiment?: string;
  frustration?: number;
  language?: string;
  summary: string;
  lastMessages: Array<{ author: string; text: string }>;
  suggestedReply?: { text: string; sources: Citation[] };
  status: 'pending' | 'assigned' | 'resolved' | 'bot';
  /** Display name of the agent who claimed it. */
  assignee?: string;
  /** A line under the title: "Claimed by Dana", "Resolved by Dana — customer rated 5/5". */
  statusLine: string;
  buttons: DeskButton[];
  /** Link to the conversation in an admin UI or API, when there is one. */
  url?: string;
}

/** Where a desk posts new escalations: a Slack channel id, or a Teams channel (`19:…@thread.tacv2`). */
export interface DeskTarget {
  channel: string;
  /** Surface-specific addressing (Teams: serviceUrl, tenantId, teamId). */
  extra?: Record<string, string>;
}

/** The root of an escalation's thread, as the surface needs it to post into the thread or redraw the card. */
export interface DeskThreadRef {
  channel: string;
  /** Slack: the root message ts. Teams: the root activity id. */
  rootId: string;
  /** Teams: the thread's conversation id (`19:…;messageid=…`), serviceUrl… */
  extra?: Record<string, string>;
}

export interface ThreadPost {
  /** customer: their message mirrored; note: an internal remark; event: "Claimed by Dana"; assist: a suggestion. */
  kind: 'customer' | 'bot' | 'event' | 'reminder' | 'assist';
  text: string;
  authorName?: string;
  buttons?: DeskButton[];
}

/** A message of its own in a desk channel, outside any escalation thread: an operations alert. */
export interface DeskNotice {
  title: string;
  text: string;
  fields: Array<{ label: string; value: string }>;
  /** Where to look (the console view). */
  url?: string;
  tone: 'warning' | 'critical' | 'resolved';
}

export interface DeskSurface {
  readonly kind: Extract<ChannelKind, 'slack' | 'teams'>;
  /** `nonce` is carried by the card where the platform can (Slack message metadata), for `findCard` and `cardNonce`. */
  postCard(target: DeskTarget, card: EscalationCard, nonce?: string): Promise<DeskThreadRef>;
  /**
   * The card carrying `nonce` posted to `target` since `since`, when the platform lets us read it back (Slack's
   * conversations.history): how a re-run after a lost answer adopts the card instead of posting it twice.
   */
  findCard?(target: DeskTarget, nonce: string, since: Date): Promise<DeskThreadRef | undefined>;
  /** The nonce a thread root at `channel`/`rootId` carries, if it is one of our cards (read back from the platform). */
  cardNonce?(channel: string, rootId: string): Promise<string | undefined>;
  updateCard(thread: DeskThreadRef, card: EscalationCard): Promise<void>;
  postInThread(thread: DeskThreadRef, post: ThreadPost): Promise<{ id?: string }>;
  /** Posts a notice as a new message in `target` (alerts: src/alerts/notify.ts). */
  postNotice(target: DeskTarget, notice: DeskNotice): Promise<{ id?: string }>;
  /** Display name of a platform user (for attribution and "claimed by"); undefined when the platform will not say. */
  userName?(userId: string): Promise<string | undefined>;
}
