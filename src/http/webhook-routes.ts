import { isUtf8 } from 'node:buffer';
import { Router, type Request, type Response } from 'express';
import type { ChannelInstance, RawResponse } from '../../adapters/types';
import type { GatewayDeps } from '../deps';
import { HttpError, httpStatusOf } from './errors';
import { assertEventCount, assertJsonDepth } from './payload-budget';
import { rawBody, toRawRequest } from './raw-body';

/**
 * The one webhook endpoint every platform channel uses: `/webhooks/<channel id>`. Handshake, then verify (401),
 * then parse and persist every event, then 200. Unknown payloads are acknowledged and logged so the platform
 * does not retry them for a day.
 */
export function webhookRoutes(deps: GatewayDeps): Router {
  const router = Router();

  async function channelFor(req: Request): Promise<ChannelInstance> {
    const id = String(req.params.channelId);
    const channel = await deps.store.channels.get(id);
    // The API and web chat channels have their own endpoints (bearer keys, sockets); everything else lands here.
    if (!channel || channel.kind === 'api' || channel.kind === 'webchat' || !deps.registry.supports(channel.kind)) {
      throw new HttpError(404, 'unknown_channel', `no channel "${id}" is configured`);
    }
    return channel;
  }

  /** How one request ended, for `switchboard_webhook_requests_total`; `seen` is set once the channel is known. */
  const handle = async (req: Request, res: Response, seen: { channel?: ChannelInstance }): Promise<'accepted' | 'duplicate' | 'handshake'> => {
    const channel = await channelFor(req);
    seen.channel = channel;
    const adapter = deps.registry.get(channel);
    const raw = toRawRequest(req);
    const handshake = adapter.handshake?.(raw);
    if (handshake) {
      res.status(handshake.status).set(handshake.headers ?? {});
      if (typeof handshake.body === 'string') res.send(handshake.body);
      else res.json(handshake.body);
      return 'handshake';
    }
    await adapter.verify(raw);
    // Every platform posts UTF-8 (JSON or a form). Bytes that are not cannot be decoded without replacing some of
    // them, and a message stored that way is not the one that was sent: refused before anything is parsed or stored.
    if (!isUtf8(raw.rawBody)) throw new HttpError(400, 'invalid_encoding', 'body is not valid UTF-8');
    assertJsonDepth(raw.rawBody);
    const events = adapter.parse(raw);
    assertEventCount(events.length, deps.maxWebhookEvents);
    let stored = 0;
    let duplicates = 0;
    let answer: RawResponse | undefined;
    for (const event of events) {
      // Agents' events (a reply in an escalation thread, a card button, /switchboard) go to the desk, the rest to ingest.
      const result = await deps.inbound.ingest(channel, event);
      if (result.kind === 'desk') answer ??= result.response;
      if (result.kind === 'message' && !result.duplicate) stored += 1;
      if (result.kind === 'message' && result.duplicate) duplicates += 1;
    }
    // A platform's redelivery: every message in it was stored before.
    const outcome = duplicates > 0 && stored === 0 ? 'duplicate' : 'accepted';
    if (answer) {
      res.status(answer.status).set(answer.headers ?? {});
      if (typeof answer.body === 'string') res.send(answer.body);
      else res.json(answer.body);
      return outcome;
    }
    res.status(200).json(adapter.ackBody?.(events) ?? { ok: true, events: events.length, stored });
    return outcome;
  };

  const counted = async (req: Request, res: Response) => {
    const seen: { channel?: ChannelInstance } = {};
    // An unknown channel id is whatever the caller typed: never a label value (unbounded series).
    const labels = () => ({ channel_kind: seen.channel?.kind ?? 'unknown', channel_id: seen.channel?.id ?? 'unknown' });
    try {
      deps.metrics.webhookRequests.inc({ ...labels(), outcome: await handle(req, res, seen) });
    } catch (err) {
      const status = httpStatusOf(err);
      deps.metrics.webhookRequests.inc({ ...labels(), outcome: status === 401 ? 'rejected' : status < 500 ? 'invalid' : 'error' });
      throw err;
    }
  };

  router.get('/webhooks/:channelId', counted);
  router.post('/webhooks/:channelId', rawBody(deps.maxBodyBytes), counted);
  return router;
}
