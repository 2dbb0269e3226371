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

  /** Whether an adapter for this exact configuration is already built (so its first request builds nothing). */
  has(channel: ChannelInstance): boolean {
    return this.cache.get(channel.id)?.fingerprint === JSON.stringify([channel.kind, channel.settings, channel.secrets]);
  }

  /**
   * Builds the adapters of these channels ahead of their first request. Some load a large SDK on first use (Teams'
   * Agents SDK takes a few hundred milliseconds of synchronous `require`), which would otherwise stall every request
   * in the process, /health included, when that channel's first webhook arrives. A channel whose adapter cannot be
   * built is reported and skipped: its webhooks answer with the same error they would have met anyway.
   */
  warm(channels: ChannelInstance[], onError: (channel: ChannelInstance, err: unknown) => void): number {
    let built = 0;
    for (const channel of channels) {
      if (!this.supports(channel.kind)) continue;
      try {
        this.get(channel);
        built += 1;
      } catch (err) {
        onError(channel, err);
      }
    }
    return built;
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
