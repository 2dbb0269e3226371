import { accessResponses } from './schemas/console-access';
import { adminResponses } from './schemas/console-admin';
import { live } from './schemas/console-inbox';
import { reportResponses } from './schemas/console-reports';
import { alertResponses } from './schemas/console-alerts';
import { bool, input, list, obj, oneOf, ref, str, strings, type Schema } from './schemas/build';

/**
 * What the route table cannot say about a console API route: its summary, query parameters, the JSON body's fields
 * and the responses it writes itself. Keyed by "<method> <path>" exactly as the route table declares it; the
 * document builder (console-paths.ts) refuses a table route without an entry here, and an entry without a route,
 * so a new console route cannot be added undescribed. Security, path parameters, body media type, the CSRF header
 * and the refusals every route shares are generated from the table.
 */
export interface ConsoleOperation {
  summary: string;
  query?: Record<string, Schema>;
  /** The JSON body's fields (routes with `body: 'raw'` take bytes: generated). */
  body?: Schema;
  /** Statuses this route answers itself: a body schema, or 'error' for the gateway's error body. */
  responses: Record<number, { description: string; schema?: Schema; content?: Record<string, Schema> } | 'error'>;
}

const text = (maxLength: number): Schema => ({ type: 'string', minLength: 1, maxLength });
const json = (description: string, schema: Schema) => ({ description, schema });
const day: Schema = { type: 'string', format: 'date', description: 'A UTC day, YYYY-MM-DD.' };
const period: Record<string, Schema> = {
  from: { ...day, description: 'First day (UTC, YYYY-MM-DD); default 29 days before `to`.' },
  to: { ...day, description: 'Last day (UTC, YYYY-MM-DD), inclusive; default today. At most 400 days in all.' },
  channelKind: str,
  channelId: str,
  team: str,
  intent: str,
  language: str,
};
const since: Schema = { type: 'string', description: 'The `version` last seen: the answer waits (long poll) until it would differ.' };
const adminFileBody = input({ yaml: text(200_000) }, ['yaml']);
const outcomes = ['all', 'involved', 'aiResolved', 'handedOff', 'resolved', 'notDurable', 'surveyed', 'unhelpful', 'deliveryFailed'];

export const CONSOLE_OPERATIONS: Record<string, ConsoleOperation> = {
  // Sign-in and the caller (auth-routes.ts).
  'get /console/api/setup': { summary: 'Whether the console still needs its first owner', responses: { 200: json('Set-up state.', accessResponses.setupNeeded) } },
  'post /console/api/setup': {
    summary: 'Create the first owner from the one-time setup link',
    body: input({ token: text(10_000), email: text(10_000), password: text(10_000), name: str }, ['token', 'email', 'password']),
    responses: { 201: json('Owner created and signed in (session cookie set).', ref('SignedIn')), 403: 'error', 409: 'error' },
  },
  'post /console/api/sign-in': {
    summary: 'Sign in with email and password (sets the session cookie)',
    body: input({ email: text(10_000), password: text(10_000) }, ['email', 'password']),
    responses: { 200: json('Signed in; `csrf` goes in X-CSRF-Token on writes.', ref('SignedIn')), 401: 'error' },
  },
  'post /console/api/sign-out': { summary: 'End this session', responses: { 200: json('Signed out.', accessResponses.signedOut) } },
  'post /console/api/sign-out-everywhere': { summary: "End every session of the caller's account", responses: { 200: json('Sessions ended.', accessResponses.ended) } },
  'get /console/api/me': { summary: 'The caller: role, permissions, CSRF token of a session', responses: { 200: json('The caller.', ref('Me')) } },
  'get /console/api/tokens': { summary: "Personal API tokens (an admin's list has everyone's)", responses: { 200: json('Tokens, never their secrets.', accessResponses.tokens) } },
  'post /console/api/tokens': {
    summary: 'Create a personal API token (shown once)',
    body: input({ name: text(10_000), role: oneOf('owner', 'admin', 'agent', 'analyst') }, ['name']),
    responses: { 201: json('The token, shown this once.', accessResponses.tokenCreated) },
  },
  'delete /console/api/tokens/{id}': { summary: 'Revoke a personal API token', responses: { 200: json('Revoked.', accessResponses.revoked) } },

  // The inbox (inbox-routes.ts).
  'get /console/api/inbox': {
    summary: 'The queue (long-polled)',
    query: { view: oneOf('mine', 'team', 'unassigned', 'all'), status: oneOf('open', 'pending', 'assigned', 'resolved', 'bot', 'any'), channel: str, team: str, q: str, since },
    responses: { 200: json('Up to 200 conversations, most urgent first.', live(obj({ rows: list(ref('InboxRow')), truncated: bool }))) },
  },
  'get /console/api/conversations/{id}': { summary: 'One conversation with what the brain read (long-polled)', query: { since }, responses: { 200: json('The conversation.', live(ref('ConversationView'))) } },
  'post /console/api/conversations/{id}/act': {
    summary: "An agent's act: claim, reply, note, resolve, return to the bot, reassign, refresh the suggestion",
    body: input(
      {
        key: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,100}$', description: 'One key per click: a retried request acts once.' },
        act: oneOf('claim', 'reply', 'note', 'resolve', 'return_to_bot', 'reassign', 'refresh_suggestion'),
        text: text(8_000),
        citations: list(input({ title: str, url: str }, ['title'])),
        team: text(100),
        userId: text(100),
      },
      ['key', 'act'],
    ),
    responses: { 200: json('Done.', accessResponses.actResult), 409: json('Not done (already claimed by someone else, …); `message` says why.', accessResponses.actResult) },
  },
  'post /console/api/conversations/{id}/presence': {
    summary: 'Say the caller is looking at (or typing in) a conversation',
    body: input({ typing: bool }),
    responses: { 200: json('Noted.', obj({ ok: { const: true } })) },
  },

  // Channels (channel-routes.ts).
  'get /console/api/channels': { summary: 'Channels, with set secrets by name and next set-up steps', responses: { 200: json('Channels.', adminResponses.channels) } },
  'post /console/api/channels': {
    summary: 'Add a channel',
    body: input({ id: { type: 'string', pattern: '^[A-Za-z0-9_-]+$', maxLength: 64 }, kind: text(20), name: str, settings: { type: 'object' }, secrets: { type: 'object', additionalProperties: str } }, ['id', 'kind']),
    responses: { 201: json('Created; generated secrets are shown this once.', adminResponses.channelCreated), 409: 'error' },
  },
  'patch /console/api/channels/{id}': {
    summary: "Edit a channel's name, settings, secrets (replaced by name) or enabled state",
    body: input({ name: str, settings: { type: 'object' }, secrets: { type: 'object', additionalProperties: str }, enabled: bool }),
    responses: { 200: json('The channel after the edit.', adminResponses.channel) },
  },
  'delete /console/api/channels/{id}': { summary: 'Remove a channel (its conversations are kept)', responses: { 200: json('Removed.', adminResponses.channelRemoved) } },

  // Knowledge (knowledge-routes.ts).
  'get /console/api/knowledge': { summary: 'Knowledge documents', responses: { 200: json('Documents.', adminResponses.documents) } },
  'get /console/api/knowledge/{id}/sections': { summary: "A document's sections", responses: { 200: json('Sections in order.', adminResponses.sections) } },
  'post /console/api/knowledge': {
    summary: 'Upload one file (Markdown, HTML, text, PDF) as a document',
    responses: { 201: json('Ingested.', adminResponses.uploaded), 422: 'error' },
  },
  'delete /console/api/knowledge/{id}': { summary: 'Remove a document', responses: { 200: json('Removed.', adminResponses.removed) } },
  'post /console/api/knowledge/reingest': { summary: 'Re-ingest KNOWLEDGE_DIR as a job', responses: { 202: json('Started.', adminResponses.job), 409: 'error' } },
  'get /console/api/knowledge/reingest': { summary: 'The re-ingest job, with progress', responses: { 200: json('The latest job, or null.', adminResponses.jobOrNone) } },
  'post /console/api/knowledge/try': {
    summary: 'What the bot would answer to a question (playground)',
    body: input({ question: text(2_000) }, ['question']),
    responses: { 200: json('The decision and the passages retrieved.', adminResponses.playground) },
  },

  // Routing and intents (routing-routes.ts).
  'get /console/api/routing': { summary: 'routing.yaml in force, and its teams', responses: { 200: json('The routing file.', adminResponses.routing) } },
  'put /console/api/routing': { summary: 'Save routing.yaml (validated by the routing parser)', body: adminFileBody, responses: { 200: json('Saved.', adminResponses.routingSaved) } },
  'get /console/api/intents': { summary: 'The intent catalog in force', responses: { 200: json('The catalog.', adminResponses.intents) } },
  'put /console/api/intents': { summary: 'Save the intent catalog (trained before it is used)', body: adminFileBody, responses: { 200: json('Saved.', adminResponses.intentsSaved) } },
  'post /console/api/routing/preview': {
    summary: 'Where a message would go',
    body: input({ text: text(2_000) }, ['text']),
    responses: { 200: json('The routing decision.', adminResponses.preview) },
  },

  // People and the audit trail (user-routes.ts).
  'get /console/api/users': { summary: 'Console users', responses: { 200: json('Users.', accessResponses.users) } },
  'get /console/api/agents': { summary: 'Who a conversation can be reassigned to', responses: { 200: json('Agents and admins.', accessResponses.agents) } },
  'post /console/api/users': {
    summary: 'Add a user',
    body: input({ email: text(200), password: text(300), role: oneOf('owner', 'admin', 'agent', 'analyst'), name: str, teams: strings }, ['email', 'password', 'role']),
    responses: { 201: json('Created.', accessResponses.user) },
  },
  'patch /console/api/users/{id}': {
    summary: "Change a user's name, role, teams or password (ends their sessions on role or password change)",
    body: input({ name: str, role: oneOf('owner', 'admin', 'agent', 'analyst'), teams: strings, password: str }),
    responses: { 200: json('The user after the change.', accessResponses.user), 409: 'error' },
  },
  'delete /console/api/users/{id}': { summary: 'Remove a user (sessions ended, tokens revoked)', responses: { 200: json('Removed.', accessResponses.removed), 409: 'error' } },
  'get /console/api/audit': {
    summary: 'The audit trail, newest first',
    query: { action: str, actor: str, target: str, before: { type: 'string', format: 'date-time', description: 'Events before this time (a page further back).' } },
    responses: { 200: json('Audit events.', accessResponses.audit) },
  },

  // Reports (report-routes.ts).
  'get /console/api/reports/overview': { summary: 'Figures over a period, the previous period, daily series and breakdowns', query: period, responses: { 200: json('The overview.', reportResponses.overview) } },
  'get /console/api/reports/conversations': {
    summary: 'The episodes behind a figure (drill-down, up to 200)',
    query: { ...period, outcome: oneOf(...outcomes), reason: str },
    responses: { 200: json('Episodes, and how many there are in all.', reportResponses.conversations) },
  },
  'get /console/api/reports/export': {
    summary: 'Every episode of a period, one row each (CSV or NDJSON), streamed',
    query: { ...period, format: oneOf('csv', 'json') },
    responses: { 200: { description: 'The rows, as an attachment.', content: { 'text/csv': str, 'application/x-ndjson': str } } },
  },
  'get /console/api/reports/gaps': { summary: 'Questions the bot could not answer, grouped', query: period, responses: { 200: json('Groups, largest first.', reportResponses.gaps) } },
  'get /console/api/reports/queue': { summary: 'The live queue by team', responses: { 200: json('Waiting conversations by team.', reportResponses.queue) } },

  // Alerts (alert-routes.ts, docs/alerts.md).
  'get /console/api/alerts': { summary: 'Alerts pending, firing or resolved lately, the latest notices, and alerts.yaml', responses: { 200: json('Alerts and their rules.', alertResponses.alerts) } },
  'put /console/api/alerts': { summary: 'Save alerts.yaml (validated by the alert rules parser)', body: adminFileBody, responses: { 200: json('Saved.', alertResponses.saved) } },
  'post /console/api/alerts/test': {
    summary: 'Send a test notice to one target now',
    body: input({ target: text(64) }, ['target']),
    responses: { 200: json('Delivered.', alertResponses.tested), 404: 'error', 502: 'error' },
  },
};
