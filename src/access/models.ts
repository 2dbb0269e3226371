import { Schema, type Connection, type Model, type Types } from 'mongoose';
import type { Role } from './roles';

/** A person who signs in to the console. `email` is stored lower-cased (the stand-in has no collation). */
export interface UserRecord {
  _id: Types.ObjectId;
  email: string;
  name: string;
  role: Role;
  /** Teams from routing.yaml this person works in: the inbox's "team" view and reassignment targets. */
  teams: string[];
  passwordHash: string;
  passwordSetAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/** A signed-in browser. `_id` is sha256 of the cookie's secret: the store never holds a usable session. */
export interface SessionRecord {
  _id: string;
  userId: Types.ObjectId;
  /** Sent back by the console's scripts in `x-csrf-token` on every write; another site cannot read it. */
  csrf: string;
  createdAt: Date;
  lastSeenAt: Date;
  /** Absolute end, whatever the activity. */
  expiresAt: Date;
  ip?: string;
  userAgent?: string;
}

/** A personal API token for scripts: hashed like sessions, scoped to a role no higher than its owner's. */
export interface ApiTokenRecord {
  _id: string;
  userId: Types.ObjectId;
  name: string;
  role: Role;
  /** The first characters, so a list can tell tokens apart without showing them. */
  hint: string;
  createdAt: Date;
  lastUsedAt?: Date;
  revokedAt?: Date;
}

/** The one-time link that creates the first owner on an empty store. */
export interface SetupTokenRecord {
  _id: string;
  expiresAt: Date;
  usedAt?: Date;
  createdAt: Date;
}

export type ActorKind = 'user' | 'api_token' | 'admin_token' | 'cli' | 'anonymous' | 'setup_link';

/** One administrative act, as it happened. Written once; the code has no update or delete for it. */
export interface AuditRecord {
  _id: Types.ObjectId;
  at: Date;
  actor: { kind: ActorKind; id?: string; name?: string };
  action: string;
  outcome: 'ok' | 'refused';
  target?: string;
  ip?: string;
  /** Before/after of what changed, secrets replaced by "[redacted]". */
  diff?: Record<string, unknown>;
  detail?: string;
}

/** Who has a conversation open in the console right now, and who is typing: the colleague indicators. */
export interface PresenceRecord {
  _id: string;
  conversationId: Types.ObjectId;
  userId: string;
  name: string;
  seenAt: Date;
  typingUntil?: Date;
}

const userSchema = new Schema<UserRecord>(
  {
    email: { type: String, required: true },
    name: { type: String, required: true },
    role: { type: String, required: true },
    teams: { type: [String], default: [] },
    passwordHash: { type: String, required: true },
    passwordSetAt: { type: Date, required: true },
  },
  { timestamps: true, versionKey: false },
);
userSchema.index({ email: 1 }, { unique: true });

const sessionSchema = new Schema<SessionRecord>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    csrf: { type: String, required: true },
    lastSeenAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    ip: String,
    userAgent: String,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
sessionSchema.index({ userId: 1 });

const apiTokenSchema = new Schema<ApiTokenRecord>(
  {
    _id: { type: String, required: true },
    userId: { type: Schema.Types.ObjectId, required: true },
    name: { type: String, required: true },
    role: { type: String, required: true },
    hint: { type: String, required: true },
    lastUsedAt: Date,
    revokedAt: Date,
  },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);
apiTokenSchema.index({ userId: 1 });

const setupTokenSchema = new Schema<SetupTokenRecord>(
  { _id: { type: String, required: true }, expiresAt: { type: Date, required: true }, usedAt: Date },
  { timestamps: { createdAt: true, updatedAt: false }, versionKey: false },
);

const auditSchema = new Schema<AuditRecord>(
  {
    at: { type: Date, required: true },
    actor: { _id: false, type: { kind: { type: String, required: true }, id: String, name: String } },
    action: { type: String, required: true },
    outcome: { type: String, required: true },
    target: String,
    ip: String,
    diff: Schema.Types.Mixed,
    detail: String,
  },
  { versionKey: false },
);
auditSchema.index({ at: -1 });

const presenceSchema = new Schema<PresenceRecord>(
  {
    _id: { type: String, required: true },
    conversationId: { type: Schema.Types.ObjectId, required: true },
    userId: { type: String, required: true },
    name: { type: String, required: true },
    seenAt: { type: Date, required: true },
    typingUntil: Date,
  },
  { versionKey: false },
);
presenceSchema.index({ conversationId: 1 });

export interface AccessModels {
  User: Model<UserRecord>;
  Session: Model<SessionRecord>;
  ApiToken: Model<ApiTokenRecord>;
  SetupToken: Model<SetupTokenRecord>;
  Audit: Model<AuditRecord>;
  Presence: Model<PresenceRecord>;
}

export function createAccessModels(connection: Connection): AccessModels {
  const model = <T>(name: string, schema: Schema<T>, collection: string): Model<T> =>
    (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema, collection);
  return {
    User: model('User', userSchema, 'users'),
    Session: model('ConsoleSession', sessionSchema, 'console_sessions'),
    ApiToken: model('ApiToken', apiTokenSchema, 'api_tokens'),
    SetupToken: model('SetupToken', setupTokenSchema, 'setup_tokens'),
    Audit: model('AuditEvent', auditSchema, 'audit_log'),
    Presence: model('ConsolePresence', presenceSchema, 'console_presence'),
  };
}
