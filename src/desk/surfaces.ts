import type { DeskSurface } from '../../adapters/desk';
import type { ChannelInstance } from '../../adapters/types';

export type DeskSurfaceFactory = (channel: ChannelInstance) => DeskSurface;

/** Desk surfaces per channel instance, rebuilt when the channel's settings or secrets change (like adapters). */
export class DeskSurfaces {
  private readonly cache = new Map<string, { fingerprint: string; surface: DeskSurface }>();

  constructor(private readonly factories: Partial<Record<'slack' | 'teams', DeskSurfaceFactory>>) {}

  get(channel: ChannelInstance): DeskSurface {
    const fingerprint = JSON.stringify([channel.kind, channel.settings, channel.secrets]);
    const cached = this.cache.get(channel.id);
    if (cached && cached.fingerprint === fingerprint) return cached.surface;
    const factory = channel.kind === 'slack' || channel.kind === 'teams' ? this.factories[channel.kind] : undefined;
    if (!factory) throw new Error(`No desk surface for channel kind "${channel.kind}"`);
    const surface = factory(channel);
    this.cache.set(channel.id, { fingerprint, surface });
    return surface;
  }
}
