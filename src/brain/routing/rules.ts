import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseAdminYaml } from '../admin-yaml';
import type { ChannelKind } from '../../../adapters/types';
import type { Priority } from '../../../conversations/types';
import type { Analysis } from '../analysis/types';
import type { IntentSpec } from '../catalog/intents';
import { WEEKDAYS, type BusinessHours } from './hours';

const PRIORITY_ORDER: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];
const HHMM = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use "HH:MM" (24 h)');
const oneOrMany = <T extends z.ZodType>(item: T) => z.union([item, z.array(item).min(1)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[]);

const hoursSchema = z
  .object({
    timezone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'unknown IANA time zone'),
    days: z.array(z.enum(WEEKDAYS)),
    open: HHMM,
    close: HHMM,
  })
  .strict()
  .refine((h) => h.open < h.close, 'open must be before close');

const ruleSchema = z
  .object({
    name: z.string().optional(),
    if: z
      .object({
        intent: oneOrMany(z.string()).optional(),
        outOfScope: z.boolean().optional(),
        sentiment: oneOrMany(z.enum(['negative', 'neutral', 'positive'])).optional(),
        /** Minimum frustration, 0 … 1. */
        frustration: z.number().min(0).max(1).optional(),
        urgent: z.boolean().optional(),
        vip: z.boolean().optional(),
        channel: oneOrMany(z.string()).optional(),
        language: oneOrMany(z.string()).optional(),
        entity: oneOrMany(z.enum(['order', 'email', 'phone', 'card', 'iban', 'amount', 'date'])).optional(),
      })
      .strict()
      .refine((c) => Object.keys(c).length > 0, 'a rule needs at least one condition'),
    then: z
      .object({
        team: z.string().optional(),
        priority: z.enum(PRIORITY_ORDER).optional(),
        escalate: z.string().regex(/^[a-z][a-z0-9_]*$/, 'an escalation reason in lower_snake_case').optional(),
      })
      .strict()
      .refine((a) => Object.keys(a).length > 0, 'a rule needs at least one action'),
  })
  .strict();

const routingSchema = z
  .object({
    defaultTeam: z.string().min(1).default('support'),
    unhelpfulTurns: z.number().int().min(1).default(2),
    /**
     * What a waiting customer is told to expect ("usually within 10 minutes") while the team has too few recent
     * first replies to measure it (src/brain/queue-status.ts). A team's own value wins over this one.
     */
    expectedWaitMinutes: z.number().positive().default(15),
    teams: z
      .record(z.string(), z.object({ name: z.string().optional(), hours: hoursSchema.optional(), expectedWaitMinutes: z.number().positive().optional() }).strict())
      .default({}),
    rules: z.array(ruleSchema).default([]),
  })
  .strict();

export type RoutingConfig = z.infer<typeof routingSchema>;
export type RoutingRule = z.infer<typeof ruleSchema>;

export class RoutingConfigError extends Error {}

export function parseRouting(source: string, origin = 'routing.yaml'): RoutingConfig {
  const config = parseAdminYaml(routingSchema, source, origin, RoutingConfigError, {});
  const known = new Set([config.defaultTeam, ...Object.keys(config.teams)]);
  config.rules.forEach((rule, i) => {
    if (rule.then.team && !known.has(rule.then.team)) {
      throw new RoutingConfigError(`${origin}: rules.${i}.then.team: unknown team "${rule.then.team}" (declare it under teams)`);
    }
  });
  return config;
}

/** A missing file means "everything to the default team, no rules": a fresh install still works. */
export function loadRouting(path: string): RoutingConfig {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return parseRouting('{}', path);
    throw err;
  }
  return parseRouting(source, path);
}

export interface RoutingFacts {
  analysis: Analysis;
  intent?: IntentSpec;
  vip: boolean;
  channelKind: ChannelKind;
}

export interface RoutingOutcome {
  team: string;
  priority: Priority;
  /** Set when a rule (or the intent itself) says people must take over. */
  escalate?: string;
  /** Names (or positions) of the rules that applied: shown to agents, kept in annotations. */
  applied: string[];
  hours?: BusinessHours;
}

export function raisePriority(current: Priority, to: Priority): Priority {
  return PRIORITY_ORDER.indexOf(to) > PRIORITY_ORDER.indexOf(current) ? to : current;
}

function matches(rule: RoutingRule, facts: RoutingFacts): boolean {
  const c = rule.if;
  const a = facts.analysis;
  if (c.intent && (a.intent.outOfScope || !c.intent.includes(a.intent.name))) return false;
  if (c.outOfScope !== undefined && c.outOfScope !== a.intent.outOfScope) return false;
  if (c.sentiment && !c.sentiment.includes(a.sentiment.label)) return false;
  if (c.frustration !== undefined && a.sentiment.frustration < c.frustration) return false;
  if (c.urgent !== undefined && c.urgent !== a.sentiment.urgent) return false;
  if (c.vip !== undefined && c.vip !== facts.vip) return false;
  if (c.channel && !c.channel.includes(facts.channelKind)) return false;
  if (c.language && (!a.language || !c.language.includes(a.language))) return false;
  if (c.entity && !a.entities.some((e) => c.entity!.includes(e.kind))) return false;
  return true;
}

/** Applies every matching rule in order: team by the first that names one, priority only upwards. */
export function route(config: RoutingConfig, facts: RoutingFacts): RoutingOutcome {
  let team: string | undefined;
  let priority: Priority = facts.intent?.priority ?? 'normal';
  let escalate = facts.intent?.escalate ? 'intent_policy' : undefined;
  const applied: string[] = [];
  config.rules.forEach((rule, i) => {
    if (!matches(rule, facts)) return;
    applied.push(rule.name ?? `rule ${i + 1}`);
    team ??= rule.then.team;
    if (rule.then.priority) priority = raisePriority(priority, rule.then.priority);
    escalate ??= rule.then.escalate;
  });
  const finalTeam = team ?? facts.intent?.team ?? config.defaultTeam;
  const hours = config.teams[finalTeam]?.hours;
  return { team: finalTeam, priority, ...(escalate ? { escalate } : {}), applied, ...(hours ? { hours } : {}) };
}
