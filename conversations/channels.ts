import type { ChannelInstance, ChannelKind } from '../adapters/types';
import type { Models } from './models';
import { SecretBox } from './secret-box';
import type { ChannelRecord } from './types';

export interface NewChannel {
  id: string;
  kind: ChannelKind;
  name: string;
  settings?: Record<string, unknown>;
  secrets?: Record<string, string>;
  /** For channels addressed by bearer key (the HTTP API channel): only its hash is stored. */
  apiKey?: string;
}

export class ChannelRepository {
  constructor(
    private readonly models: Models,
    private readonly box: SecretBox,
  ) {}

  /** Creates the channel, or leaves an existing one untouched (seeding is idempotent across restarts). */
  async ensure(input: NewChannel): Promise<ChannelInstance> {
    await this.models.Channel.updateOne(
      { _id: input.id },
      {
        $setOnInsert: {
          kind: input.kind,
          name: input.name,
          enabled: true,
          settings: input.settings ?? {},
          secretsEnc: this.box.seal(JSON.stringify(input.secrets ?? {})),
          ...(input.apiKey ? { apiKeyHash: SecretBox.hash(input.apiKey) } : {}),
        },
      },
      { upsert: true },
    );
    const created = await this.get(input.id);
    if (!created) throw new Error(`Channel ${input.id} vanished after upsert`);
    return created;
  }

  /** Sets settings keys (e.g. `desk` from the environment on every start), leaving the others as they are. */
  async setSettings(id: string, patch: Record<string, unknown>): Promise<void> {
    const set = Object.fromEntries(Object.entries(patch).map(([k, v]) => [`settings.${k}`, v]));
    await this.models.Channel.updateOne({ _id: id }, { $set: set });
  }

  /** Merges secrets and settings into an existing channel (admin edits); false when there is no such channel. */
  async update(id: string, patch: { name?: string; settings?: Record<string, unknown>; secrets?: Record<string, string> }): Promise<boolean> {
    const row = await this.models.Channel.findById(id).lean<ChannelRecord>();
    if (!row) return false;
    const secrets = { ...(row.secretsEnc ? (JSON.parse(this.box.open(row.secretsEnc)) as Record<string, string>) : {}), ...(patch.secrets ?? {}) };
    const set: Record<string, unknown> = Object.fromEntries(Object.entries(patch.settings ?? {}).map(([k, v]) => [`settings.${k}`, v]));
    if (patch.name) set.name = patch.name;
    if (patch.secrets) set.secretsEnc = this.box.seal(JSON.stringify(secrets));
    if (Object.keys(set).length === 0) return true;
    const res = await this.models.Channel.updateOne({ _id: id }, { $set: set });
    return res.matchedCount === 1;
  }

  async setEnabled(id: string, enabled: boolean): Promise<boolean> {
    const res = await this.models.Channel.updateOne({ _id: id }, { $set: { enabled } });
    return res.matchedCount === 1;
  }

  /** Deletes the channel's configuration; its contacts, conversations and messages stay. */
  async remove(id: string): Promise<boolean> {
    const res = await this.models.Channel.deleteOne({ _id: id });
    return res.deletedCount === 1;
  }

  /** Any channel with this id, enabled or not. */
  async exists(id: string): Promise<boolean> {
    return (await this.models.Channel.countDocuments({ _id: id })) > 0;
  }

  async get(id: string): Promise<ChannelInstance | undefined> {
    const row = await this.models.Channel.findOne({ _id: id, enabled: true }).lean<ChannelRecord>();
    return row ? this.toInstance(row) : undefined;
  }

  async findByApiKey(apiKey: string): Promise<ChannelInstance | undefined> {
    const row = await this.models.Channel.findOne({ apiKeyHash: SecretBox.hash(apiKey), enabled: true }).lean<ChannelRecord>();
    return row ? this.toInstance(row) : undefined;
  }

  async list(): Promise<Array<ChannelInstance & { enabled: boolean }>> {
    const rows = await this.models.Channel.find({}).sort({ _id: 1 }).lean<ChannelRecord[]>();
    return rows.map((r) => ({ ...this.toInstance(r), enabled: r.enabled !== false }));
  }

  /** Enabled channels (of one kind, if given): what the connection host keeps connected. */
  async listEnabled(kind?: ChannelKind): Promise<ChannelInstance[]> {
    const rows = await this.models.Channel.find({ enabled: true, ...(kind ? { kind } : {}) }).sort({ _id: 1 }).lean<ChannelRecord[]>();
    return rows.map((r) => this.toInstance(r));
  }

  private toInstance(row: ChannelRecord): ChannelInstance {
    return {
      id: row._id,
      kind: row.kind,
      name: row.name,
      settings: row.settings ?? {},
      secrets: row.secretsEnc ? (JSON.parse(this.box.open(row.secretsEnc)) as Record<string, string>) : {},
    };
  }
}
