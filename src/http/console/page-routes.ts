import { usesWhatsAppWeb } from '../../../adapters/whatsapp-web';
import escapeHtml from 'escape-html';
import { qrSvg } from '../../connections/qr';
import { HttpError } from '../errors';
import { consoleBundle } from './bundle';
import type { ConsoleDeps } from './deps';
import type { RouteGuard, RouteSpec } from './route-table';

/** Every console page is the same small shell; the browser code draws the page its path names. */
const SHELL = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Switchboard</title><link rel="stylesheet" href="/console/assets/app.css"></head>
<body><div id="app"><noscript>The Switchboard console needs JavaScript.</noscript></div><script type="module" src="/console/assets/app.js"></script></body></html>`;

const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

const PAGES: Array<{ path: string; permission: RouteGuard }> = [
  { path: '/console/sign-in', permission: 'public' },
  { path: '/console/setup', permission: 'public' },
  { path: '/console/inbox', permission: 'inbox:read' },
  { path: '/console/conversations/:id', permission: 'inbox:read' },
  { path: '/console/channels', permission: 'channels:read' },
  { path: '/console/knowledge', permission: 'knowledge:read' },
  { path: '/console/routing', permission: 'routing:read' },
  { path: '/console/users', permission: 'users:manage' },
  { path: '/console/audit', permission: 'audit:read' },
  { path: '/console/reports', permission: 'reports:read' },
  { path: '/console/account', permission: 'signed-in' },
];

export function pageRoutes(deps: ConsoleDeps): RouteSpec[] {
  const shell: RouteSpec['handler'] = ({ res }) => {
    res.set('content-security-policy', CSP).set('x-frame-options', 'DENY').set('referrer-policy', 'same-origin').type('html').send(SHELL);
  };
  return [
    {
      method: 'get',
      path: '/console',
      permission: 'signed-in',
      surface: 'page',
      handler: ({ res, principal }) => {
        res.redirect(302, principal?.permissions.includes('inbox:read') ? '/console/inbox' : '/console/account');
      },
    },
    ...PAGES.map((p): RouteSpec => ({ method: 'get', path: p.path, permission: p.permission, surface: 'page', handler: shell })),
    {
      method: 'get',
      path: '/console/assets/app.js',
      permission: 'public',
      surface: 'page',
      handler: async ({ res }) => {
        res.set('cache-control', 'no-cache').type('js').send((await consoleBundle()).js);
      },
    },
    {
      method: 'get',
      path: '/console/assets/app.css',
      permission: 'public',
      surface: 'page',
      handler: async ({ res }) => {
        res.set('cache-control', 'no-cache').type('css').send((await consoleBundle()).css);
      },
    },
    {
      method: 'get',
      path: '/console/assets/:chunk',
      permission: 'public',
      surface: 'page',
      handler: async ({ req, res }) => {
        const chunk = (await consoleBundle()).chunks.get(String(req.params.chunk));
        if (!chunk) throw new HttpError(404, 'not_found', 'no such console asset');
        // Named by their content hash: a chunk never changes under its name.
        res.set('cache-control', 'public, max-age=31536000, immutable').type('js').send(chunk);
      },
    },
    whatsappWebPage(deps),
  ];
}

/**
 * A WhatsApp Web channel's login QR and session state, served by any gateway process (the holder of the session
 * stores both in MongoDB). The HTML page refreshes itself, so it follows the QR WhatsApp rotates every ~20 s.
 */
function whatsappWebPage(deps: ConsoleDeps): RouteSpec {
  return {
    method: 'get',
    path: '/admin/channels/:id/whatsapp-web',
    permission: 'channels:read',
    surface: 'admin',
    handler: async ({ req, res }) => {
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
      res.type('html').send(qrPage(view, qr ? await qrSvg(qr) : undefined));
    },
  };
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

function qrPage(view: { channelId: string; state: string; account?: string; detail?: string; updatedAt?: string }, svg: string | undefined): string {
  const line = (label: string, value: string | undefined) => (value ? `<p><b>${label}:</b> ${escapeHtml(value)}</p>` : '');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="5">
<title>WhatsApp Web · ${escapeHtml(view.channelId)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}svg{display:block;margin:1rem 0}</style></head>
<body><h1>WhatsApp Web: ${escapeHtml(view.channelId)}</h1>
<p>${escapeHtml(STATE_TEXT[view.state] ?? view.state)}</p>${svg ?? ''}
${line('Linked number', view.account ? `+${view.account}` : undefined)}${line('Detail', view.detail)}${line('Updated', view.updatedAt)}
</body></html>`;
}
