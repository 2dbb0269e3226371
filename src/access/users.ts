import { Types } from 'mongoose';
import type { AccessModels, UserRecord } from './models';
import { isRole, type Role } from './roles';
import { hashPassword, passwordProblem, verifyPassword } from './secrets-hash';

/** What the console and the CLI show of a user: never the hash. */
export interface UserView {
  id: string;
  email: string;
  name: string;
  role: Role;
  teams: string[];
  createdAt: string;
}

export class UserInputError extends Error {}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Why an account with these could not be made (the same checks `create` applies), or undefined. */
export function newUserProblem(email: string, password: string): string | undefined {
  if (!EMAIL.test(email.trim().toLowerCase())) return `"${email}" is not an email address`;
  return passwordProblem(password);
}

export function toUserView(user: UserRecord): UserView {
  return { id: String(user._id), email: user.email, name: user.name, role: user.role, teams: user.teams, createdAt: user.createdAt.toISOString() };
}

/**
 * A password hash that verifies nothing: signing in as an unknown address costs the same argon2 work as a wrong
 * password, so response times do not tell which addresses have accounts.
 */
let decoyHash: Promise<string> | undefined;

export class UserRepository {
  constructor(private readonly models: AccessModels) {}

  async count(): Promise<number> {
    return this.models.User.countDocuments({});
  }

  async list(): Promise<UserRecord[]> {
    return this.models.User.find({}).sort({ email: 1 }).lean<UserRecord[]>();
  }

  async get(id: string | Types.ObjectId): Promise<UserRecord | null> {
    if (typeof id === 'string' && !Types.ObjectId.isValid(id)) return null;
    return this.models.User.findById(id).lean<UserRecord>();
  }

  async byEmail(email: string): Promise<UserRecord | null> {
    return this.models.User.findOne({ email: email.trim().toLowerCase() }).lean<UserRecord>();
  }

  async create(input: { email: string; name: string; role: string; password: string; teams?: string[] }, now: Date): Promise<UserRecord> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new UserInputError(`"${input.email}" is not an email address`);
    if (!isRole(input.role)) throw new UserInputError(`role must be owner, admin, agent or analyst, not "${input.role}"`);
    const name = input.name.trim() || email.split('@')[0]!;
    const problem = passwordProblem(input.password);
    if (problem) throw new UserInputError(problem);
    if (await this.byEmail(email)) throw new UserInputError(`a user ${email} already exists`);
    const [created] = await this.models.User.insertMany([
      { email, name, role: input.role, teams: input.teams ?? [], passwordHash: await hashPassword(input.password), passwordSetAt: now },
    ]).catch((err: { code?: number }) => {
      if (err.code === 11000) throw new UserInputError(`a user ${email} already exists`);
      throw err;
    });
    return created!.toObject() as UserRecord;
  }

  /** Resolves with the user when the password is theirs; the same work is done for unknown addresses. */
  async authenticate(email: string, password: string): Promise<UserRecord | null> {
    const user = await this.byEmail(email);
    if (!user) {
      decoyHash ??= hashPassword('decoy password that no account has');
      await verifyPassword(await decoyHash, password);
      return null;
    }
    return (await verifyPassword(user.passwordHash, password)) ? user : null;
  }

  async update(id: Types.ObjectId, patch: { name?: string; role?: Role; teams?: string[] }): Promise<UserRecord | null> {
    return this.models.User.findByIdAndUpdate(id, { $set: patch }, { new: true }).lean<UserRecord>();
  }

  async setPassword(id: Types.ObjectId, password: string, now: Date): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new UserInputError(problem);
    await this.models.User.updateOne({ _id: id }, { $set: { passwordHash: await hashPassword(password), passwordSetAt: now } });
  }

  async remove(id: Types.ObjectId): Promise<boolean> {
    return (await this.models.User.deleteOne({ _id: id })).deletedCount === 1;
  }

  async countOwners(): Promise<number> {
    return this.models.User.countDocuments({ role: 'owner' });
  }
}
