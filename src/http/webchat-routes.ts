import cors from 'cors';
import express, { Router, type RequestHandler } from 'express';
import { join } from 'node:path';
import type { ChannelInstance } from '../../adapters/types';
import { issueVisitorToken, verifyVisitorToken } from '../../adapters/webchat/token';
import type { GatewayDeps } from '../deps';
import { HttpError } from './errors';
import { enforce } from './rate-limits';

export const WIDGET_DIR = join(__dirname, '..', '..', 'adapters', 'webchat', 'public');

export async function webchatChannel(deps: GatewayDeps, id: string): Promise<ChannelInstance> {
  const channel = await deps.store.channels.get(id);
  if (!channel || channel.kind !== 'webchat') throw new HttpError(404, 'unknown_channel', `no web chat channel "${id}"`);
  return channel;
}

/** Visitor sessions and the widget's static files (`/widget.js`, the demo page at `/`). */
export function webchatRoutes(deps: GatewayDeps): Router {
  const router = Router();
  // The widget is embedded on customers' own sites: sessions are requested cross-origin. No cookies are used
  // (the visitor token travels in the body and the socket URL), so any origin may ask.
  const crossOrigin = cors({ origin: '*', methods: ['POST'], allowedHeaders: ['content-type'], maxAge: 86_400 });
  router.options('/webchat/:channelId/sessions', crossOrigin);

  // Per client IP: a session is a signed token, cheap to ask for, so a script could mint them without end.
  const sessionLimit: RequestHandler = (req, _res, next) => {
    enforce(deps.limits, 'webchatSessions', req.ip ?? 'unknown', 'web chat sessions from this address').then(() => next(), next);
  };

  router.post('/webchat/:channelId/sessions', crossOrigin, sessionLimit, express.json({ limit: '4kb' }), async (req, res) => {
    const channel = await webchatChannel(deps, String(req.params.channelId));
    const secret = channel.secrets.tokenSecret ?? '';
    const previous = typeof req.body?.token === 'string' ? req.body.token : undefined;
    const visitorId = verifyVisitorToken(secret, previous);
    // A returning visitor keeps their id (and so their history); anyone else gets a fresh one.
    res.json(visitorId ? { visitorId, token: previous } : issueVisitorToken(secret));
  });

  router.use(express.static(WIDGET_DIR, { index: 'index.html', maxAge: '5m' }));
  return router;
}
