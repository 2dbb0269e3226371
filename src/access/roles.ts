/**
 * Who may do what in the console and the admin routes. Every route names one permission (src/http/console/route-table.ts);
 * roles are fixed bundles of them, so a reviewer reads the whole policy on one screen.
 */
export const PERMISSIONS = [
  'inbox:read',
  'inbox:write',
  'knowledge:read',
  'knowledge:write',
  'channels:read',
  'channels:write',
  'routing:read',
  'routing:write',
  'users:manage',
  'audit:read',
  'reports:read',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES = ['owner', 'admin', 'agent', 'analyst'] as const;
export type Role = (typeof ROLES)[number];

const ALL: readonly Permission[] = PERMISSIONS;

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: ALL,
  admin: ALL,
  // Agents work conversations and read the knowledge they answer from; configuration is not theirs.
  agent: ['inbox:read', 'inbox:write', 'knowledge:read'],
  // Analysts see everything a support lead reviews, change nothing, and do not read the audit trail of people.
  analyst: ['inbox:read', 'knowledge:read', 'channels:read', 'routing:read', 'reports:read'],
};

export function can(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The role that may do less of the two: a token never does more than its owner may do today. */
export function lesserRole(a: Role, b: Role): Role {
  return ROLES.indexOf(a) >= ROLES.indexOf(b) ? a : b;
}

/** Owners are admins who may also manage other owners; only an owner makes or unmakes an owner. */
export function mayAssignRole(actor: Role, target: Role): boolean {
  if (!can(actor, 'users:manage')) return false;
  return target !== 'owner' || actor === 'owner';
}
