import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';
import type { StoreChanges } from './store-changes';

/**
 * Live updates by long poll: the browser sends the version it shows (`?since=<etag>`); while the answer would be
 * the same, the request waits and answers as soon as something changed (or after `waitMs`, unchanged). It waits
 * on the store's change streams when there are any (`changes.streaming`: a replica set, Atlas), re-reading when
 * a watched collection changes, and otherwise re-reads the store every `pollMs`. Reading the store, not this
 * process's memory, is what lets a colleague's claim on another gateway process show up here: every process is
 * stateless.
 */
export async function answerLive<T>(req: Request, res: Response, options: LiveOptions, read: () => Promise<T>): Promise<void> {
  const since = typeof req.query.since === 'string' ? req.query.since : undefined;
  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    options.changes?.want();
    const changes = options.changes?.streaming ? options.changes : undefined;
    // Taken before the read: a change that lands while reading ends the wait below at once.
    const seen = changes?.version ?? 0;
    const readAt = Date.now();
    const value = await read();
    const body = JSON.stringify(value);
    const version = createHash('sha1').update(body).digest('base64url').slice(0, 16);
    if (version !== since || Date.now() >= deadline || closed) {
      if (closed) return;
      res.type('json').send(`{"version":"${version}","data":${body}}`);
      return;
    }
    if (changes) {
      // Changes elsewhere in the store wake every waiting request: a burst costs at most one re-read per MIN_GAP_MS,
      // and a re-read every STREAM_RECHECK_MS covers what no stream watches.
      await changes.wait(seen, Math.max(0, Math.min(STREAM_RECHECK_MS, deadline - Date.now())));
      const gap = MIN_GAP_MS - (Date.now() - readAt);
      if (gap > 0) await sleep(gap);
    } else {
      await sleep(options.pollMs);
    }
  }
}

export interface LiveOptions {
  pollMs: number;
  waitMs: number;
  changes?: Pick<StoreChanges, 'streaming' | 'version' | 'wait' | 'want'>;
}

const MIN_GAP_MS = 50;
const STREAM_RECHECK_MS = 5_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
