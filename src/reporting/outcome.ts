import type { ReportEventRow, OutcomeRow, ReportSettings } from './types';

/** `YYYY-MM-DD` in UTC: reports count an episode on the day it started. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function outcomeId(day: string, conversationId: string, episode: number): string {
  return `${day}|${conversationId}:${episode}`;
}

/**
 * One episode's outcome from its events, in the order they happened. Pure: the live refresh, the settling sweep and
 * the consistency check (`switchboard reports check`) all call this, so they cannot disagree. The definitions are
 * docs/metrics.md's; the comments below say which rule each line is.
 */
export function foldOutcome(events: ReportEventRow[], settings: ReportSettings, now: Date): OutcomeRow | null {
  if (events.length === 0) return null;
  const sorted = [...events].sort((a, b) => a.at.getTime() - b.at.getTime() || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  const day = utcDay(first.at);

  let customerMessages = 0;
  let botAnswers = 0;
  let involved = false;
  let intent: string | null = null;
  let language: string | null = null;
  let team: string | null = null;
  /** The team it was handed to: the episode is counted under the team that handled it. */
  let handoffTeam: string | null = null;
  let handoffReason: string | null = null;
  let resolvedAt: Date | null = null;
  let resolutionMs: number | null = null;
  let reopened = false;
  let firstBotResponseMs: number | null = null;
  let firstHumanResponseMs: number | null = null;
  let surveyAsked = false;
  let csat: number | null = null;
  let deliveryFailures = 0;
  let confirmed = false;
  /** The last customer message's decision: the customer left after an answer (or not). */
  let lastDecision: string | null = null;
  let lastCustomerAt: Date | null = null;
  // The latest verdict on each answer counts (a customer may change their mind).
  const ratings = new Map<string, 'helpful' | 'unhelpful'>();
  let answeredSinceLastMessage = false;

  for (const e of sorted) {
    const f = e.fact;
    team = e.team ?? team;
    switch (f.type) {
      case 'message': {
        const a = f.annotations;
        // Machine mail (auto-replies, bounces: silent with the reason) is stored but is not the customer speaking.
        if (a.decision === 'silent' && a.reason) break;
        customerMessages += 1;
        lastCustomerAt = e.at;
        if (!a.outOfScope && a.intent && a.intent !== 'out_of_scope') {
          intent ??= a.intent;
          // "Thanks, that's it" after an answer confirms it helped.
          if (answeredSinceLastMessage && settings.confirmIntents.includes(a.intent)) confirmed = true;
        }
        language ??= a.language ?? null;
        if (a.decision === 'answer') botAnswers += 1;
        if (a.decision === 'answer' || a.decision === 'clarify') involved = true;
        lastDecision = a.decision ?? null;
        answeredSinceLastMessage = a.decision === 'answer';
        break;
      }
      case 'first_bot_response':
        firstBotResponseMs ??= f.ms;
        break;
      case 'handed_off':
        // The first hand-off names the episode's reason; a hand-off wins over a resolution in the same episode.
        handoffReason ??= f.reason;
        handoffTeam ??= f.team;
        break;
      case 'first_human_reply':
        firstHumanResponseMs ??= f.ms;
        break;
      case 'resolved':
        if (f.surveyed) surveyAsked = true;
        resolvedAt ??= e.at;
        resolutionMs ??= e.at.getTime() - first.at.getTime();
        break;
      case 'reopened':
        reopened = true;
        break;
      case 'rated':
        ratings.set(f.key, f.value);
        break;
      case 'survey_answered':
        csat ??= f.score;
        break;
      case 'delivery_failed':
        deliveryFailures += 1;
        break;
      case 'claimed':
      case 'returned_to_bot':
        break;
    }
  }
  const helpfulRatings = [...ratings.values()].filter((v) => v === 'helpful').length;
  const unhelpfulRatings = ratings.size - helpfulRatings;
  if (helpfulRatings > 0 && unhelpfulRatings === 0) confirmed = true;

  const handedOff = handoffReason !== null;
  // Assumed: the last thing the customer asked was answered, they rated nothing down, and they did not come back.
  const quietSince = lastCustomerAt ?? first.at;
  const windowOver = now.getTime() - last.at.getTime() >= settings.assumeResolvedAfterMs;
  const assumed = !confirmed && lastDecision === 'answer' && unhelpfulRatings === 0 && windowOver;
  const aiResolved = involved && !handedOff && (confirmed || assumed);
  const aiResolution = aiResolved ? (confirmed ? 'confirmed' : 'assumed') : null;

  const resolved = resolvedAt !== null || aiResolved;
  const resolvedAtOrAi = resolvedAt ?? (aiResolved ? new Date(quietSince.getTime()) : null);
  // Durable: not reopened within the window after it was resolved; unknown until the window has passed.
  let durable: boolean | null = null;
  let recheckAt: Date | null = null;
  if (resolved && resolvedAtOrAi) {
    const durableAt = resolvedAtOrAi.getTime() + settings.durableAfterMs;
    if (reopened) durable = false;
    else if (now.getTime() >= durableAt) durable = true;
    else recheckAt = new Date(durableAt);
  }
  // Not resolved yet but could become AI-resolved by the customer staying away: fold again when the window ends.
  if (!resolved && involved && !handedOff && lastDecision === 'answer' && !windowOver) recheckAt = new Date(last.at.getTime() + settings.assumeResolvedAfterMs);

  return {
    _id: outcomeId(day, String(first.conversationId), first.episode),
    conversationId: first.conversationId,
    episode: first.episode,
    day,
    startedAt: first.at,
    lastActivityAt: last.at,
    events: sorted.length,
    channelKind: first.channelKind,
    channelId: first.channelId,
    team: handoffTeam ?? team ?? 'unassigned',
    intent: intent ?? 'out_of_scope',
    language: language ?? 'unknown',
    customerMessages,
    involved,
    botAnswers,
    aiResolved,
    aiResolution,
    handedOff,
    handoffReason,
    resolved,
    resolvedAt: resolvedAtOrAi,
    durable,
    reopened,
    firstBotResponseMs,
    firstHumanResponseMs,
    resolutionMs: resolutionMs ?? (aiResolved && resolvedAtOrAi ? resolvedAtOrAi.getTime() - first.at.getTime() : null),
    surveyAsked: surveyAsked || csat !== null,
    csat,
    helpfulRatings,
    unhelpfulRatings,
    deliveryFailures,
    settled: recheckAt === null,
    recheckAt,
  };
}
