import type { ChannelAdapter, ChannelInstance, ChannelKind } from './types';

export type AdapterFactory = (channel: ChannelInstance) => ChannelAdapter;

/**
 * Maps a configured channel instance to its adapter. Adapters are cached per channel; a changed configuration
 * (new secrets, new settings) builds a fresh one, so admins' edits take effect without a restart.
 */
export class AdapterRegistry {
  private readonly cache = new Map<string, { fingerprint: string; adapter: ChannelAdapter }>();

  constructor(private readonly factories: Partial<Record<ChannelKind, AdapterFactory>>) {}

  supports(kind: ChannelKind): boolean {
    return this.factories[kind] !== undefined;
  }

  get(channel: ChannelInstance): ChannelAdapter {
    const fingerprint = JSON.stringify([channel.kind, channel.settings, channel.secrets]);
    const cached = this.cache.get(channel.id);
    if (cached && cached.fingerprint === fingerprint) return cached.adapter;
    const factory = this.factories[channel.kind];
    if (!factory) throw new Error(`No adapter for channel kind "${channel.kind}"`);
    const adapter = factory(channel);
    this.cache.set(channel.id, { fingerprint, adapter });
    return adapter;
  }
}
