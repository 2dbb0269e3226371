import { CatalogError } from '../../brain/catalog/intents';
import { RoutingConfigError } from '../../brain/routing/rules';
import type { IntentSummary } from './api-types';
import { fileResponse, saveAdminFile } from './admin-file-save';
import type { ConsoleDeps } from './deps';
import type { RouteSpec } from './route-table';
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

function intentSummaries(deps: ConsoleDeps): IntentSummary[] {
  return deps.intents.intents.map((i) => ({ name: i.name, team: i.team ?? null, priority: i.priority, escalate: i.escalate, canned: i.answer !== undefined, examples: i.examples.length }));
}
