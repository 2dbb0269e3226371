import type { DeskSurface } from '../desk';
import type { ChannelAdapter, ChannelInstance } from '../types';
import type * as AdapterModule from './adapter';
import type * as DeskModule from './desk';

export { teamsCapabilities } from './capabilities';

export interface TeamsAdapterDeps {
  timeoutMs: number;
  clock?: () => Date;
}

/*
 * The Agents SDK (MSAL, jwks-rsa, jose...) is loaded on first use, not when the gateway starts: a deployment
 * without a Teams channel never pays for it. It also keeps processes that cannot load it from failing at start-up:
 * jwks-rsa needs `jose`, which is ESM-only, and Jest on Node 20 cannot `require` ESM (plain Node 20.19+ can) unless
 * its config transforms jose.
 */

/** Microsoft Teams as a customer channel (Bot Framework Activity protocol). See ./adapter.ts and ./config.ts. */
export function createTeamsAdapter(channel: ChannelInstance, deps: TeamsAdapterDeps): ChannelAdapter {
  return (require('./adapter') as typeof AdapterModule).buildTeamsAdapter(channel, deps);
}

/** The desk in a Teams channel: escalations as channel threads under an Adaptive Card. See ./desk.ts. */
export function createTeamsDesk(channel: ChannelInstance, deps: TeamsAdapterDeps): DeskSurface {
  return (require('./desk') as typeof DeskModule).createTeamsDesk(channel, deps);
}
