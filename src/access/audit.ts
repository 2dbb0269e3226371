import type { AccessModels, ActorKind, AuditRecord } from './models';

const SECRET_KEY = /secret|token|password|apikey|api_key|key$|credential/i;
export const REDACTED = '[redacted]';

/** Replaces the values of secret-looking keys, at any depth; what was set stays visible, not what it was set to. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_KEY.test(k) && v !== undefined && v !== null && typeof v !== 'object') out[k] = REDACTED;
    else if (SECRET_KEY.test(k) && v && typeof v === 'object' && !Array.isArray(v)) out[k] = Object.fromEntries(Object.keys(v).map((name) => [name, REDACTED]));
    else out[k] = redact(v, depth + 1);
  }
  return out;
}

export interface AuditActor {
  kind: ActorKind;
  id?: string;
  name?: string;
}

export interface AuditEntry {
  actor: AuditActor;
  action: string;
  outcome?: 'ok' | 'refused';
  target?: string;
  ip?: string;
  diff?: Record<string, unknown>;
  detail?: string;
}

export interface AuditQuery {
  action?: string;
  actor?: string;
  target?: string;
  before?: Date;
  limit?: number;
}

/**
 * The audit trail. Append and read only: there is deliberately no update or delete here, and no route writes to it
 * except through `record`, so the console cannot edit history.
 */
export class AuditLog {
  constructor(
    private readonly models: AccessModels,
    private readonly clock: () => Date,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.models.Audit.insertMany([
      {
        at: this.clock(),
        actor: entry.actor,
        action: entry.action,
        outcome: entry.outcome ?? 'ok',
        ...(entry.target ? { target: entry.target } : {}),
        ...(entry.ip ? { ip: entry.ip } : {}),
        ...(entry.diff ? { diff: redact(entry.diff) } : {}),
        ...(entry.detail ? { detail: entry.detail } : {}),
      },
    ]);
  }

  async list(query: AuditQuery = {}): Promise<AuditRecord[]> {
    const filter: Record<string, unknown> = {};
    if (query.action) filter.action = query.action;
    if (query.target) filter.target = query.target;
    if (query.actor) filter['actor.name'] = query.actor;
    if (query.before) filter.at = { $lt: query.before };
    return this.models.Audit.find(filter)
      .sort({ at: -1, _id: -1 })
      .limit(Math.min(Math.max(query.limit ?? 100, 1), 500))
      .lean<AuditRecord[]>();
  }
}

/** The before/after of the fields that changed (shallow), for the audit diff. */
export function changes(before: Record<string, unknown> | undefined, after: Record<string, unknown>): Record<string, unknown> {
  const diff: Record<string, unknown> = {};
  for (const key of new Set([...Object.keys(before ?? {}), ...Object.keys(after)])) {
    const a = before?.[key];
    const b = after[key];
    if (JSON.stringify(a) !== JSON.stringify(b)) diff[key] = { from: a ?? null, to: b ?? null };
  }
  return diff;
}
