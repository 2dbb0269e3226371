import { readFile } from 'node:fs/promises';
import type { ConsoleDeps } from './deps';
import type { RouteSpec } from './route-table';
import { requiredString } from './validate';

/**
 * Routing as it runs: the file, its teams, and a preview of where a message would go. Editing stays in the YAML
 * file for now (it is read at start by every process; see docs/decisions.md).
 */
export function routingRoutes(deps: ConsoleDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/console/api/routing',
      permission: 'routing:read',
      surface: 'api',
      handler: async ({ res }) => {
        const yaml = await readFile(deps.routingFile, 'utf8').catch(() => '');
        res.json({ file: deps.routingFile, yaml, teams: deps.teams() });
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
