import type { Annotations } from '../../conversations/types';
import type { Voice } from './replies';
import { asksToOptOutOfAi } from './replies';
import { isOpen, nextOpening } from './routing/hours';
import type { RoutingConfig } from './routing/rules';
import { HANDOFF_ACTION, type QueueStatus, type WaitingReply } from './types';

/**
 * What the bot says to a customer whose conversation waits for a person. It never answers again (people own the
 * conversation now) and never greets: it tells them where they stand.
 *
 *   - asking for status ("any update?", "how long?", "hello??"), or for a person again: where they are in the
 *     team's queue and the usual wait, or, outside the team's hours, when the team is back;
 *   - asking not to be handled by AI: recorded, and acknowledged once;
 *   - withdrawing ("never mind, I found it", "cancel my request"): the conversation goes back to the bot, which says so;
 *   - anything else is a detail for the agent: the first one since the hand-over is acknowledged with the status,
 *     later ones go to the agent silently (a reply to every line would bury the agent's own reply).
 */
export interface WaitingInput {
  text: string;
  actionValue?: string;
  queue: QueueStatus;
  voice: Voice;
  now: Date;
}

/** Below this many recent first replies, the team's configured wait is quoted instead of a measured one. */
export const MIN_MEASURED_REPLIES = 5;

export function waitingReply(input: WaitingInput, routing: RoutingConfig, notes: Annotations = {}): WaitingReply | undefined {
  const { text, queue, voice } = input;
  const annotations: Annotations = { ...notes, decision: 'clarify', team: queue.team };
  if (asksToOptOutOfAi(text)) return { text: voice.say('optOut'), annotations, effects: { aiOptOut: true } };
  if (withdraws(text)) return { text: voice.book.withdrawn, annotations, effects: { withdraw: true } };
  const asked = input.actionValue === HANDOFF_ACTION || asksForStatus(text);
  if (!asked && queue.repliedSinceHandoff) return undefined;
  const status = statusSentence(queue, routing, voice, input.now);
  return { text: asked ? status : `${voice.book.addedToConversation} ${status}`, annotations };
}

/** "A person from billing will reply here. You're 3rd in the queue, usually within 10 minutes." */
export function statusSentence(queue: QueueStatus, routing: RoutingConfig, voice: Voice, now: Date): string {
  const team = routing.teams[queue.team];
  const teamName = voice.teamLabel(team?.name ?? queue.team);
  const hours = team?.hours;
  if (hours && !isOpen(hours, now)) {
    const back = nextOpening(hours, now);
    if (back) return voice.book.teamClosed(teamName, voice.opening(back, hours.timezone, now));
  }
  const wait = describeWait(expectedWaitMinutes(queue, routing), voice);
  return `${voice.book.queuedWith(teamName)} ${voice.book.queuePosition(queue.position)}, ${voice.book.usualWait(wait)}.`;
}

/**
 * The wait to quote: the median of the team's recent first replies once there are enough of them (a median, so
 * one conversation left over a weekend does not set the figure), else the team's configured wait, else the global one.
 */
export function expectedWaitMinutes(queue: Pick<QueueStatus, 'team' | 'recentFirstReplyMs'>, routing: RoutingConfig): number {
  const measured = queue.recentFirstReplyMs;
  if (measured.length >= MIN_MEASURED_REPLIES) {
    const sorted = [...measured].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return median / 60_000;
  }
  return routing.teams[queue.team]?.expectedWaitMinutes ?? routing.expectedWaitMinutes;
}

/** Rounded up, so the promise errs on the generous side: 5-minute steps under an hour, whole hours above. */
export function describeWait(minutes: number, voice: Voice): string {
  if (minutes <= 55) return voice.book.minutes(Math.max(5, Math.ceil(minutes / 5) * 5));
  return voice.book.hours(Math.ceil(minutes / 60));
}

// Asking where things stand, in the languages with a phrasebook. Short nudges ("hello?", "??") count too: a
// customer poking a silent conversation wants to know someone is coming.
const STATUS_WORDS = [
  // en
  /\b(any (update|news|progress)|update\??$|status|how (much )?long|when will|still waiting|waiting (for|since)|anyone there|anybody there|is (any|some)one|queue|eta)\b/i,
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

export function withdraws(text: string): boolean {
  return WITHDRAW.some((re) => re.test(text));
}
