import { z } from 'zod';
import { parseAdminYaml } from '../brain/admin-yaml';

/**
 * alerts.yaml: where alerts go (`notify`), the timing every rule shares (`defaults`) and the rules. The same
 * document is edited in the console (stored in MongoDB, followed by every process) or kept in ALERTS_FILE by
 * infrastructure-as-code users. Secrets never live here: a webhook names the environment variable with its secret.
 */
export class AlertRulesError extends Error {
  override name = 'AlertRulesError';
}

const NAME = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'use lower-case letters, digits, "-" and "_"');
const minutes = z.number().min(0).max(7 * 24 * 60);
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);

const deskTarget = z
  .object({
    /** A Slack or Teams channel instance with desk settings: the notice goes to its desk channel, or `channel`. */
    desk: z.string().min(1),
    channel: z.string().min(1).optional(),
  })
  .strict();
const emailTarget = z
  .object({
    email: oneOrMany(z.email()),
    /** An email channel whose SMTP server and sender send the mail; unset: ALERT_SMTP_URL and ALERT_EMAIL_FROM. */
    via: z.string().min(1).optional(),
  })
  .strict();
const webhookTarget = z
  .object({
    webhook: z.url({ protocol: /^https?$/ }),
    /** The environment variable holding the signing secret (X-Switchboard-Signature, as the API channel's callbacks). */
    secretEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name').default('ALERT_WEBHOOK_SECRET'),
  })
  .strict();
export const targetSchema = z.union([deskTarget, emailTarget, webhookTarget]);
export type AlertTarget = z.infer<typeof targetSchema>;

const timing = {
  /** The condition must hold this long before the alert fires (Prometheus' `for`). */
  pendingMinutes: minutes.optional(),
  /** While firing, the notice is repeated this often (Alertmanager's repeat_interval); 0: never. */
  resendMinutes: minutes.optional(),
  /** The condition must be gone this long before the alert resolves (keep_firing_for): no flapping storms. */
  resolveAfterMinutes: minutes.optional(),
};
const common = {
  name: NAME,
  enabled: z.boolean().default(true),
  severity: z.enum(['warning', 'critical']).default('warning'),
  /** Names in `notify`; unset: every target. */
  notify: z.array(NAME).optional(),
  ...timing,
};

const frustrationSpike = z
  .object({
    ...common,
    kind: z.literal('frustration_spike'),
    windowMinutes: z.number().int().min(1).max(24 * 60).default(15),
    baselineHours: z.number().int().min(1).max(14 * 24).default(24),
    /** Fewer customer messages than this in the window never fire (a share of 3 messages means nothing). */
    minMessages: z.number().int().min(1).default(10),
    /** The window's share of negative or frustrated messages must reach this … */
    minShare: z.number().min(0).max(1).default(0.3),
    /** … and this multiple of the baseline's share (when the baseline has `minMessages` messages). */
    factor: z.number().min(1).default(2),
    /** One alert for all channels, or one per channel. */
    by: z.enum(['all', 'channel']).default('all'),
  })
  .strict();
const repeatedFailures = z
  .object({
    ...common,
    kind: z.literal('repeated_failures'),
    windowMinutes: z.number().int().min(1).max(24 * 60).default(10),
    /** Failed delivery attempts, dead letters and processing errors of one channel within the window. */
    threshold: z.number().int().min(1).default(5),
  })
  .strict();
const channelDown = z
  .object({
    ...common,
    kind: z.literal('channel_down'),
    /** A platform refusing our credentials is "down" at once, whatever the rest says. */
    authErrors: z.boolean().default(true),
    /**
     * A webhook channel is silent "far beyond its usual rate" when nothing arrived for as long as its rate over
     * the last week predicts this many messages (0: never judge silence).
     */
    silentExpected: z.number().min(0).default(10),
    /** Channels slower than this are never judged silent (the span would be longer). */
    maxSilentHours: z.number().int().min(1).max(7 * 24).default(24),
  })
  .strict();
const queueSla = z
  .object({
    ...common,
    kind: z.literal('queue_sla'),
    /** A conversation waiting this long for a person's first answer breaches the SLA (per team below). */
    thresholdMinutes: z.number().min(1).default(30),
    teams: z.record(z.string(), z.number().min(1)).default({}),
  })
  .strict();
const storeUnreachable = z.object({ ...common, kind: z.literal('store_unreachable') }).strict();

export const ruleSchema = z.discriminatedUnion('kind', [frustrationSpike, repeatedFailures, channelDown, queueSla, storeUnreachable]);
export type AlertRule = z.infer<typeof ruleSchema>;
export type AlertKind = AlertRule['kind'];
export const ALERT_KINDS: readonly AlertKind[] = ['frustration_spike', 'repeated_failures', 'channel_down', 'queue_sla', 'store_unreachable'];

const fileSchema = z
  .object({
    notify: z.record(NAME, targetSchema).default({}),
    defaults: z
      .object({
        pendingMinutes: minutes.default(5),
        resendMinutes: minutes.default(240),
        resolveAfterMinutes: minutes.default(5),
      })
      .strict()
      .prefault({}),
    rules: z.array(ruleSchema),
  })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, i) => {
      if (seen.has(rule.name)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'name'], message: `"${rule.name}" is used by another rule` });
      seen.add(rule.name);
      for (const target of rule.notify ?? []) {
        if (!(target in file.notify)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'notify'], message: `"${target}" is not a target in notify` });
      }
    });
  });

export interface AlertConfig {
  notify: Record<string, AlertTarget>;
  rules: Array<AlertRule & { pendingMinutes: number; resendMinutes: number; resolveAfterMinutes: number }>;
}
export type ResolvedRule = AlertConfig['rules'][number];

/**
 * What runs without a file: one rule of each kind, notifying nobody until targets are added (firing alerts still
 * show in the console). Store outages and dead channels are urgent; the rest waits five minutes to be sure.
 */
export const DEFAULT_ALERTS_YAML = `# Alert rules (docs/alerts.md). Add targets under notify, e.g.
#   notify:
#     oncall: { desk: slack-desk }
#     ops-mail: { email: ops@example.com, via: support-mail }
#     pager: { webhook: "https://ops.example.com/hooks/switchboard", secretEnv: ALERT_WEBHOOK_SECRET }
notify: {}
defaults: { pendingMinutes: 5, resendMinutes: 240, resolveAfterMinutes: 5 }
rules:
  - { name: customers-upset, kind: frustration_spike, windowMinutes: 15, baselineHours: 24, minMessages: 10, minShare: 0.3, factor: 2 }
  - { name: failing-deliveries, kind: repeated_failures, windowMinutes: 10, threshold: 5 }
  - { name: channel-down, kind: channel_down, severity: critical, pendingMinutes: 2 }
  - { name: queue-sla, kind: queue_sla, thresholdMinutes: 30 }
  - { name: store-unreachable, kind: store_unreachable, severity: critical, pendingMinutes: 1, resolveAfterMinutes: 1 }
`;

export function parseAlertRules(source: string, origin: string): AlertConfig {
  const file = parseAdminYaml(fileSchema, source, origin, AlertRulesError);
  return {
    notify: file.notify,
    rules: file.rules.map((rule) => ({
      ...rule,
      pendingMinutes: rule.pendingMinutes ?? file.defaults.pendingMinutes,
      resendMinutes: rule.resendMinutes ?? file.defaults.resendMinutes,
      resolveAfterMinutes: rule.resolveAfterMinutes ?? file.defaults.resolveAfterMinutes,
    })),
  };
}

/** The targets a rule notifies. */
export function targetsOf(config: AlertConfig, rule: ResolvedRule): Array<{ name: string; target: AlertTarget }> {
  const names = rule.notify ?? Object.keys(config.notify);
  return names.map((name) => ({ name, target: config.notify[name]! }));
}
