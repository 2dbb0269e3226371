import { randomBytes } from 'node:crypto';
import { openAccess } from '../access';
import { isRole } from '../access/roles';
import { sessionPolicyOf } from '../access/sessions';
import { toUserView, UserInputError } from '../access/users';
import { publicBase } from '../channel-setup';
import { ConfigError, loadConfig, type Config } from '../config';
import { openCliStore } from './store';

export interface UsersOptions {
  role?: string;
  name?: string;
  team?: string[];
  password?: string;
}

export interface UsersIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

/**
 * `switchboard users list | add | remove | reset | setup-link`: console users from the shell, the same rules as the
 * console (argon2id hashes, 10+ character passwords, the last owner stays). Every change is in the audit log as
 * done by the CLI. Output is JSON on stdout; exit code 2 for bad input.
 */
export async function usersCommand(action: string, email: string | undefined, opts: UsersOptions, io: UsersIo = {}): Promise<void> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  const fail = (message: string, code: number) => {
    stderr.write(`${message}\n`);
    process.exitCode = code;
  };
  let config: Config;
  try {
    config = loadConfig(io.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(`${err.message}\nSee .env.example for every setting.`, 2);
    throw err;
  }
  if (!['list', 'add', 'remove', 'reset', 'setup-link'].includes(action)) return fail(`unknown action "${action}": list, add, remove, reset or setup-link`, 2);
  if ((action === 'add' || action === 'remove' || action === 'reset') && !email) return fail(`users ${action} needs an email address`, 2);
  if (action === 'add' && !isRole(opts.role)) return fail('--role must be owner, admin, agent or analyst', 2);

  let cli;
  try {
    cli = await openCliStore(config, stderr);
  } catch (err) {
    return fail((err as Error).message, 1);
  }
  try {
    const now = () => new Date();
    const access = await openAccess(cli.connection, sessionPolicyOf(config), now);
    const print = (value: unknown) => stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    const actor = { kind: 'cli' as const, name: `cli (${process.env.USER ?? 'unknown'})` };
    const password = opts.password ?? randomBytes(12).toString('base64url');
    switch (action) {
      case 'list':
        print((await access.users.list()).map(toUserView));
        return;
      case 'add': {
        try {
          const user = await access.users.create({ email: email!, name: opts.name ?? '', role: opts.role!, password, teams: opts.team ?? [] }, now());
          await access.audit.record({ actor, action: 'user.create', target: user.email, diff: { role: { from: null, to: user.role } } });
          print({ ...toUserView(user), ...(opts.password ? {} : { password, note: 'generated: shown once' }), signIn: `${publicBase(config)}/console/sign-in` });
        } catch (err) {
          if (err instanceof UserInputError) return fail(err.message, 2);
          throw err;
        }
        return;
      }
      case 'remove':
      case 'reset': {
        const user = await access.users.byEmail(email!);
        if (!user) return fail(`no user ${email}`, 2);
        if (action === 'remove') {
          if (user.role === 'owner' && (await access.users.countOwners()) <= 1) return fail('the last owner cannot be removed', 2);
          await access.users.remove(user._id);
          await access.tokens.revokeAllOf(user._id, now());
        } else {
          try {
            await access.users.setPassword(user._id, password, now());
          } catch (err) {
            if (err instanceof UserInputError) return fail(err.message, 2);
            throw err;
          }
        }
        // Removed or reset: their signed-in browsers are signed out now.
        await access.sessions.endAllOf(user._id);
        await access.audit.record({ actor, action: action === 'remove' ? 'user.remove' : 'user.update', target: user.email, diff: action === 'reset' ? { password: 'reset' } : { role: { from: user.role, to: null } } });
        print(action === 'remove' ? { email: user.email, removed: true } : { email: user.email, ...(opts.password ? {} : { password, note: 'generated: shown once' }) });
        return;
      }
      case 'setup-link': {
        if ((await access.users.count()) > 0) return fail('the console already has users: use "users add" instead', 2);
        const link = await access.tokens.createSetup(now(), config.CONSOLE_SETUP_LINK_HOURS * 3_600_000);
        print({ setupLink: `${publicBase(config)}/console/setup#${link.token}`, expiresAt: link.expiresAt.toISOString() });
        return;
      }
    }
  } finally {
    await cli.close();
  }
}
