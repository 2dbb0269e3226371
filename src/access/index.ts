import type { Connection } from 'mongoose';
import { AuditLog } from './audit';
import { createAccessModels, type AccessModels } from './models';
import { SessionRepository, type SessionPolicy } from './sessions';
import { TokenRepository } from './tokens';
import { UserRepository } from './users';

/** People and their access: users, sessions, tokens, the audit trail, presence. */
export interface Access {
  models: AccessModels;
  users: UserRepository;
  sessions: SessionRepository;
  tokens: TokenRepository;
  audit: AuditLog;
}

export async function openAccess(connection: Connection, policy: SessionPolicy, clock: () => Date): Promise<Access> {
  const models = createAccessModels(connection);
  await Promise.all(Object.values(models).map((m) => m.init()));
  return {
    models,
    users: new UserRepository(models),
    sessions: new SessionRepository(models, policy),
    tokens: new TokenRepository(models),
    audit: new AuditLog(models, clock),
  };
}

export type { Permission, Role } from './roles';
