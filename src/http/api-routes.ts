import { Router, type Request } from 'express';
import { Types } from 'mongoose';
import type { ChannelInstance } from '../../adapters/types';
import type { MessageRecord } from '../../conversations/types';
import type { GatewayDeps } from '../deps';
import { LRUCache } from 'lru-cache';
import { HttpError } from './errors';
import { assertJsonDepth } from './payload-budget';
import { enforce } from './rate-limits';
import { rawBody, requireJson, toRawRequest } from './raw-body';

/** The HTTP API channel: `POST /api/v1/messages` in, replies to the callback URL or read back with GET. */
export function apiRoutes(deps: GatewayDeps): Router {
  const router = Router();
  // Integrators send bursts with one key: remember the key's channel briefly instead of reading it per request.
  // Only found channels are cached; a revoked key stops working within the TTL.
  const byKey = new LRUCache<string, ChannelInstance>({ max: 1_000, ttl: 5_000 });

  async function channelFor(req: Request): Promise<ChannelInstance> {
    const key = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!key) throw new HttpError(401, 'unauthorized', 'missing API key (expected "Authorization: Bearer <api key>")');
    let channel = byKey.get(key);
    if (!channel) {
      channel = await deps.store.channels.findByApiKey(key);
      if (channel) byKey.set(key, channel);
    }
    if (!channel || channel.kind !== 'api') throw new HttpError(401, 'unauthorized', 'invalid API key');
    // One key per API channel: its id names the key without keeping the key itself in the limiter's store.
    await enforce(deps.limits, 'api', channel.id, 'requests for this API key');
    return channel;
  }

  router.post('/api/v1/messages', rawBody(deps.maxBodyBytes), async (req, res) => {
    const channel = await channelFor(req);
    requireJson(req);
    const raw = toRawRequest(req);
    const adapter = deps.registry.get(channel);
    await adapter.verify(raw);
    assertJsonDepth(raw.rawBody);
    const [event] = adapter.parse(raw);
    if (!event || event.kind === 'unsupported') {
      throw new HttpError(400, 'invalid_body', event?.reason ?? 'empty body');
    }
    const result = await deps.ingestor.ingest(channel, event);
    if (result.kind !== 'message') throw new HttpError(400, 'invalid_body', 'not a message');
    res.status(202).json({
      conversationId: String(result.conversationId),
      messageId: String(result.messageId),
      duplicate: result.duplicate,
    });
  });

  router.get('/api/v1/conversations/:id/messages', async (req, res) => {
    const channel = await channelFor(req);
    const id = String(req.params.id);
    const conversation = Types.ObjectId.isValid(id) ? await deps.store.conversations.get(id) : null;
    if (!conversation || conversation.channelId !== channel.id) {
      throw new HttpError(404, 'conversation_not_found', `no conversation ${id} on this channel`);
    }
    const limit = Math.min(Math.max(Number(req.query.limit ?? 100) || 100, 1), 500);
    const messages = await deps.store.messages.history(conversation._id, limit);
    res.json({
      conversationId: String(conversation._id),
      status: conversation.status,
      ...(conversation.escalationReason ? { escalationReason: conversation.escalationReason } : {}),
      messages: messages.map(publicMessage),
    });
  });

  return router;
}

function publicMessage(m: MessageRecord) {
  return {
    id: String(m._id),
    direction: m.direction,
    author: m.author,
    text: m.text,
    parts: m.parts,
    citations: m.citations ?? [],
    ...(m.externalId && m.direction === 'inbound' ? { clientMessageId: m.externalId } : {}),
    ...(m.delivery
      ? {
          delivery: {
            status: m.delivery.status,
            attempts: m.delivery.attempts,
            ...(m.delivery.error ? { error: { code: m.delivery.error.code, message: m.delivery.error.message } } : {}),
          },
        }
      : {}),
    createdAt: m.receivedAt.toISOString(),
  };
}
