import { createHash } from 'node:crypto';
import type { Request, Response } from 'express';

/**
 * Live updates by long poll: the browser sends the version it shows (`?since=<etag>`); while the answer would be
 * the same, the request waits, re-reading the store every `pollMs`, and answers as soon as something changed (or
 * after `waitMs`, unchanged). Reading the store, not this process's memory, is what lets a colleague's claim on
 * another gateway process show up here: every process is stateless. Change streams would save the re-reads on a
 * replica set; the stand-in has none, and at a support team's scale a few small reads a second are nothing.
 */
export async function answerLive<T>(req: Request, res: Response, options: { pollMs: number; waitMs: number }, read: () => Promise<T>): Promise<void> {
  const since = typeof req.query.since === 'string' ? req.query.since : undefined;
  let closed = false;
  req.on('close', () => {
    closed = true;
  });
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const value = await read();
    const body = JSON.stringify(value);
    const version = createHash('sha1').update(body).digest('base64url').slice(0, 16);
    if (version !== since || Date.now() >= deadline || closed) {
      if (closed) return;
      res.type('json').send(`{"version":"${version}","data":${body}}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs));
  }
}
