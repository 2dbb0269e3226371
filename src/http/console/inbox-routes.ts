import { Types } from 'mongoose';
import type { ConversationRecord, MessageRecord } from '../../../conversations/types';
import type { ConsoleAct } from '../../desk/desk';
import { reasonLabel } from '../../desk/labels';
import { HttpError } from '../errors';
import type { ConversationView, InboxRow, MessageView } from './api-types';
import type { ConsoleDeps } from './deps';
import { answerLive } from './live';
import { agentOf, type Principal } from './principal';
import { signedIn, type RouteSpec } from './route-table';
import { optionalBoolean, optionalString, requiredString } from './validate';

const PRIORITY_RANK: Record<string, number> = { urgent: 0, high: 1, normal: 2, low: 3 };
const VIEWS = new Set(['mine', 'team', 'unassigned', 'all']);
const STATUSES = new Set(['open', 'pending', 'assigned', 'resolved', 'bot', 'any']);
/** A colleague counts as "here" while their browser said so this recently (it says so every 10 s). */
const PRESENCE_MS = 25_000;
const TYPING_MS = 6_000;

/** The agent inbox: the queue, one conversation with what the brain read, and the agent's acts on it. */
export function inboxRoutes(deps: ConsoleDeps): RouteSpec[] {
  const live = { pollMs: deps.livePollMs, waitMs: deps.liveWaitMs, changes: deps.changes };
  return [
    {
      method: 'get',
      path: '/console/api/inbox',
      permission: 'inbox:read',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        const query = inboxQuery(ctx.req.query as Record<string, unknown>);
        await answerLive(ctx.req, ctx.res, live, () => inboxRows(deps, principal, query));
      },
    },
    {
      method: 'get',
      path: '/console/api/conversations/:id',
      permission: 'inbox:read',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        const id = conversationId(ctx.req.params.id);
        if (!(await deps.store.conversations.get(id))) throw new HttpError(404, 'conversation_not_found', 'no such conversation');
        await answerLive(ctx.req, ctx.res, live, () => conversationView(deps, principal, id));
      },
    },
    {
      method: 'post',
      path: '/console/api/conversations/:id/act',
      permission: 'inbox:write',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        const id = conversationId(ctx.req.params.id);
        const body = ctx.req.body as Record<string, unknown>;
        // One key per click, made by the browser: a retried request after a lost answer acts once.
        const key = requiredString(body, 'key', 100);
        if (!/^[A-Za-z0-9_-]{8,100}$/.test(key)) throw new HttpError(400, 'invalid_body', '"key" must be 8–100 letters, digits, "_" or "-"');
        const act = await parseAct(deps, body);
        const result = await deps.desk.consoleAct(id, agentOf(principal), act, `${principalKey(principal)}:${key}`);
        await deps.access.models.Presence.updateOne({ _id: `${String(id)}:${principalKey(principal)}` }, { $unset: { typingUntil: 1 } });
        ctx.res.status(result.ok ? 200 : 409).json(result);
      },
    },
    {
      method: 'post',
      path: '/console/api/conversations/:id/presence',
      permission: 'inbox:read',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        const id = conversationId(ctx.req.params.id);
        const now = deps.clock();
        // Presence is kept for conversations that exist: a made-up id must not leave rows behind.
        if (!(await deps.store.models.Conversation.exists({ _id: id }))) throw new HttpError(404, 'conversation_not_found', 'no such conversation');
        const typing = optionalBoolean(ctx.req.body, 'typing') === true && principal.permissions.includes('inbox:write');
        await deps.access.models.Presence.updateOne(
          { _id: `${String(id)}:${principalKey(principal)}` },
          { $set: { conversationId: id, userId: principalKey(principal), name: agentOf(principal).name, seenAt: now, ...(typing ? { typingUntil: new Date(now.getTime() + TYPING_MS) } : {}) } },
          { upsert: true },
        );
        ctx.res.json({ ok: true });
      },
    },
  ];
}

function principalKey(principal: Principal): string {
  return principal.user ? String(principal.user._id) : 'admin-token';
}

function conversationId(raw: unknown): Types.ObjectId {
  const id = String(raw);
  if (!/^[0-9a-f]{24}$/i.test(id)) throw new HttpError(404, 'conversation_not_found', 'no such conversation');
  return new Types.ObjectId(id);
}

interface InboxQuery {
  view: string;
  status: string;
  channel?: string;
  team?: string;
  q?: string;
}

function inboxQuery(query: Record<string, unknown>): InboxQuery {
  const view = typeof query.view === 'string' ? query.view : 'all';
  const status = typeof query.status === 'string' ? query.status : 'open';
  if (!VIEWS.has(view)) throw new HttpError(400, 'invalid_query', 'view must be mine, team, unassigned or all');
  if (!STATUSES.has(status)) throw new HttpError(400, 'invalid_query', 'status must be open, pending, assigned, resolved, bot or any');
  const text = (name: string) => {
    const value = typeof query[name] === 'string' ? (query[name] as string).trim() : '';
    // The search becomes a regex and BSON cannot carry a NUL in one: refused here, not a driver error's 500.
    if (value.includes('\0')) throw new HttpError(400, 'invalid_query', `${name} must not contain NUL characters`);
    return value ? value.slice(0, 200) : undefined;
  };
  const channel = text('channel');
  const team = text('team');
  const q = text('q');
  return { view, status, ...(channel ? { channel } : {}), ...(team ? { team } : {}), ...(q ? { q } : {}) };
}

async function inboxRows(deps: ConsoleDeps, principal: Principal, query: InboxQuery): Promise<{ rows: InboxRow[]; truncated: boolean }> {
  const filter: Record<string, unknown> = {};
  if (query.status === 'open') filter.status = { $in: ['pending', 'assigned'] };
  else if (query.status !== 'any') filter.status = query.status;
  if (query.view === 'mine') filter.assignee = agentOf(principal).id;
  if (query.view === 'unassigned') filter.status = 'pending';
  if (query.view === 'team') filter.team = { $in: principal.user?.teams ?? [] };
  if (query.team) filter.team = query.team;
  if (query.channel) filter.channelKind = query.channel;
  if (query.status !== 'bot' && query.status !== 'any') filter.escalatedAt = { $exists: true };
  if (query.q) {
    const pattern = new RegExp(query.q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
    const hits = await deps.store.models.Message.find({ text: pattern }, { conversationId: 1 }).sort({ receivedAt: -1 }).limit(500).lean<Array<{ conversationId: Types.ObjectId }>>();
    filter._id = { $in: [...new Set(hits.map((h) => String(h.conversationId)))].map((id) => new Types.ObjectId(id)) };
  }
  const LIMIT = 200;
  const rows = await deps.store.models.Conversation.find(filter).sort({ updatedAt: -1 }).limit(LIMIT + 1).lean<ConversationRecord[]>();
  const contacts = await deps.store.models.Contact.find({ _id: { $in: rows.map((r) => r.contactId) } }, { displayName: 1, email: 1 }).lean<Array<{ _id: Types.ObjectId; displayName?: string; email?: string }>>();
  const names = new Map(contacts.map((c) => [String(c._id), c.displayName ?? c.email]));
  const slaMs = deps.slaMinutes * 60_000;
  const out = rows.slice(0, LIMIT).map((c): InboxRow => {
    const since = c.escalatedAt ?? c.createdAt;
    return {
      id: String(c._id),
      customer: names.get(String(c.contactId)) ?? 'Customer',
      channelKind: c.channelKind,
      channelId: c.channelId,
      status: c.status,
      priority: c.priority,
      team: c.team ?? null,
      reason: c.escalationReason ? reasonLabel(c.escalationReason) : null,
      assigneeName: c.assigneeName ?? c.assignee ?? null,
      mine: c.assignee === agentOf(principal).id,
      escalatedAt: since.toISOString(),
      // Unclaimed escalations are due at escalation + DESK_SLA_MINUTES; the browser shows the countdown.
      slaDueAt: slaMs > 0 && c.status === 'pending' ? new Date(since.getTime() + slaMs).toISOString() : null,
      lastInboundAt: c.lastInboundAt?.toISOString() ?? null,
      intent: c.latest?.intent ?? null,
      sentiment: c.latest?.sentiment ?? null,
    };
  });
  out.sort((a, b) => {
    const open = (r: InboxRow) => (r.status === 'pending' ? 0 : r.status === 'assigned' ? 1 : 2);
    return open(a) - open(b) || (PRIORITY_RANK[a.priority] ?? 9) - (PRIORITY_RANK[b.priority] ?? 9) || a.escalatedAt.localeCompare(b.escalatedAt) || a.id.localeCompare(b.id);
  });
  return { rows: out, truncated: rows.length > LIMIT };
}

async function conversationView(deps: ConsoleDeps, principal: Principal, id: Types.ObjectId): Promise<ConversationView> {
  const conversation = await deps.store.conversations.get(id);
  if (!conversation) throw new HttpError(404, 'conversation_not_found', 'no such conversation');
  const now = deps.clock();
  const [contact, identities, messages, presence] = await Promise.all([
    deps.store.contacts.get(conversation.contactId),
    deps.store.models.Identity.find({ contactId: conversation.contactId }, { channelId: 1, handle: 1 }).lean<Array<{ channelId: string; handle?: string }>>(),
    deps.store.messages.history(id, 300),
    deps.access.models.Presence.find({ conversationId: id, seenAt: { $gt: new Date(now.getTime() - PRESENCE_MS) } }).lean(),
  ]);
  const me = principalKey(principal);
  return {
    id: String(conversation._id),
    status: conversation.status,
    priority: conversation.priority,
    team: conversation.team ?? null,
    channelKind: conversation.channelKind,
    channelId: conversation.channelId,
    reason: conversation.escalationReason ? reasonLabel(conversation.escalationReason) : null,
    assigneeName: conversation.assigneeName ?? conversation.assignee ?? null,
    mine: conversation.assignee === agentOf(principal).id,
    escalatedAt: conversation.escalatedAt?.toISOString() ?? null,
    resolvedAt: conversation.resolvedAt?.toISOString() ?? null,
    csat: conversation.csat?.score ?? null,
    customer: {
      name: contact?.displayName ?? 'Customer',
      email: contact?.email ?? null,
      phone: contact?.phone ?? null,
      vip: contact?.vip ?? false,
      channels: identities.map((i) => i.channelId + (i.handle ? ` (${i.handle})` : '')),
    },
    assist: conversation.assist
      ? { summary: conversation.assist.summary, suggestion: conversation.assist.suggestion ? { text: conversation.assist.suggestion.text, citations: conversation.assist.suggestion.citations } : null }
      : null,
    messages: messages.map((m) => messageView(deps, m, now)),
    colleagues: presence
      .filter((p) => p.userId !== me)
      .map((p) => ({ name: p.name, typing: !!p.typingUntil && p.typingUntil.getTime() > now.getTime() }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function messageView(deps: ConsoleDeps, m: MessageRecord, now: Date): MessageView {
  const a = m.annotations;
  return {
    id: String(m._id),
    direction: m.direction,
    author: { kind: m.author.kind, name: m.author.name ?? null },
    text: m.text,
    internal: m.internal ?? false,
    at: m.receivedAt.toISOString(),
    files: m.parts.flatMap((p, index) =>
      p.type === 'media' ? [{ name: p.name ?? p.mimeType ?? 'file', mimeType: p.mimeType ?? null, url: `/media/${deps.mediaLinks.token({ messageId: String(m._id), index }, startOfHour(now))}` }] : [],
    ),
    citations: m.citations.map((c) => ({ title: c.title, url: c.url ?? null })),
    delivery: m.delivery ? { status: m.delivery.status, error: m.delivery.error ? `${m.delivery.error.message} [${m.delivery.error.code}]` : null } : null,
    reading:
      a && m.direction === 'inbound'
        ? {
            language: a.language ?? null,
            intent: a.intent ?? null,
            intentConfidence: a.intentConfidence ?? null,
            outOfScope: a.outOfScope ?? false,
            sentiment: a.sentiment ?? null,
            frustration: a.frustration ?? null,
            decision: a.decision ?? null,
            reason: a.reason ?? null,
            answerScore: a.answerScore ?? null,
            answerSource: a.answerSource ?? null,
            team: a.team ?? null,
            priority: a.priority ?? null,
            provider: a.provider ?? null,
          }
        : null,
  };
}

/** Links are signed from the hour, so the conversation's version (and the long poll) does not change every second. */
function startOfHour(now: Date): Date {
  return new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
}

async function parseAct(deps: ConsoleDeps, body: Record<string, unknown>): Promise<ConsoleAct> {
  const kind = requiredString(body, 'act', 40);
  switch (kind) {
    case 'claim':
    case 'resolve':
    case 'return_to_bot':
    case 'refresh_suggestion':
      return { kind };
    case 'reply': {
      const citations = Array.isArray(body.citations)
        ? body.citations.slice(0, 5).flatMap((c) => (c && typeof c === 'object' && typeof (c as { title?: unknown }).title === 'string' ? [{ title: String((c as { title: string }).title).slice(0, 200), ...(typeof (c as { url?: unknown }).url === 'string' ? { url: String((c as { url: string }).url) } : {}) }] : []))
        : [];
      return { kind, text: requiredString(body, 'text', 8_000).trim(), citations };
    }
    case 'note':
      return { kind, text: requiredString(body, 'text', 8_000).trim() };
    case 'reassign': {
      const team = optionalString(body, 'team', 100);
      const userId = optionalString(body, 'userId', 100);
      if (team) {
        if (!deps.teams().includes(team)) throw new HttpError(400, 'unknown_team', `no team "${team}" in routing.yaml (teams: ${deps.teams().join(', ')})`);
        return { kind, to: { team } };
      }
      const user = userId ? await deps.access.users.get(userId) : null;
      if (!user || user.role === 'analyst') throw new HttpError(400, 'unknown_user', 'reassign needs "team" or the "userId" of an agent or admin');
      return { kind, to: { agent: { id: `console:${String(user._id)}`, name: user.name } } };
    }
    default:
      throw new HttpError(400, 'unknown_act', `act must be claim, reply, note, resolve, return_to_bot, reassign or refresh_suggestion, not "${kind}"`);
  }
}
