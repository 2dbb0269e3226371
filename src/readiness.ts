import type { ChannelInstance, ChannelKind } from '../adapters/types';
import type { LeaseRepository } from '../conversations/leases';
import { connectionLeaseName } from './connections/host';

export interface ReadinessSources {
  /** Whether `startWorkers` was called. */
  workersStarted: () => boolean;
  /** The worker loops of this process, by name, and whether each still runs. */
  loops: () => { name: string; running: boolean }[];
  /** The enabled channels that need a stateful connection (ConnectionHost.required). */
  requiredConnections: () => Promise<ChannelInstance[]>;
  leases: Pick<LeaseRepository, 'holder'>;
  clock: () => Date;
}

export type ReadinessReport = {
  ready: boolean;
  workers: { ready: true } | { ready: false; reason: string };
  connections: { ready: boolean; unheld: { channelId: string; kind: ChannelKind }[] };
};

/**
 * Readiness beyond the store (which `/ready` checks first): this process's workers run, and every configured
 * stateful connection is open somewhere in the cluster. Connections are judged from the lease rows in MongoDB,
 * not from this process's view, so every process gives the same answer about them.
 */
export async function checkReadiness(sources: ReadinessSources): Promise<ReadinessReport> {
  const workers = workersState(sources);
  const now = sources.clock();
  const unheld = (await connectionsNotUp(await sources.requiredConnections(), sources.leases, now)).map((channel) => ({ channelId: channel.id, kind: channel.kind }));
  const connections = { ready: unheld.length === 0, unheld };
  return { ready: workers.ready && connections.ready, workers, connections };
}

function workersState(sources: ReadinessSources): ReadinessReport['workers'] {
  if (!sources.workersStarted()) return { ready: false, reason: 'workers were not started in this process' };
  const stopped = sources.loops().filter((loop) => !loop.running).map((loop) => loop.name);
  if (stopped.length) return { ready: false, reason: `worker loops not running: ${stopped.join(', ')}` };
  return { ready: true };
}

/**
 * The channels among `required` that no process holds with its session up, from the lease rows (so every process
 * gives the same answer): a holder still starting its connection, or whose session dropped, counts as not up.
 * `/ready` and the channel-down alert both ask this.
 */
export async function connectionsNotUp(required: ChannelInstance[], leases: Pick<LeaseRepository, 'holder'>, now: Date): Promise<ChannelInstance[]> {
  const holders = await Promise.all(required.map((channel) => leases.holder(connectionLeaseName(channel.id, channel.kind), now)));
  return required.filter((_channel, i) => !holders[i]?.up);
}
