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

// Asking where things stand, in the languages with a phrasebook. Short nudges ("hello?", "??") count too: a
// customer poking a silent conversation wants to know someone is coming.
const STATUS_WORDS = [
  // en
  /\b(any (update|news|progress)|update\??$|status|how (much )?long(er)?|when will|still waiting|waiting (for|since)|anyone there|anybody there|is (any|some)one|queue|eta)\b/i,
  // de, fr, es, nl
  /\b(neuigkeiten|wie lange|wann|warte|warteschlange|noch da|des nouvelles|combien de temps|quand|j'attends|file d'attente|novedades|cuánto tiempo|cuándo|espero|cola|nieuws|hoe lang|wanneer|wachtrij|ik wacht)\b/iu,
];
const NUDGE = /^\s*(hello|hi|hey|hallo|allo|bonjour|hola|\?+)?[\s?!.]*$/i;

export function asksForStatus(text: string): boolean {
  return STATUS_WORDS.some((re) => re.test(text)) || (NUDGE.test(text) && /[?]|\w/.test(text));
}

// Taking the request for a person back. Only explicit wording: a detail that merely contains "cancel" ("I want to
// cancel my order") is what the agent is needed for.
const WITHDRAW = [
  /^\s*(ok(ay)?[,.!]?\s*)?(never ?mind|nevermind|forget it|no need|all good|not needed any ?more)\b/i,
  /\b(i('ve| have)? (found|sorted|solved|fixed) it|(problem|issue) (is )?(solved|sorted|resolved)|cancel (my|the|this) (request|ticket|hand-?off|handover)|no longer need (help|a person|an agent))\b/i,
  /\b(hat sich erledigt|schon erledigt|vergessen sie es|c'est réglé|laissez tomber|ya está resuelto|olvídelo|laat maar|is opgelost)\b/iu,
];

export function withdrawsRequest(text: string): boolean {
  return WITHDRAW.some((re) => re.test(text));
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

/**
 * The whole waiting turn, in the customer's language: an AI opt-out is honoured; "never mind, sorted it" gives the
 * conversation back to the bot; a status question (or another request for a person) gets the status; the first
 * other message is acknowledged with it; later ones go to the people silently.
 */
export function waitingTurn(ctx: BrainContext & { queue: QueueStatus }, analysis: Analysis, routing: RoutingConfig, now: Date): WaitingReply | undefined {
  const language = replyLanguage(ctx.text, analysis.language, ctx.conversation.language);
  const voice = Voice.for(language);
  const notes: Annotations = { ...(language ? { language } : {}), intent: analysis.intent.name };
  if (asksToOptOutOfAi(ctx.text)) {
    return { text: voice.handover('optOut'), annotations: waitingAnnotations(notes, ctx.queue), effects: { aiOptOut: true } };
  }
  // Withdrawn before anyone took it: the pipeline gives the conversation back to the bot, which says so.
  if (withdrawsRequest(ctx.text) && !voice.handoffOnly) return { text: voice.book.withdrawn, annotations: waitingAnnotations(notes, ctx.queue), effects: { withdraw: true } };
  const status = ctx.actionValue === HANDOFF_ACTION || analysis.wantsHuman || asksForStatus(ctx.text);
  const text = waitingReplyText(voice, routing, { queue: ctx.queue, asksForStatus: status }, now);
  return text ? { text, annotations: waitingAnnotations(notes, ctx.queue) } : undefined;
}
