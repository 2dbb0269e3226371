import type { AdminFileView, SavableAdminFile } from '../../admin-file-live';
import { CatalogError } from '../../brain/catalog/intents';
import { RoutingConfigError } from '../../brain/routing/rules';
import { HttpError } from '../errors';
import type { AdminFileResponse, IntentSummary } from './api-types';
import type { ConsoleDeps } from './deps';
import { signedIn, type RouteContext, type RouteSpec } from './route-table';
import { requiredString } from './validate';

/**
 * Routing, teams, business hours and the intent catalog: the versions in force, editors that validate with the
 * YAML files' own parsers and messages (every gateway process follows a saved version within
 * KNOWLEDGE_REFRESH_MS; a saved catalog is trained before it is used), and a preview of where a message would go.
 */
export function routingRoutes(deps: ConsoleDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/console/api/routing',
      permission: 'routing:read',
      surface: 'api',
      handler: ({ res }) => {
        res.json({ ...fileResponse(deps.routing.view), teams: deps.routing.teams() });
      },
    },
    {
      method: 'put',
      path: '/console/api/routing',
      permission: 'routing:write',
      surface: 'api',
      handler: async (ctx) => {
        const revision = await saveAdminFile(ctx, deps, deps.routing, { action: 'routing.update', target: 'routing.yaml', code: 'invalid_routing', invalid: RoutingConfigError });
        ctx.res.json({ revision, teams: deps.routing.teams() });
      },
    },
    {
      method: 'get',
      path: '/console/api/intents',
      permission: 'routing:read',
      surface: 'api',
      handler: ({ res }) => {
        res.json({ ...fileResponse(deps.intents.view), intents: intentSummaries(deps) });
      },
    },
    {
      method: 'put',
      path: '/console/api/intents',
      permission: 'routing:write',
      surface: 'api',
      handler: async (ctx) => {
        const revision = await saveAdminFile(ctx, deps, deps.intents, { action: 'intents.update', target: 'intents', code: 'invalid_intents', invalid: CatalogError });
        ctx.res.json({ revision, intents: intentSummaries(deps) });
      },
    },
    {
      method: 'post',
      path: '/console/api/routing/preview',
      permission: 'routing:read',
      surface: 'api',
      handler: async (ctx) => {
        const text = requiredString(ctx.req.body, 'text', 2_000);
        const answer = await deps.knowledge.ask(text);
        ctx.res.json({
          decision: answer.decision,
          team: answer.team,
          priority: answer.priority,
          reason: answer.reason,
          intent: answer.intent,
          intentConfidence: answer.intentConfidence,
          language: answer.language,
        });
      },
    },
  ];
}

function fileResponse(view: AdminFileView): AdminFileResponse {
  return { yaml: view.source, revision: view.revision, origin: view.origin, updatedAt: view.updatedAt?.toISOString() ?? null, updatedBy: view.updatedBy ?? null };
}

function intentSummaries(deps: ConsoleDeps): IntentSummary[] {
  return deps.intents.intents.map((i) => ({ name: i.name, team: i.team ?? null, priority: i.priority, escalate: i.escalate, canned: i.answer !== undefined, examples: i.examples.length }));
}

/** Validates and stores an edited admin file, auditing the change (or the refusal, with the parser's message). */
async function saveAdminFile(
  ctx: RouteContext,
  deps: ConsoleDeps,
  file: SavableAdminFile,
  what: { action: string; target: string; code: string; invalid: new (message: string) => Error },
): Promise<number> {
  const principal = signedIn(ctx);
  const yaml = requiredString(ctx.req.body, 'yaml', 200_000);
  let saved;
  try {
    saved = await file.save(yaml, principal.user?.email ?? principal.name, deps.clock());
  } catch (err) {
    if (err instanceof what.invalid) {
      await ctx.audit({ action: what.action, outcome: 'refused', detail: err.message });
      throw new HttpError(400, what.code, err.message);
    }
    throw err;
  }
  await ctx.audit({ action: what.action, target: what.target, diff: lineDiff(saved.before, yaml), detail: `revision ${saved.revision}` });
  return saved.revision;
}

/** Lines removed and added (by content), capped: enough to see what changed in the audit log. */
function lineDiff(before: string, after: string): Record<string, unknown> {
  const a = before.split('\n');
  const b = after.split('\n');
  const removed = a.filter((line) => !b.includes(line));
  const added = b.filter((line) => !a.includes(line));
  return { removed: removed.slice(0, 40), added: added.slice(0, 40) };
}
