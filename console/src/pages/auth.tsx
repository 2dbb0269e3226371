import { useState } from 'preact/hooks';
import type { Me } from '../../../src/http/console/api-types';
import { api, loadMe } from '../api';
import { Notice, useAction } from '../ui';

function nextPath(): string {
  const next = new URLSearchParams(location.search).get('next');
  // Only paths of this console: never an open redirect.
  return next && /^\/console\/[\w\-/?=&%.]*$/.test(next) ? next : '/console/inbox';
}

export function SignInPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const action = useAction();
  return (
    <main class="auth" id="main">
      <h1>Sign in to Switchboard</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await api('POST', '/console/api/sign-in', { email, password });
            const me = await loadMe();
            if (me) onSignedIn(me);
            location.assign(nextPath());
          });
        }}
      >
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <button type="submit" disabled={action.busy}>
          Sign in
        </button>
        <Notice message={action.message} failed={action.failed} />
      </form>
      <p class="hint">First time? Open the setup link `npm start` printed, or run `npx switchboard users add`.</p>
    </main>
  );
}

export function SetupPage({ onSignedIn }: { onSignedIn: (me: Me) => void }) {
  const token = location.hash.slice(1);
  const [form, setForm] = useState({ name: '', email: '', password: '' });
  const action = useAction();
  const field = (key: keyof typeof form, label: string, type: string, auto: string) => (
    <label>
      {label}
      <input name={key} type={type} autoComplete={auto} required={key !== 'name'} minLength={key === 'password' ? 10 : undefined} value={form[key]} onInput={(e) => setForm({ ...form, [key]: e.currentTarget.value })} />
    </label>
  );
  return (
    <main class="auth" id="main">
      <h1>Set up Switchboard</h1>
      <p>Create the first owner account. This link works once.</p>
      {!token && <Notice failed message="This page needs the setup link printed by npm start (it ends with #setup_…)." />}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void action.run(async () => {
            await api('POST', '/console/api/setup', { token, ...form });
            const me = await loadMe();
            if (me) onSignedIn(me);
            location.assign('/console/inbox');
          });
        }}
      >
        {field('name', 'Your name', 'text', 'name')}
        {field('email', 'Email', 'email', 'username')}
        {field('password', 'Password (10+ characters)', 'password', 'new-password')}
        <button type="submit" disabled={action.busy || !token}>
          Create owner account
        </button>
        <Notice message={action.message} failed={action.failed} />
      </form>
    </main>
  );
}
