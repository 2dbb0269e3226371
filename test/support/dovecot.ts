import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readFileSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  dir: string;
  stop(): Promise<void>;
}

const DOVECOT = '/usr/sbin/dovecot';

/**
 * A real, unprivileged dovecot IMAP server on a free loopback port (shared/guides/channels.md §7): its own config,
 * maildirs and sockets in a short tmp dir (unix socket paths are limited to ~108 bytes). As root it runs as
 * `nobody` (dovecot's login processes refuse to run as root). `stop` kills it by its pid file and removes the dir.
 */
export async function startDovecot(): Promise<Dovecot> {
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync('/tmp/dv-');
  const port = await freePort();
  const user = 'support@shop.example';
  const password = 'secret';
  const who = root
    ? { user: 'nobody', group: 'nogroup', uid: 65534, gid: 65534 }
    : (() => {
        const info = userInfo();
        const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
        return { user: info.username, group, uid: info.uid, gid: info.gid };
      })();
  for (const sub of ['run', 'state', 'mail', 'home']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'users'), `${user}:{PLAIN}${password}\n`);
  writeFileSync(join(dir, 'dovecot.conf'), config(dir, port, who));
  if (root) for (const path of ['', 'run', 'state', 'mail', 'home', 'users', 'dovecot.conf']) chownSync(join(dir, path), who.uid, who.gid);

  const [cmd, args] = root ? ['runuser', ['-u', who.user, '--', DOVECOT, '-c', join(dir, 'dovecot.conf')]] : [DOVECOT, ['-c', join(dir, 'dovecot.conf')]];
  // dovecot daemonizes: the command returns once the master runs in the background.
  await new Promise<void>((resolve, reject) => {
    const child = spawn(cmd, args as string[], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dovecot exited with ${code}: ${stderr}${logOf(dir)}`))));
  });
  const stop = async () => {
    await stopByPidFile(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForGreeting(port, 10_000);
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${logOf(dir)}`);
  }
  return { host: '127.0.0.1', port, user, password, dir, stop };
}

function config(dir: string, port: number, who: { user: string; group: string; uid: number; gid: number }): string {
  return `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
info_log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${who.user}
default_internal_group = ${who.group}
default_login_user = ${who.user}
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${who.uid} gid=${who.gid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`;
}

function logOf(dir: string): string {
  try {
    return readFileSync(join(dir, 'dovecot.log'), 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Bounded poll on connect until the server greets with `* OK`. */
async function waitForGreeting(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let data = '';
      const done = (ok: boolean) => {
        socket.destroy();
        resolve(ok);
      };
      socket.setTimeout(1000, () => done(false));
      socket.on('data', (c: Buffer) => {
        data += c.toString();
        if (data.includes('\n')) done(data.startsWith('* OK'));
      });
      socket.on('error', () => done(false));
    });
    if (greeted) return;
    if (Date.now() > deadline) throw new Error(`dovecot did not greet on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stopByPidFile(dir: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dir, 'run', 'master.pid'), 'utf8').trim());
  } catch {
    return;
  }
  if (!pid) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** An IMAP client of the test mailbox user (the "MTA" and the inspector). Close it with `logout()`. */
export async function imapClient(d: Pick<Dovecot, 'host' | 'port' | 'user' | 'password'>): Promise<ImapFlow> {
  const client = new ImapFlow({ host: d.host, port: d.port, secure: false, auth: { user: d.user, pass: d.password }, logger: false, disableAutoIdle: true });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Delivers raw RFC 822 messages into a mailbox, as an MTA would (APPEND, pipelined); returns their UIDs. */
export async function appendMail(d: Pick<Dovecot, 'host' | 'port' | 'user' | 'password'>, mailbox: string, raws: Array<string | Buffer>): Promise<number[]> {
  const client = await imapClient(d);
  try {
    const results = await Promise.all(raws.map((raw) => client.append(mailbox, typeof raw === 'string' ? Buffer.from(raw) : raw)));
    return results.map((r) => (r ? Number(r.uid) : 0));
  } finally {
    await client.logout().catch(() => client.close());
  }
}

/** A plain RFC 822 mail. */
export function rawMail(o: { messageId: string; from?: string; to?: string; subject?: string; text?: string; date?: Date; extraHeaders?: string[] }): string {
  return [
    `From: ${o.from ?? 'Ada Customer <ada@customer.example>'}`,
    `To: ${o.to ?? 'support@shop.example'}`,
    `Subject: ${o.subject ?? 'Where is my order?'}`,
    `Message-ID: ${o.messageId}`,
    `Date: ${(o.date ?? new Date()).toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(o.extraHeaders ?? []),
    '',
    o.text ?? 'Hello, my order #1234 has not arrived yet.',
    '',
  ].join('\r\n');
}
