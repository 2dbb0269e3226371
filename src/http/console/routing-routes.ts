import { RoutingConfigError } from '../../brain/routing/rules';
import { HttpError } from '../errors';
import type { ConsoleDeps } from './deps';
import { signedIn, type RouteSpec } from './route-table';
import { requiredString } from './validate';

/**
 * Routing, teams and business hours: the rules in force, an editor that validates with the YAML file's own parser
 * and messages (every gateway process follows a saved version within KNOWLEDGE_REFRESH_MS), and a preview of where
 * a message would go.
 */
export function routingRoutes(deps: ConsoleDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/console/api/routing',
      permission: 'routing:read',
      surface: 'api',
      handler: ({ res }) => {
        const view = deps.routing.view;
        res.json({ yaml: view.source, revision: view.revision, origin: view.origin, updatedAt: view.updatedAt?.toISOString() ?? null, updatedBy: view.updatedBy ?? null, teams: deps.routing.teams() });
      },
    },
    {
      method: 'put',
      path: '/console/api/routing',
      permission: 'routing:write',
      surface: 'api',
      handler: async (ctx) => {
        const principal = signedIn(ctx);
        const yaml = requiredString(ctx.req.body, 'yaml', 200_000);
        let saved;
        try {
          saved = await deps.routing.save(yaml, principal.user?.email ?? principal.name, deps.clock());
        } catch (err) {
          if (err instanceof RoutingConfigError) {
            await ctx.audit({ action: 'routing.update', outcome: 'refused', detail: err.message });
            throw new HttpError(400, 'invalid_routing', err.message);
          }
          throw err;
        }
        await ctx.audit({ action: 'routing.update', target: 'routing.yaml', diff: lineDiff(saved.before, yaml), detail: `revision ${saved.revision}` });
        ctx.res.json({ revision: saved.revision, teams: deps.routing.teams() });
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
        ctx.res.json({ decision: answer.decision, team: answer.team, priority: answer.priority, reason: answer.reason, intent: answer.intent, language: answer.language });
      },
    },
  ];
}

/** Lines removed and added (by content), capped: enough to see what changed in the audit log. */
function lineDiff(before: string, after: string): Record<string, unknown> {
  const a = before.split('\n');
  const b = after.split('\n');
  const removed = a.filter((line) => !b.includes(line));
  const added = b.filter((line) => !a.includes(line));
  return { removed: removed.slice(0, 40), added: added.slice(0, 40) };
}
