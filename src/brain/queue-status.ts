import type { Annotations } from '../../conversations/types';
import type { Analysis } from './analysis/types';
import { asksToOptOutOfAi, replyLanguage, Voice } from './replies';
import { isOpen, nextOpening } from './routing/hours';
import type { RoutingConfig } from './routing/rules';
import { HANDOFF_ACTION, type BrainContext, type QueueStatus, type WaitingReply } from './types';

/**
 * What a customer hears while their conversation waits for a person. The expected wait is the median of the
 * team's recent first replies by a person (the pipeline passes the last two weeks' latest 20) once there are
 * enough of them to mean something; before that, the team's `expectedWaitMinutes` from routing.yaml, then the
 * file's default. Outside the team's hours no minutes are quoted: the customer is told when people are back.
 */
export const MIN_REPLIES_TO_MEASURE = 3;

export interface WaitingTurn {
  queue: QueueStatus;
  /** The customer asked where things stand, or asked for a person again. */
  asksForStatus: boolean;
}

// "Any update?", "how long will this take", "is anyone there?", "still waiting", "when will someone reply?".
const STATUS_QUESTION =
  /\b(?:any (?:update|news)|update\?|how (?:much )?long(?:er)?|still waiting|(?:is|are) (?:any|some)(?:one|body) (?:there|coming|looking)|anyone there|hello\?|when will (?:some|any)(?:one|body)|when (?:do|will|can) (?:i|you|they) (?:hear|get|reply|answer)|what(?:'s| is) (?:happening|going on|the status)|status)\b/i;

export function asksForStatus(text: string): boolean {
  return STATUS_QUESTION.test(text);
}

/** "A person from billing will reply here. You're 3rd in the queue, usually within 10 minutes." */
export function queueStatusText(voice: Voice, routing: RoutingConfig, queue: QueueStatus, now: Date): string {
  const team = routing.teams[queue.team];
  const teamName = voice.teamLabel(team?.name ?? queue.team);
  const book = voice.book;
  const hours = team?.hours;
  if (hours && !isOpen(hours, now)) {
    const back = nextOpening(hours, now);
    if (back) return `${book.queuedWith(teamName)} ${book.teamClosed(teamName, voice.opening(back, hours.timezone, now))} ${book.queuePosition(queue.position)}.`;
  }
  const minutes = expectedWaitMinutes(routing, queue);
  return `${book.queuedWith(teamName)} ${book.queuePosition(queue.position)}, ${book.usualWait(describeWait(voice, minutes))}.`;
}

export function expectedWaitMinutes(routing: RoutingConfig, queue: QueueStatus): number {
  const recent = queue.recentFirstReplyMs;
  if (recent.length >= MIN_REPLIES_TO_MEASURE) return median(recent) / 60_000;
  return routing.teams[queue.team]?.expectedWaitMinutes ?? routing.expectedWaitMinutes;
}

/** Rounded up to a figure people say: 5, 10, 15 … 30, 45, 60 minutes, then whole hours. */
function describeWait(voice: Voice, minutes: number): string {
  if (minutes > 60) return voice.book.hours(Math.ceil(minutes / 60));
  const steps = [5, 10, 15, 20, 30, 45, 60];
  return voice.book.minutes(steps.find((s) => minutes <= s) ?? 60);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The reply while queued: a status question (or another request for a person) always gets the status; the first
 * other message after the hand-over is acknowledged with it (the customer adding details learns they reached the
 * team); later ones are left to the people, who see every message, rather than answered with the same lines again.
 */
export function waitingReplyText(voice: Voice, routing: RoutingConfig, turn: WaitingTurn, now: Date): string | undefined {
  const answers = turn.asksForStatus || !turn.queue.repliedSinceHandoff;
  // A language with only a hand-over sentence: that sentence is the status, rather than English.
  if (voice.handoffOnly) return answers ? voice.handoffOnly : undefined;
  const status = queueStatusText(voice, routing, turn.queue, now);
  if (turn.asksForStatus) return status;
  if (!turn.queue.repliedSinceHandoff) return `${voice.book.addedToConversation} ${status}`;
  return undefined;
}

export function waitingAnnotations(base: Annotations, queue: QueueStatus): Annotations {
  return { ...base, decision: 'clarify', reason: 'queued', team: queue.team };
}

/** The whole waiting turn: an AI opt-out is honoured, otherwise the status (or nothing), in the customer's language. */
export function waitingTurn(ctx: BrainContext & { queue: QueueStatus }, analysis: Analysis, routing: RoutingConfig, now: Date): WaitingReply | undefined {
  const language = replyLanguage(ctx.text, analysis.language, ctx.conversation.language);
  const voice = Voice.for(language);
  const notes: Annotations = { ...(language ? { language } : {}), intent: analysis.intent.name };
  if (asksToOptOutOfAi(ctx.text)) {
    return { text: voice.handover('optOut'), annotations: waitingAnnotations(notes, ctx.queue), effects: { aiOptOut: true } };
  }
  const status = ctx.actionValue === HANDOFF_ACTION || analysis.wantsHuman || asksForStatus(ctx.text);
  const text = waitingReplyText(voice, routing, { queue: ctx.queue, asksForStatus: status }, now);
  return text ? { text, annotations: waitingAnnotations(notes, ctx.queue) } : undefined;
}
