import type { AlertStateRow, NoticeRow } from '../../alerts';
import { AlertRulesError, type AlertTarget } from '../../alerts/rules';
import { HttpError } from '../errors';
import { fileResponse, saveAdminFile } from './admin-file-save';
import type { AlertNoticeView, AlertsResponse, AlertView } from './api-types';
import type { ConsoleDeps } from './deps';
import { signedIn, type RouteSpec } from './route-table';
import { requiredString } from './validate';

/**
 * Alerts: what is pending, firing or resolved lately, the notices sent and their delivery, and the rules and
 * targets (alerts.yaml) edited like routing. Reading is for whoever reads the reports; changing is for admins.
 */
export function alertRoutes(deps: ConsoleDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/console/api/alerts',
      permission: 'reports:read',
      surface: 'api',
      handler: async ({ res }) => {
        const { alerts, notices } = await deps.alerts.overview();
        const config = deps.alerts.rules.config;
        const body: AlertsResponse = {
          ...fileResponse(deps.alerts.rules.view),
          rules: config.rules.map((r) => ({
            name: r.name,
            kind: r.kind,
            severity: r.severity,
            enabled: r.enabled,
            pendingMinutes: r.pendingMinutes,
            resendMinutes: r.resendMinutes,
            resolveAfterMinutes: r.resolveAfterMinutes,
            notify: r.notify ?? Object.keys(config.notify),
          })),
          targets: Object.entries(config.notify).map(([name, target]) => ({ name, ...describeTarget(target) })),
          alerts: alerts.map(alertView),
          notices: notices.map(noticeView),
        };
        res.json(body);
      },
    },
    {
      method: 'put',
      path: '/console/api/alerts',
      permission: 'alerts:write',
      surface: 'api',
      handler: async (ctx) => {
        const revision = await saveAdminFile(ctx, deps, deps.alerts.rules, { action: 'alerts.update', target: 'alerts.yaml', code: 'invalid_alerts', invalid: AlertRulesError });
        ctx.res.json({ revision });
      },
    },
    {
      method: 'post',
      path: '/console/api/alerts/test',
      permission: 'alerts:write',
      surface: 'api',
      handler: async (ctx) => {
        const target = requiredString(ctx.req.body, 'target', 64);
        if (!(target in deps.alerts.rules.config.notify)) throw new HttpError(404, 'unknown_target', `"${target}" is not a target in alerts.yaml`);
        const principal = signedIn(ctx);
        try {
          const notice = await deps.alerts.test(target, principal.user?.email ?? principal.name);
          await ctx.audit({ action: 'alerts.test', target, detail: 'sent' });
          ctx.res.json({ sent: true, id: notice.id });
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          await ctx.audit({ action: 'alerts.test', target, outcome: 'refused', detail: message });
          // The target refused or could not be reached: a gateway in front of it, not this request, failed.
          throw new HttpError(502, 'target_failed', `the test notice to "${target}" was not delivered: ${message}`);
        }
      },
    },
  ];
}

function describeTarget(target: AlertTarget): { type: 'desk' | 'email' | 'webhook'; detail: string } {
  if ('desk' in target) return { type: 'desk', detail: `desk channel ${target.desk}${target.channel ? ` (${target.channel})` : ''}` };
  if ('email' in target) return { type: 'email', detail: `${target.email.join(', ')}${target.via ? ` via ${target.via}` : ' via ALERT_SMTP_URL'}` };
  // The address only: its secret stays in the environment.
  return { type: 'webhook', detail: `${target.webhook} (signed with ${target.secretEnv})` };
}

const iso = (d: Date | undefined) => d?.toISOString() ?? null;

function alertView(row: AlertStateRow): AlertView {
  return {
    id: row._id,
    rule: row.rule,
    kind: row.kind,
    severity: row.severity,
    subject: row.subject,
    state: row.state,
    summary: row.summary,
    since: row.activeSince.toISOString(),
    firingSince: iso(row.firingSince),
    resolvedAt: iso(row.resolvedAt),
    lastNotifiedAt: iso(row.lastNotifiedAt),
    path: row.path,
  };
}

function noticeView(row: NoticeRow): AlertNoticeView {
  return {
    id: row.notice.id,
    target: row.target,
    type: row.notice.type,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError ?? null,
    createdAt: row.createdAt.toISOString(),
    sentAt: iso(row.sentAt),
    summary: row.notice.summary,
  };
}
