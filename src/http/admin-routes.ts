import escapeHtml from 'escape-html';
import { Router, type Request, type RequestHandler } from 'express';
import { safeEqual } from '../../adapters/crypto';
import { usesWhatsAppWeb } from '../../adapters/whatsapp-web';
import { qrSvg } from '../connections/qr';
import type { GatewayDeps } from '../deps';
import { HttpError } from './errors';
import { enforce, FailedSignIns, type RateLimits } from './rate-limits';

/**
 * Admin pages. Today one: a WhatsApp Web channel's login QR and session state, served by any gateway process (the
 * holder of the session stores both in MongoDB). The HTML page refreshes itself, so it follows the QR WhatsApp
 * rotates every ~20 s and shows "linked" once the phone scanned it.
 */
export function adminRoutes(deps: GatewayDeps): Router {
  const router = Router();
  router.use('/admin', adminIpLimit(deps.limits), requireAdmin(deps.adminToken, deps.limits));

  router.get('/admin/channels/:id/whatsapp-web', async (req, res) => {
    const channelId = String(req.params.id);
    const channel = await deps.store.channels.get(channelId);
    if (!channel || !usesWhatsAppWeb(channel)) throw new HttpError(404, 'channel_not_found', `no WhatsApp Web channel "${channelId}"`);
    const status = await deps.store.connectionStatus.get(channelId);
    const view = {
      channelId,
      state: status?.state ?? 'waiting',
      ...(status?.account ? { account: status.account } : {}),
      ...(status?.detail ? { detail: status.detail } : {}),
      ...(status?.updatedAt ? { updatedAt: status.updatedAt.toISOString() } : {}),
    };
    res.set('cache-control', 'no-store');
    const format = String(req.query.format ?? 'html');
    const qr = status?.state === 'qr' ? status.qr : undefined;
    if (format === 'json') {
      res.json({ ...view, ...(qr ? { qr } : {}) });
      return;
    }
    if (format === 'svg') {
      if (!qr) throw new HttpError(404, 'no_qr', `channel "${channelId}" is ${view.state}: there is no QR to scan`);
      res.type('image/svg+xml').send(await qrSvg(qr));
      return;
    }
    if (format !== 'html') throw new HttpError(400, 'bad_format', 'format must be html, json or svg');
    res.set('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(page(view, qr ? await qrSvg(qr) : undefined));
  });

  return router;
}

function adminIpLimit(limits: RateLimits): RequestHandler {
  return (req, _res, next) => {
    enforce(limits, 'admin', req.ip ?? 'unknown', 'admin requests from this address').then(() => next(), next);
  };
}

function requireAdmin(token: string | undefined, limits: RateLimits): RequestHandler {
  const guard = new FailedSignIns(limits, 'adminAuthFailures', 'failed admin sign-ins from this address');
  return (req, res, next) => {
    if (!token) {
      next(new HttpError(404, 'admin_disabled', 'admin pages are off: set ADMIN_TOKEN to enable them'));
      return;
    }
    const ip = req.ip ?? 'unknown';
    guard
      .check(ip, async () => {
        const given = credential(req);
        return !!given && safeEqual(given, token);
      })
      .then((ok) => {
        if (ok) return next();
        // Basic lets an admin open the page in a browser (any user name, the token as password).
        res.set('www-authenticate', 'Basic realm="Switchboard admin", charset="UTF-8"');
        next(new HttpError(401, 'unauthorized', 'admin token required (Authorization: Bearer <ADMIN_TOKEN>, or Basic with it as the password)'));
      }, next);
  };
}

function credential(req: Request): string | undefined {
  const header = req.headers.authorization ?? '';
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (bearer) return bearer;
  const basic = /^Basic\s+(\S+)\s*$/i.exec(header)?.[1];
  if (!basic) return undefined;
  const decoded = Buffer.from(basic, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

const STATE_TEXT: Record<string, string> = {
  waiting: 'Waiting for a gateway process to open the session…',
  starting: 'Starting the browser and WhatsApp Web…',
  qr: 'Scan this code with the phone: WhatsApp → Settings → Linked devices → Link a device.',
  authenticated: 'Scanned. Loading the chats…',
  ready: 'Linked. Customers can write to this number.',
  disconnected: 'Disconnected; reconnecting…',
  failed: 'The session could not start; it is retried.',
  stopped: 'Stopped (no gateway process holds the session right now).',
};

function page(view: { channelId: string; state: string; account?: string; detail?: string; updatedAt?: string }, svg: string | undefined): string {
  const line = (label: string, value: string | undefined) => (value ? `<p><b>${label}:</b> ${escapeHtml(value)}</p>` : '');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>WhatsApp Web · ${escapeHtml(view.channelId)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}svg{display:block;margin:1rem 0}</style></head>
<body><h1>WhatsApp Web: ${escapeHtml(view.channelId)}</h1>
<p>${escapeHtml(STATE_TEXT[view.state] ?? view.state)}</p>${svg ?? ''}
${line('Linked number', view.account ? `+${view.account}` : undefined)}${line('Detail', view.detail)}${line('Updated', view.updatedAt)}
</body></html>`;
}
