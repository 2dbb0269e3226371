import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ChannelInstance, RawRequest } from '../../adapters/types';
import type { WidgetMessage } from '../../adapters/webchat';
import { VISITOR_HEADER } from '../../adapters/webchat/parse';
import { verifyVisitorToken } from '../../adapters/webchat/token';
import { jsonNestingExceeds, RAW_MAX_DEPTH } from '../../conversations/raw-budget';
import type { MessageRecord } from '../../conversations/types';
import type { GatewayDeps } from '../deps';

const PATH = /^\/webchat\/([A-Za-z0-9_-]{1,64})\/ws$/;
/** Close code for a bad visitor token: the widget asks for a new session on it (4000-4999 are app-defined). */
export const CLOSE_BAD_TOKEN = 4401;
const MAX_FRAME_BYTES = 16 * 1024;

/**
 * The web chat transport: authenticates the visitor at connect, sends their history, turns each frame into a
 * raw request for the adapter (same verify/parse path as every webhook), and answers with an ack once stored.
 */
export function attachWebchatSocket(server: Server, deps: GatewayDeps): WebSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = PATH.exec(url.pathname);
    if (!match) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    deps.store.channels
      .get(match[1]!)
      .then((channel) => {
        if (!channel || channel.kind !== 'webchat') {
          socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => {
          void onConnection(ws, channel, url.searchParams.get('token') ?? undefined, deps.clientIp(req), deps);
        });
      })
      .catch((err) => {
        deps.log.error({ err }, 'web chat upgrade failed');
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      });
  });

  return wss;
}

async function onConnection(ws: WebSocket, channel: ChannelInstance, token: string | undefined, ip: string, deps: GatewayDeps): Promise<void> {
  const visitorId = verifyVisitorToken(channel.secrets.tokenSecret ?? '', token);
  if (!visitorId) {
    ws.close(CLOSE_BAD_TOKEN, 'invalid visitor token');
    return;
  }
  const detach = deps.hub.add(channel.id, visitorId, ws);
  ws.on('close', detach);
  ws.on('error', (err) => deps.log.debug({ err }, 'web chat socket error'));

  // Frames of one socket are handled one after another, so a visitor's messages keep their order.
  let queue = Promise.resolve();
  ws.on('message', (data, isBinary) => {
    queue = queue.then(() => onFrame(ws, channel, { visitorId, token: token!, ip }, Buffer.from(data as Buffer), isBinary, deps)).catch((err) => {
      deps.log.error({ err }, 'web chat frame failed');
      send(ws, { type: 'error', code: 'internal_error', message: 'could not store your message; please retry' });
    });
  });

  try {
    const history = await historyFor(deps, channel.id, visitorId);
    send(ws, { type: 'history', messages: history.map(toWidgetMessage) });
  } catch (err) {
    deps.log.error({ err }, 'web chat history failed');
    send(ws, { type: 'history', messages: [] });
  }
}

async function onFrame(
  ws: WebSocket,
  channel: ChannelInstance,
  { visitorId, token, ip }: { visitorId: string; token: string; ip: string },
  data: Buffer,
  isBinary: boolean,
  deps: GatewayDeps,
): Promise<void> {
  if (isBinary) {
    send(ws, { type: 'error', code: 'unsupported_frame', message: 'binary frames are not supported' });
    return;
  }
  if (jsonNestingExceeds(data, RAW_MAX_DEPTH)) {
    send(ws, { type: 'error', code: 'payload_too_deep', message: `frame nests deeper than ${RAW_MAX_DEPTH} levels` });
    return;
  }
  const raw: RawRequest = {
    method: 'WS',
    path: `/webchat/${channel.id}/ws`,
    headers: { authorization: `Bearer ${token}`, [VISITOR_HEADER]: visitorId },
    query: {},
    rawBody: data,
  };
  const adapter = deps.registry.get(channel);
  await adapter.verify(raw);
  for (const event of adapter.parse(raw)) {
    if (event.kind === 'unsupported') {
      deps.log.info({ channel: channel.id, reason: event.reason }, 'unsupported web chat frame');
      send(ws, { type: 'error', code: 'unsupported_frame', message: event.reason });
      continue;
    }
    const clientId = event.kind === 'message' || event.kind === 'action' ? event.externalId.slice(visitorId.length + 1) : undefined;
    if (clientId !== undefined) {
      // Per visitor and per address; refused frames get an answer naming the wait (the widget resends after it).
      const waits = await Promise.all([deps.limits.take('webchatMessages', visitorId), deps.limits.take('webchatMessagesPerIp', ip)]);
      const wait = Math.max(...waits.map((w) => w ?? 0));
      if (wait > 0) {
        send(ws, { type: 'error', code: 'rate_limited', id: clientId, retryAfter: wait, message: `too many messages; retry after ${wait} s` });
        continue;
      }
    }
    const result = await deps.ingestor.ingest(channel, event);
    if (result.kind !== 'message' || clientId === undefined || (event.kind !== 'message' && event.kind !== 'action')) continue;
    send(ws, { type: 'ack', id: clientId, messageId: String(result.messageId) });
    if (!result.duplicate) {
      // Other tabs of the same visitor see the message too.
      const echo: WidgetMessage = {
        id: String(result.messageId),
        clientId,
        author: 'contact',
        text: event.kind === 'message' ? (event.parts[0] as { text: string }).text : (event.title ?? event.value),
        createdAt: new Date().toISOString(),
      };
      deps.hub.push(channel.id, visitorId, { type: 'message', message: echo });
    }
  }
}

async function historyFor(deps: GatewayDeps, channelId: string, visitorId: string): Promise<MessageRecord[]> {
  const identity = await deps.store.models.Identity.findById(`${channelId}:${visitorId}`).lean();
  if (!identity) return [];
  const rows = await deps.store.models.Message.find({ contactId: identity.contactId, channelId })
    .sort({ receivedAt: -1, _id: -1 })
    .limit(100)
    .lean<MessageRecord[]>();
  return rows.reverse();
}

export function toWidgetMessage(m: MessageRecord): WidgetMessage {
  const choices = m.parts.flatMap((p) => (p.type === 'choices' ? p.choices : []));
  const clientId = m.direction === 'inbound' && m.externalId ? m.externalId.split(':').slice(1).join(':') : undefined;
  return {
    id: String(m._id),
    ...(clientId ? { clientId } : {}),
    author: m.author.kind,
    ...(m.author.name && m.author.kind === 'agent' ? { authorName: m.author.name } : {}),
    text: m.direction === 'outbound' ? m.parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('\n\n') : m.text,
    ...(choices.length ? { choices } : {}),
    ...(m.citations?.length ? { citations: m.citations.map((c) => ({ title: c.title, ...(c.url ? { url: c.url } : {}) })) } : {}),
    createdAt: m.receivedAt.toISOString(),
  };
}

function send(ws: WebSocket, frame: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
}
