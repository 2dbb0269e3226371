import { stringify } from 'csv-stringify';
import { DIMENSIONS, dayOf, daysBetween } from '../../reporting/figures';
import { drillDown, OUTCOME_FILTERS } from '../../reporting/drill';
import { knowledgeGaps } from '../../reporting/gaps';
import { dayRange, FLAGS } from '../../reporting/rollups';
import { COLLECTIONS, type Dimensions, type OutcomeRow } from '../../reporting/types';
import { HttpError } from '../errors';
import type { ConsoleDeps } from './deps';
import type { RouteSpec } from './route-table';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MAX_DAYS = 400;

/** The outcome fields an export carries, one row per conversation episode, in this order. */
const EXPORT_COLUMNS: Array<keyof OutcomeRow> = [
  'conversationId', 'episode', 'day', 'startedAt', 'channelKind', 'channelId', 'team', 'intent', 'language', 'customerMessages', 'involved',
  'botAnswers', 'aiResolved', 'aiResolution', 'handedOff', 'handoffReason', 'resolved', 'resolvedAt', 'durable', 'reopened', 'firstBotResponseMs',
  'firstHumanResponseMs', 'resolutionMs', 'firstHumanResponseBusinessMs', 'resolutionBusinessMs', 'surveyAsked', 'csat', 'helpfulRatings', 'unhelpfulRatings', 'deliveryFailures',
];

interface Period {
  from: string;
  to: string;
  filter: Partial<Dimensions>;
}

/** `from`/`to` (UTC days, default the last 30 days) and the dimension filters of a report request. */
function periodOf(query: Record<string, unknown>, now: Date): Period {
  const isDay = (value: string) => DAY.test(value) && !Number.isNaN(Date.parse(value));
  const to = typeof query.to === 'string' && query.to ? query.to : dayOf(now.getTime());
  // Checked before the default `from` is computed from it: `?to=null` must be a 400, not an invalid date's 500.
  if (!isDay(to)) throw new HttpError(400, 'invalid_query', 'from and to are days: YYYY-MM-DD');
  const from = typeof query.from === 'string' && query.from ? query.from : dayOf(Date.parse(to) - 29 * 86_400_000);
  if (!isDay(from)) throw new HttpError(400, 'invalid_query', 'from and to are days: YYYY-MM-DD');
  const span = daysBetween(from, to);
  if (span < 1) throw new HttpError(400, 'invalid_query', 'from must not be after to');
  if (span > MAX_DAYS) throw new HttpError(400, 'invalid_query', `a report covers at most ${MAX_DAYS} days`);
  const filter: Partial<Dimensions> = {};
  for (const d of DIMENSIONS) if (typeof query[d] === 'string' && query[d]) filter[d] = String(query[d]).slice(0, 100);
  return { from, to, filter };
}

function matchesFilter(o: OutcomeRow, filter: Partial<Dimensions>): boolean {
  return DIMENSIONS.every((d) => filter[d] === undefined || o[d] === filter[d]);
}

/** The days of a period, oldest first. */
function days(period: Period): string[] {
  return Array.from({ length: daysBetween(period.from, period.to) }, (_, i) => dayOf(Date.parse(period.from) + i * 86_400_000));
}

/**
 * Reports (issue #15): the overview and breakdowns read only the daily rollups; a drill-down lists the outcome
 * rows behind a number; an export streams one row per conversation episode. Analyst role and up.
 */
export function reportRoutes(deps: ConsoleDeps): RouteSpec[] {
  const outcomes = () => deps.store.models.Conversation.db.collection<OutcomeRow>(COLLECTIONS.outcomes);
  return [
    {
      method: 'get',
      path: '/console/api/reports/overview',
      permission: 'reports:read',
      surface: 'api',
      handler: async ({ req, res }) => {
        res.json(await deps.reporting.figures.overview(periodOf(req.query as Record<string, unknown>, deps.clock())));
      },
    },
    {
      method: 'get',
      path: '/console/api/reports/conversations',
      permission: 'reports:read',
      surface: 'api',
      handler: async ({ req, res }) => {
        const query = req.query as Record<string, unknown>;
        const period = periodOf(query, deps.clock());
        const outcome = typeof query.outcome === 'string' ? query.outcome : 'all';
        // Own keys only: `?outcome=constructor` would find Object.prototype's.
        if (!Object.hasOwn(OUTCOME_FILTERS, outcome)) throw new HttpError(400, 'invalid_query', `outcome must be one of ${Object.keys(OUTCOME_FILTERS).join(', ')}`);
        const reason = typeof query.reason === 'string' && query.reason ? query.reason.slice(0, 100) : undefined;
        const { total, rows } = await drillDown(deps.store.models.Conversation.db, { ...period, outcome, ...(reason ? { reason } : {}), limit: 200 });
        res.json({
          total,
          truncated: total > rows.length,
          conversations: rows.map((r) => ({
            id: r.id,
            conversationId: r.conversationId,
            startedAt: new Date(r.startedAt).toISOString(),
            channelKind: r.channelKind,
            team: r.team,
            intent: r.intent,
            language: r.language,
            aiResolved: (r.flags & FLAGS.aiResolved) !== 0,
            aiResolution: (r.flags & FLAGS.aiConfirmed) !== 0 ? 'confirmed' : (r.flags & FLAGS.aiResolved) !== 0 ? 'assumed' : null,
            handedOff: (r.flags & FLAGS.handedOff) !== 0,
            handoffReason: r.handoffReason,
            resolved: (r.flags & FLAGS.resolved) !== 0,
            csat: r.csat,
          })),
        });
      },
    },
    {
      method: 'get',
      path: '/console/api/reports/export',
      permission: 'reports:read',
      surface: 'api',
      handler: async ({ req, res }) => {
        const query = req.query as Record<string, unknown>;
        const period = periodOf(query, deps.clock());
        const format = typeof query.format === 'string' ? query.format : 'csv';
        if (format !== 'csv' && format !== 'json') throw new HttpError(400, 'invalid_query', 'format must be csv or json');
        const name = `switchboard-conversations-${period.from}-to-${period.to}.${format}`;
        res.set('content-disposition', `attachment; filename="${name}"`);
        res.type(format === 'csv' ? 'text/csv' : 'application/x-ndjson');
        // Streamed a day at a time: a year of history never sits in memory at once.
        const csv = format === 'csv' ? stringify({ header: true, columns: EXPORT_COLUMNS as string[] }) : undefined;
        csv?.pipe(res);
        const write = async (chunk: string | Record<string, unknown>) => {
          const target = csv ?? res;
          const ok = csv ? csv.write(chunk) : res.write(`${JSON.stringify(chunk)}\n`);
          if (!ok) await new Promise((resolve) => target.once('drain', resolve));
        };
        for (const day of days(period)) {
          const cursor = outcomes().find({ _id: dayRange(day) });
          for await (const o of cursor) if (matchesFilter(o, period.filter)) await write(exportRow(o));
        }
        if (csv) csv.end();
        else res.end();
      },
    },
    {
      method: 'get',
      path: '/console/api/reports/gaps',
      permission: 'reports:read',
      surface: 'api',
      handler: async ({ req, res }) => {
        const period = periodOf(req.query as Record<string, unknown>, deps.clock());
        res.json({ groups: await knowledgeGaps(deps.store.models.Conversation.db, deps.embedder, period.from, period.to) });
      },
    },
    {
      method: 'get',
      path: '/console/api/reports/queue',
      permission: 'reports:read',
      surface: 'api',
      handler: async ({ res }) => {
        const Conversation = deps.store.models.Conversation;
        const now = deps.clock().getTime();
        const waiting = await Conversation.find({ status: { $in: ['pending', 'assigned'] } }, { status: 1, team: 1, escalatedAt: 1, agentFirstReplyAt: 1 }).lean<
          Array<{ status: string; team?: string; escalatedAt?: Date; agentFirstReplyAt?: Date }>
        >();
        const slaMs = deps.slaMinutes * 60_000;
        const teams = new Map<string, { team: string; waiting: number; unassigned: number; slaAtRisk: number; oldestWaitingS: number }>();
        for (const c of waiting) {
          const team = c.team ?? 'unassigned';
          const t = teams.get(team) ?? { team, waiting: 0, unassigned: 0, slaAtRisk: 0, oldestWaitingS: 0 };
          t.waiting += 1;
          if (c.status === 'pending') t.unassigned += 1;
          const waited = c.escalatedAt && !c.agentFirstReplyAt ? now - c.escalatedAt.getTime() : 0;
          // At risk: no person has answered and 80 % of the SLA is gone.
          if (slaMs > 0 && waited >= slaMs * 0.8) t.slaAtRisk += 1;
          t.oldestWaitingS = Math.max(t.oldestWaitingS, Math.round(waited / 1000));
          teams.set(team, t);
        }
        res.json({ slaMinutes: deps.slaMinutes, teams: [...teams.values()].sort((a, b) => b.waiting - a.waiting) });
      },
    },
  ];
}

function exportRow(o: OutcomeRow): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const c of EXPORT_COLUMNS) {
    const v = o[c];
    row[c] = v instanceof Date ? v.toISOString() : v === null || v === undefined ? '' : typeof v === 'object' ? String(v) : v;
  }
  return row;
}
