import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Me } from '../../src/http/console/api-types';
import { api, loadMe } from './api';
import { AccountPage } from './pages/account';
import { AuditPage } from './pages/audit';
import { SetupPage, SignInPage } from './pages/auth';
import { ChannelsPage } from './pages/channels';
import { ConversationPage } from './pages/conversation';
import { InboxPage } from './pages/inbox';
import { KnowledgePage } from './pages/knowledge';
import { RoutingPage } from './pages/routing';
import { UsersPage } from './pages/users';
import { interceptLinks, usePath } from './router';

const NAV: Array<{ href: string; label: string; permission?: string }> = [
  { href: '/console/inbox', label: 'Inbox', permission: 'inbox:read' },
  { href: '/console/channels', label: 'Channels', permission: 'channels:read' },
  { href: '/console/knowledge', label: 'Knowledge', permission: 'knowledge:read' },
  { href: '/console/routing', label: 'Routing', permission: 'routing:read' },
  { href: '/console/reports', label: 'Reports', permission: 'reports:read' },
  { href: '/console/users', label: 'Users', permission: 'users:manage' },
  { href: '/console/audit', label: 'Audit log', permission: 'audit:read' },
  { href: '/console/account', label: 'Account' },
];

/** A page loaded on first visit (its own chunk: the reports' chart library is not in every page's download). */
function Lazy({ load }: { load: () => Promise<() => preact.JSX.Element> }) {
  const [Component, setComponent] = useState<(() => preact.JSX.Element) | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    load().then(
      (c) => setComponent(() => c),
      () => setFailed(true),
    );
  }, []);
  if (failed) return <p class="notice error">This page could not be loaded: reload to try again.</p>;
  return Component ? <Component /> : <p class="loading">Loading…</p>;
}

function App() {
  const path = usePath();
  const [me, setMe] = useState<Me | null>();
  const pathname = path.split('?')[0]!;
  const isPublic = pathname === '/console/sign-in' || pathname === '/console/setup';
  useEffect(() => {
    if (!isPublic) void loadMe().then((m) => setMe(m ?? null));
  }, [isPublic]);

  if (pathname === '/console/sign-in') return <SignInPage onSignedIn={setMe} />;
  if (pathname === '/console/setup') return <SetupPage onSignedIn={setMe} />;
  if (me === undefined) return <p class="loading">Loading…</p>;
  if (me === null) {
    location.assign(`/console/sign-in?next=${encodeURIComponent(path)}`);
    return null;
  }
  const conversation = /^\/console\/conversations\/([0-9a-f]{24})$/.exec(pathname)?.[1];
  const page = conversation ? (
    <ConversationPage id={conversation} me={me} />
  ) : pathname === '/console/inbox' ? (
    <InboxPage me={me} />
  ) : pathname === '/console/channels' ? (
    <ChannelsPage me={me} />
  ) : pathname === '/console/knowledge' ? (
    <KnowledgePage me={me} />
  ) : pathname === '/console/routing' ? (
    <RoutingPage me={me} />
  ) : pathname === '/console/reports' ? (
    <Lazy load={() => import('./pages/reports').then((m) => m.ReportsPage)} />
  ) : pathname === '/console/users' ? (
    <UsersPage me={me} />
  ) : pathname === '/console/audit' ? (
    <AuditPage />
  ) : (
    <AccountPage me={me} />
  );
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <nav class="nav" aria-label="Console">
        <span class="brand">Switchboard</span>
        {NAV.filter((n) => !n.permission || me.permissions.includes(n.permission)).map((n) => (
          <a href={n.href} aria-current={pathname.startsWith(n.href) || (n.href === '/console/inbox' && conversation) ? 'page' : undefined}>
            {n.label}
          </a>
        ))}
        <span class="who">
          {me.name} · {me.role}
        </span>
        <button
          class="link"
          onClick={async () => {
            await api('POST', '/console/api/sign-out', {});
            location.assign('/console/sign-in');
          }}
        >
          Sign out
        </button>
      </nav>
      {page}
    </div>
  );
}

interceptLinks();
render(<App />, document.getElementById('app')!);
