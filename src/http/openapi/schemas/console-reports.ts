import { bool, int, list, num, obj, oneOf, orNull, ref, str, type Schema } from './build';

/** Reports (src/reporting/figure-types.ts, api-types.ts ReportConversation and QueueReport). */
const rate = orNull(num);
const Duration: Schema = obj({ median: orNull(num), p90: orNull(num), n: int });

const figures: Record<string, Schema> = {
  conversations: int,
  involved: int,
  aiResolved: int,
  handedOff: int,
  resolved: int,
  involvementRate: rate,
  aiResolutionRate: rate,
  automationRate: rate,
  deflectionRate: rate,
  handoffRate: rate,
  handoffReasons: list(obj({ reason: str, count: int, rate: num })),
  firstBotResponse: Duration,
  firstHumanResponse: Duration,
  resolutionTime: Duration,
  firstHumanResponseBusiness: Duration,
  resolutionTimeBusiness: Duration,
  csat: rate,
  csatResponses: int,
  csatResponseRate: rate,
  helpfulAnswerRate: rate,
  durableRate: rate,
  deliveryFailures: int,
};

export const Figures: Schema = obj(figures);
const day: Schema = { type: 'string', format: 'date' };
const breakdown = list(obj({ key: str, ...figures }));

export const Overview: Schema = obj({
  from: day,
  to: day,
  previous: obj({ from: day, to: day }),
  totals: ref('Figures'),
  previousTotals: ref('Figures'),
  series: list(obj({ day, ...figures })),
  // One list per dimension (src/reporting/figures.ts DIMENSIONS).
  breakdowns: obj({ channelKind: breakdown, channelId: breakdown, team: breakdown, intent: breakdown, language: breakdown }),
});

const ReportConversation: Schema = obj({
  id: str,
  conversationId: str,
  startedAt: { type: 'string', format: 'date-time' },
  channelKind: str,
  team: str,
  intent: str,
  language: str,
  aiResolved: bool,
  aiResolution: orNull(oneOf('confirmed', 'assumed')),
  handedOff: bool,
  handoffReason: orNull(str),
  resolved: bool,
  csat: orNull(num),
});

export const reportResponses = {
  overview: ref('Overview'),
  conversations: obj({ total: int, truncated: bool, conversations: list(ReportConversation) }),
  gaps: obj({ groups: list(obj({ label: str, count: int, examples: list(obj({ text: str, conversationId: str, at: { type: 'string', format: 'date-time' } })) })) }),
  queue: obj({ slaMinutes: num, teams: list(obj({ team: str, waiting: int, unassigned: int, slaAtRisk: int, oldestWaitingS: int })) }),
};

export const reportSchemas = { Figures, Overview };
