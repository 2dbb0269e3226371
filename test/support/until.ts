import type { EventEmitter } from 'node:events';
import type { TestGateway } from './gateway';

const EVENTS = ['sent', 'failed', 'retry', 'processed', 'queued', 'ingested', 'reply', 'request', 'done'];

/**
 * Re-checks `check` each time a worker of the gateway reports progress, until it returns a value.
 * Listeners are attached before each check, so an event between the check and the wait cannot be missed.
 */
export async function until<T>(
  t: TestGateway | TestGateway[],
  check: () => Promise<T | undefined | null | false>,
  /** Further sources of progress, e.g. a peer that receives the replies. */
  extra: EventEmitter[] = [],
): Promise<T> {
  const gateways = Array.isArray(t) ? t : [t];
  const emitters: EventEmitter[] = [
    ...gateways.flatMap((g) => [...g.gateway.processors, ...g.gateway.deliverers, g.gateway.deps.ingestor, g.gateway.deskDeliverer]),
    ...extra,
  ];
  for (;;) {
    let detach = () => {};
    const progress = new Promise<void>((resolve) => {
      const onEvent = () => resolve();
      for (const e of emitters) for (const name of EVENTS) e.on(name, onEvent);
      detach = () => {
        for (const e of emitters) for (const name of EVENTS) e.off(name, onEvent);
      };
    });
    try {
      const value = await check();
      if (value) return value;
      await progress;
    } finally {
      detach();
    }
  }
}
