import { Types, type Connection } from 'mongoose';
import type { ReportFact } from '../../conversations/report-events';
import type { Annotations } from '../../conversations/types';
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
}

const CHANNELS: Array<[string, number]> = [['webchat', 0.4], ['email', 0.2], ['whatsapp', 0.2], ['api', 0.1], ['slack', 0.1]];
const INTENTS: Array<[string, string]> = [['track_order', 'orders'], ['return_item', 'returns'], ['refund_status', 'billing'], ['payment_problem', 'billing'], ['change_address', 'orders'], ['account_access', 'support']];
const LANGUAGES: Array<[string, number]> = [['en', 0.8], ['de', 0.1], ['fr', 0.1]];

/** The stories a conversation can tell, with how often; each names what it must count as (docs/metrics.md). */
type Story = 'ai_confirmed' | 'ai_assumed' | 'ai_helpful' | 'unhelpful_handoff' | 'requested' | 'clarify_left' | 'reopened' | 'thanks_then_human';
const STORIES: Array<[Story, number]> = [
  ['ai_confirmed', 0.25], ['ai_assumed', 0.22], ['ai_helpful', 0.05], ['unhelpful_handoff', 0.15], ['requested', 0.15], ['clarify_left', 0.08], ['reopened', 0.05], ['thanks_then_human', 0.05],
];

function pick<T>(rand: () => number, table: Array<[T, number]>): T {
  let r = rand();
  for (const [v, p] of table) {
    if ((r -= p) < 0) return v;
  }
  return table[table.length - 1]![0];
}

const MIN = 60_000;

/**
 * Writes a seeded history straight into the reporting collections (events, outcome rows folded by the same code
 * as the live path, daily rollups): every story of docs/metrics.md, including a hand-off after a confirmed answer
 * in one episode, a reopening within the durability window, unanswered surveys, a changed answer rating. Returns
 * what it generated, tallied independently. Conversation and message documents are not written: reports never
 * read them.
 */
export async function seedReports(connection: Connection, options: SeedOptions, settings: ReportSettings, onProgress?: (done: number) => void): Promise<SeedTruth> {
  const rand = mulberry32(options.seed);
  const truth: SeedTruth = { conversations: 0, involved: 0, aiResolved: 0, aiConfirmed: 0, handedOff: 0, handoffReasons: {}, resolved: 0, reopened: 0, surveyAsked: 0, csatCount: 0, csatSum: 0, helpfulRatings: 0, unhelpfulRatings: 0, messages: 0, byChannel: {} };
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
    const [intent, team] = INTENTS[Math.floor(rand() * INTENTS.length)]!;
    const language = pick(rand, LANGUAGES);
    const story = pick(rand, STORIES);
    const start = options.now.getTime() - (1440 + Math.floor(rand() * span)) * MIN;
    let extra = Math.floor(extraPerConversation * 2 * rand());
    const episodes: Array<Array<[number, ReportFact]>> = [[]];
    let seq = 0;
    const ep = () => episodes[episodes.length - 1]!;
    const say = (minute: number, a: Annotations) => {
      ep().push([minute, { type: 'message', key: `m${seq++}`, annotations: { language, ...a } }]);
      truth.messages += 1;
    };
    const answer = (minute: number) => say(minute, { decision: 'answer', intent, answerSource: `${intent}#faq` });
    const human = (from: number, reason: string, surveyed: boolean) => {
      ep().push([from, { type: 'handed_off', reason, team, priority: 'normal' }]);
      ep().push([from + 2, { type: 'claimed', agent: 'slack:U1' }]);
      ep().push([from + 4, { type: 'first_human_reply', ms: 4 * MIN }]);
      ep().push([from + 25, { type: 'resolved', ms: 25 * MIN, surveyed }]);
      truth.handedOff += 1;
      truth.handoffReasons[reason] = (truth.handoffReasons[reason] ?? 0) + 1;
      truth.resolved += 1;
      if (surveyed) {
        truth.surveyAsked += 1;
        if (rand() < 0.7) {
          const score = 1 + Math.floor(rand() * 5);
          ep().push([from + 27, { type: 'survey_answered', score }]);
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
  const rollups = new Rollups(connection, () => options.now);
  for (const day of [...days].sort()) await rollups.rebuildDay(day);
  return truth;
}
