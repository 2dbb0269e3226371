import { Types, type Connection } from 'mongoose';
import type { ReportFact } from '../../conversations/report-events';
import type { Annotations } from '../../conversations/types';
import { isOpen, type BusinessHours } from '../brain/routing/hours';
import { mulberry32 } from '../random';
import { foldOutcome } from './outcome';
import { Rollups } from './rollups';
import { COLLECTIONS, type OutcomeRow, type ReportEventRow, type ReportSettings } from './types';

export interface SeedOptions {
  conversations: number;
  /** Customer messages in all, spread over the conversations (at least 1 each). */
  messages: number;
  /** Conversations start over the `days` days before `now`. */
  days: number;
  seed: number;
  now: Date;
}

/**
 * What was generated, counted by the generator itself as it decided each story (not by folding its events), so
 * the reports can be checked against an independent expectation.
 */
export interface SeedTruth {
  conversations: number;
  involved: number;
  aiResolved: number;
  aiConfirmed: number;
  handedOff: number;
  handoffReasons: Record<string, number>;
  resolved: number;
  reopened: number;
  surveyAsked: number;
  csatCount: number;
  csatSum: number;
  helpfulRatings: number;
  unhelpfulRatings: number;
  messages: number;
  byChannel: Record<string, number>;
  /** Per team, the business-hours durations in whole seconds, sorted (by stepping through isOpen, not businessMs). */
  firstHumanResponseBusinessS: Record<string, number[]>;
  resolutionBusinessS: Record<string, number[]>;
}

const CHANNELS: Array<[string, number]> = [['webchat', 0.4], ['email', 0.2], ['whatsapp', 0.2], ['api', 0.1], ['slack', 0.1]];
const INTENTS: Array<[string, string]> = [['track_order', 'orders'], ['return_item', 'returns'], ['refund_status', 'billing'], ['payment_problem', 'billing'], ['change_address', 'orders'], ['account_access', 'support']];
/**
 * The teams' business hours: Berlin (clocks change on 2026-10-25) and Tokyo closed at the weekend, New York open on
 * Saturdays (clocks change on 2026-11-01), support without hours (always open). On whole hours, as
 * `steppedBusinessMs` needs.
 */
export const SEED_TEAM_HOURS: Record<string, BusinessHours | null> = {
  orders: { timezone: 'Europe/Berlin', days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '17:00' },
  returns: { timezone: 'America/New_York', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'], open: '08:00', close: '20:00' },
  billing: { timezone: 'Asia/Tokyo', days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '10:00', close: '18:00' },
  support: null,
};
/** The intents of teams closed on Sundays: the weekend-wait story is told with them. */
const WEEKEND_INTENTS = INTENTS.filter(([, team]) => SEED_TEAM_HOURS[team] && !SEED_TEAM_HOURS[team]!.days.includes('sun'));

/**
 * The truth's own way to business time, deliberately not businessMs: step through the span a UTC quarter hour at a
 * time (a partial one at either end) and ask isOpen. Exact when opening times and the zone's offsets and clock
 * changes fall on quarter hours, which holds for the teams above: within such a quarter, isOpen cannot change.
 */
export function steppedBusinessMs(hours: BusinessHours | null, from: number, to: number): number {
  if (!hours) return Math.max(0, to - from);
  const step = 15 * 60_000;
  let total = 0;
  for (let t = from; t < to; ) {
    const next = Math.min(to, Math.floor(t / step) * step + step);
    if (isOpen(hours, new Date(t))) total += next - t;
    t = next;
  }
  return total;
}

const LANGUAGES: Array<[string, number]> = [['en', 0.8], ['de', 0.1], ['fr', 0.1]];

/** The stories a conversation can tell, with how often; each names what it must count as (docs/metrics.md). */
type Story = 'ai_confirmed' | 'ai_assumed' | 'ai_helpful' | 'unhelpful_handoff' | 'requested' | 'clarify_left' | 'reopened' | 'thanks_then_human' | 'weekend_wait';
const STORIES: Array<[Story, number]> = [
  ['ai_confirmed', 0.2], ['weekend_wait', 0.05], ['ai_assumed', 0.22], ['ai_helpful', 0.05], ['unhelpful_handoff', 0.15], ['requested', 0.15], ['clarify_left', 0.08], ['reopened', 0.05], ['thanks_then_human', 0.05],
];

function pick<T>(rand: () => number, table: Array<[T, number]>): T {
  let r = rand();
  for (const [v, p] of table) {
    if ((r -= p) < 0) return v;
  }
  return table[table.length - 1]![0];
}

const MIN = 60_000;
const DAY = 1440 * MIN;

/**
 * Writes a seeded history straight into the reporting collections (events, outcome rows folded by the same code
 * as the live path, daily rollups): every story of docs/metrics.md, including a hand-off after a confirmed answer
 * in one episode, a reopening within the durability window, unanswered surveys, a changed answer rating. Returns
 * what it generated, tallied independently. Conversation and message documents are not written: reports never
 * read them.
 */
export async function seedReports(connection: Connection, options: SeedOptions, settings: ReportSettings, onProgress?: (done: number) => void): Promise<SeedTruth> {
  const rand = mulberry32(options.seed);
  const truth: SeedTruth = { conversations: 0, involved: 0, aiResolved: 0, aiConfirmed: 0, handedOff: 0, handoffReasons: {}, resolved: 0, reopened: 0, surveyAsked: 0, csatCount: 0, csatSum: 0, helpfulRatings: 0, unhelpfulRatings: 0, messages: 0, byChannel: {}, firstHumanResponseBusinessS: {}, resolutionBusinessS: {} };
  const tallyBusiness = (into: Record<string, number[]>, team: string, ms: number) => (into[team] ??= []).push(Math.max(0, Math.round(ms / 1000)));
  const eventsColl = connection.collection<ReportEventRow>(COLLECTIONS.events);
  const outcomesColl = connection.collection<OutcomeRow>(COLLECTIONS.outcomes);
  const days = new Set<string>();
  let events: ReportEventRow[] = [];
  let outcomes: OutcomeRow[] = [];
  const flush = async () => {
    if (events.length) await eventsColl.insertMany(events, { ordered: false });
    if (outcomes.length) await outcomesColl.insertMany(outcomes, { ordered: false });
    events = [];
    outcomes = [];
  };
  // Messages beyond one per conversation, spread at random: some conversations are long.
  const extraPerConversation = Math.max(0, options.messages / options.conversations - 1);
  // Stories start within the last `days` UTC days and at least a day before now, so "assumed" and "left" are
  // settled; durability is known for the older ones.
  const span = (options.days - 2) * 1440;

  for (let i = 0; i < options.conversations; i++) {
    const id = new Types.ObjectId();
    const channelKind = pick(rand, CHANNELS);
    let [intent, team] = INTENTS[Math.floor(rand() * INTENTS.length)]!;
    const language = pick(rand, LANGUAGES);
    let story = pick(rand, STORIES);
    let start = options.now.getTime() - (1440 + Math.floor(rand() * span)) * MIN;
    if (story === 'weekend_wait') {
      // A Friday 14:00–16:00 UTC (late afternoon in Berlin, morning in New York, night in Tokyo), answered on Monday.
      const weekendStart = fridayAfternoon(start, options, rand);
      if (weekendStart === undefined) story = 'requested';
      else {
        start = weekendStart;
        [intent, team] = WEEKEND_INTENTS[Math.floor(rand() * WEEKEND_INTENTS.length)]!;
      }
    }
    const at = (minute: number) => start + minute * MIN;
    let extra = Math.floor(extraPerConversation * 2 * rand());
    const episodes: Array<Array<[number, ReportFact]>> = [[]];
    let seq = 0;
    const ep = () => episodes[episodes.length - 1]!;
    const say = (minute: number, a: Annotations) => {
      ep().push([minute, { type: 'message', key: `m${seq++}`, annotations: { language, ...a } }]);
      truth.messages += 1;
    };
    const answer = (minute: number) => say(minute, { decision: 'answer', intent, answerSource: `${intent}#faq` });
    const human = (from: number, reason: string, surveyed: boolean, replyAfter = 4, resolveAfter = 25) => {
      ep().push([from, { type: 'handed_off', reason, team, priority: 'normal' }]);
      ep().push([from + 2, { type: 'claimed', agent: 'slack:U1' }]);
      ep().push([from + replyAfter, { type: 'first_human_reply', ms: replyAfter * MIN }]);
      ep().push([from + resolveAfter, { type: 'resolved', ms: resolveAfter * MIN, surveyed }]);
      // Business time from the hand-off to the reply, and from the episode's first event to the resolution.
      const hours = SEED_TEAM_HOURS[team] ?? null;
      tallyBusiness(truth.firstHumanResponseBusinessS, team, steppedBusinessMs(hours, at(from), at(from + replyAfter)));
      tallyBusiness(truth.resolutionBusinessS, team, steppedBusinessMs(hours, at(ep()[0]![0]), at(from + resolveAfter)));
      truth.handedOff += 1;
      truth.handoffReasons[reason] = (truth.handoffReasons[reason] ?? 0) + 1;
      truth.resolved += 1;
      if (surveyed) {
        truth.surveyAsked += 1;
        if (rand() < 0.7) {
          const score = 1 + Math.floor(rand() * 5);
          ep().push([from + resolveAfter + 2, { type: 'survey_answered', score }]);
          truth.csatCount += 1;
          truth.csatSum += score;
        }
      }
    };
    /** The tally of an episode the AI resolved: the bot was involved, and it counts as resolved. */
    const resolvedByAi = (how: 'confirmed' | 'assumed') => {
      truth.involved += 1;
      truth.aiResolved += 1;
      if (how === 'confirmed') truth.aiConfirmed += 1;
      truth.resolved += 1;
    };
    const countEpisode = () => {
      truth.conversations += 1;
      truth.byChannel[channelKind] = (truth.byChannel[channelKind] ?? 0) + 1;
    };
    // Long conversations: extra answered exchanges with the bot, or (once people have it) messages to the agent.
    let minute = 0;
    const padding = () => {
      for (; extra > 0; extra--) answer((minute += 1));
    };
    const toAgent = (from: number) => {
      for (let m = from; extra > 0; extra--) say((m += 1), { decision: 'silent' });
    };
    ep().push([0, { type: 'first_bot_response', ms: 1_000 + Math.floor(rand() * 4_000) }]);
    switch (story) {
      case 'ai_confirmed':
        padding();
        answer((minute += 1));
        say((minute += 1), { decision: 'answer', intent: 'thanks' });
        resolvedByAi('confirmed');
        break;
      case 'ai_assumed':
        padding();
        answer((minute += 1));
        resolvedByAi('assumed');
        break;
      case 'ai_helpful':
        padding();
        answer((minute += 1));
        // The customer first rated it down, then changed their mind: the latest verdict counts.
        ep().push([(minute += 1), { type: 'rated', key: 'a1', value: 'unhelpful' }]);
        ep().push([(minute += 1), { type: 'rated', key: 'a1', value: 'helpful' }]);
        resolvedByAi('confirmed');
        truth.helpfulRatings += 1;
        break;
      case 'unhelpful_handoff':
        padding();
        answer((minute += 1));
        ep().push([(minute += 1), { type: 'rated', key: 'a1', value: 'unhelpful' }]);
        say((minute += 1), { decision: 'escalate', reason: 'unhelpful', intent });
        truth.unhelpfulRatings += 1;
        truth.involved += 1;
        human((minute += 1), 'unhelpful', true);
        break;
      case 'requested':
        say((minute += 1), { decision: 'escalate', reason: 'customer_request' });
        human((minute += 1), 'customer_request', rand() < 0.8);
        toAgent(minute + 2);
        break;
      case 'clarify_left':
        padding();
        say((minute += 1), { decision: 'clarify', intent });
        truth.involved += 1;
        break;
      case 'thanks_then_human':
        // A thanks after an answer, then a request for a person in the same episode: the hand-off wins.
        answer((minute += 1));
        say((minute += 1), { decision: 'answer', intent: 'thanks' });
        say((minute += 5), { decision: 'escalate', reason: 'customer_request' });
        truth.involved += 1;
        human((minute += 1), 'customer_request', false);
        toAgent(minute + 2);
        break;
      case 'weekend_wait': {
        // Handed off on Friday; a person answers on Monday (08:00–11:00 UTC: the morning in Berlin) and resolves it.
        answer((minute += 1));
        say((minute += 1), { decision: 'escalate', reason: 'customer_request' });
        truth.involved += 1;
        const reply = 66 * 60 + Math.floor(rand() * 180);
        human((minute += 1), 'customer_request', true, reply, reply + 30 + Math.floor(rand() * 120));
        break;
      }
      case 'reopened': {
        answer((minute += 1));
        say((minute += 1), { decision: 'answer', intent: 'thanks' });
        resolvedByAi('confirmed');
        truth.reopened += 1;
        // Two days later the customer writes into the same thread: not durable, and a second episode.
        ep().push([(minute += 2880), { type: 'reopened' }]);
        episodes.push([]);
        say((minute += 1), { decision: 'escalate', reason: 'customer_request' });
        human((minute += 1), 'customer_request', true);
        toAgent(minute + 2);
        countEpisode();
        break;
      }
    }
    countEpisode();

    episodes.forEach((facts, episode) => {
      const rows: ReportEventRow[] = facts.map(([m, fact], n) => ({
        _id: `${String(id)}:${episode}:${fact.type}:${n}`,
        conversationId: id,
        episode,
        at: new Date(start + m * MIN),
        channelKind,
        channelId: `${channelKind}-main`,
        team: null,
        fact,
        // The hours in force, on the facts that end a business-hours span, as the live sink stamps them.
        ...(fact.type === 'first_human_reply' || fact.type === 'resolved' ? { hours: SEED_TEAM_HOURS[team] ?? null } : {}),
      }));
      events.push(...rows);
      const outcome = foldOutcome(rows, settings, options.now)!;
      outcomes.push(outcome);
      days.add(outcome.day);
    });
    if (events.length >= 5_000) await flush();
    if ((i + 1) % 1_000 === 0) onProgress?.(i + 1);
  }
  await flush();
  for (const list of [...Object.values(truth.firstHumanResponseBusinessS), ...Object.values(truth.resolutionBusinessS)]) list.sort((a, b) => a - b);
  const rollups = new Rollups(connection, () => options.now);
  for (const day of [...days].sort()) await rollups.rebuildDay(day);
  return truth;
}

/**
 * A Friday 14:00–16:00 UTC near `base` whose Monday reply is still at least a day before now and which starts
 * within the generated days; undefined when the history is too short to hold one.
 */
function fridayAfternoon(base: number, options: SeedOptions, rand: () => number): number | undefined {
  const day = Math.floor(base / DAY) * DAY;
  let friday = day - ((new Date(day).getUTCDay() - 5 + 7) % 7) * DAY;
  const earliest = options.now.getTime() - (options.days - 1) * DAY;
  const latest = options.now.getTime() - 5 * DAY;
  if (friday > latest) friday -= 7 * DAY;
  if (friday < earliest) friday += 7 * DAY;
  if (friday < earliest || friday > latest) return undefined;
  return friday + 14 * 60 * MIN + Math.floor(rand() * 120) * MIN;
}
