import { z } from 'zod';
import type { ChannelInstance } from '../../adapters/types';

/**
 * A Slack or Teams channel instance becomes a desk when its settings name where escalations go:
 * `desk: { channel: 'C0DESK', teams: { billing: 'C0BILL' }, extra: {…} }` — `channel` for every team without its
 * own, `teams` per routing team, `extra` the surface's addressing (Teams: serviceUrl, tenantId, teamId), `agents`
 * the people allowed to use desk commands.
 */
const deskSettings = z.object({
  channel: z.string().min(1),
  teams: z.record(z.string(), z.string().min(1)).default({}),
  extra: z.record(z.string(), z.string()).default({}),
  /** Platform user ids allowed to use desk commands; absent: anyone in a desk channel (being there is the access). */
  agents: z.array(z.string().min(1)).optional(),
});

export type DeskSettings = z.infer<typeof deskSettings>;

export function deskSettingsOf(channel: ChannelInstance): DeskSettings | undefined {
  if (channel.kind !== 'slack' && channel.kind !== 'teams') return undefined;
  const parsed = deskSettings.safeParse(channel.settings.desk);
  return parsed.success ? parsed.data : undefined;
}

/** The platform channel a team's escalations go to at this desk. */
export function deskChannelFor(settings: DeskSettings, team: string | undefined): string {
  return (team && settings.teams[team]) || settings.channel;
}

/** Every platform channel of this desk (commands typed there are for the desk, not customer questions). */
export function deskChannels(settings: DeskSettings): Set<string> {
  return new Set([settings.channel, ...Object.values(settings.teams)]);
}
