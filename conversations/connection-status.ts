import { Schema, type Connection, type Model } from 'mongoose';

/**
 * What a stateful connection's holder last reported (today: a WhatsApp Web session's state and QR), so that any
 * gateway process can show it: the admin's QR page may be served by a process that does not hold the session.
 */
export interface ConnectionStatusRecord {
  /** The channel id. */
  _id: string;
  state: string;
  qr?: string;
  account?: string;
  detail?: string;
  /** The process that reported it (the lease owner). */
  owner: string;
  updatedAt: Date;
}

const connectionStatusSchema = new Schema<ConnectionStatusRecord>(
  {
    _id: { type: String, required: true },
    state: { type: String, required: true },
    qr: String,
    account: String,
    detail: String,
    owner: { type: String, required: true },
    updatedAt: { type: Date, required: true },
  },
  { versionKey: false },
);

export function createConnectionStatusModel(connection: Connection): Model<ConnectionStatusRecord> {
  return connection.model<ConnectionStatusRecord>('ConnectionStatus', connectionStatusSchema, 'connection_status');
}

export interface ConnectionStatusInput {
  state: string;
  qr?: string;
  account?: string;
  detail?: string;
}

export class ConnectionStatusRepository {
  constructor(
    private readonly Status: Model<ConnectionStatusRecord>,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Replaces the channel's status. A `stopped` report only lands while the reporter is still the recorded owner:
   * a holder that lost its lease must not overwrite the QR its successor is showing.
   */
  async report(channelId: string, owner: string, status: ConnectionStatusInput): Promise<void> {
    const doc = { _id: channelId, owner, updatedAt: this.clock(), ...status };
    if (status.state === 'stopped') {
      await this.Status.replaceOne({ _id: channelId, owner }, doc);
      return;
    }
    await this.Status.replaceOne({ _id: channelId }, doc, { upsert: true });
  }

  get(channelId: string): Promise<ConnectionStatusRecord | null> {
    return this.Status.findById(channelId).lean<ConnectionStatusRecord>();
  }
}
