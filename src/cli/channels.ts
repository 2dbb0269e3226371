import type { ChannelKind } from '../../adapters/types';
import { ALLOWED_UPDATES, registerTelegramWebhook } from '../../adapters/telegram';
import { openStore } from '../../conversations';
import { CHANNEL_ID, CHANNEL_KINDS, generatedSecrets, missingFor as missingNames, nextSteps, webhookUrl } from '../channel-setup';
import { ConfigError, loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { loadSecretBox } from '../secrets';
import { openCliStore } from './store';

export interface ChannelOptions {
  kind?: string;
  name?: string;
  secret?: string[];
  setting?: string[];
}

export interface ChannelsIo {
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
  env?: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

/**
 * `switchboard channels list | add | set | enable | disable | remove | webhook`: the channel configuration in MongoDB
 * (MONGODB_URI, else the embedded store, which only one process can open: stop the gateway first). Secrets are
 * encrypted with the same key the gateway uses. Output is JSON on stdout; exit code 2 for bad input.
 */
export async function channelsCommand(action: string, id: string | undefined, opts: ChannelOptions, io: ChannelsIo = {}): Promise<void> {
  const stdout = io.stdout ?? process.stdout;
  const stderr = io.stderr ?? process.stderr;
  let config: Config;
  try {
    config = loadConfig(io.env ?? process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(stderr, `${err.message}\nSee .env.example for every setting.`, 2);
    throw err;
  }
  let input: ReturnType<typeof validate>;
  try {
    input = validate(action, id, opts);
  } catch (err) {
    if (err instanceof UsageError) return fail(stderr, err.message, 2);
    throw err;
  }

  let cli;
  try {
    cli = await openCliStore(config, stderr);
  } catch (err) {
    return fail(stderr, (err as Error).message, 1);
  }
  try {
    const store = await openStore(cli.connection, await loadSecretBox(config, createLogger('warn')));
    const print = (value: unknown) => stdout.write(`${JSON.stringify(value, null, 2)}\n`);
    switch (input.action) {
      case 'list': {
        const channels = await store.channels.list();
        // Secret names only: values never leave the store through the CLI.
        print(channels.map((c) => ({ id: c.id, kind: c.kind, name: c.name, enabled: c.enabled, settings: c.settings, secrets: Object.keys(c.secrets) })));
        return;
      }
      case 'add': {
        if (await store.channels.exists(input.id)) return fail(stderr, `channel "${input.id}" exists: change it with "channels set ${input.id}"`, 2);
        const generated = generatedSecrets(input.kind, input.secrets, input.settings);
        const secrets = { ...generated, ...input.secrets };
        const missing = missingFor(input.kind, secrets, input.settings);
        if (missing.length) return fail(stderr, `a ${input.kind} channel needs ${missing.join(', ')}`, 2);
        await store.channels.ensure({
          id: input.id,
          kind: input.kind,
          name: input.name ?? input.id,
          settings: input.settings,
          secrets,
          ...(input.kind === 'api' ? { apiKey: secrets.apiKey! } : {}),
        });
        print({ id: input.id, kind: input.kind, ...nextSteps(config, input.id, input.kind, input.settings), ...(Object.keys(generated).length ? { generated } : {}) });
        return;
      }
      case 'set':
        if (!(await store.channels.update(input.id, { ...(input.name ? { name: input.name } : {}), settings: input.settings, ...(Object.keys(input.secrets).length ? { secrets: input.secrets } : {}) }))) {
          return fail(stderr, `no channel "${input.id}"`, 2);
        }
        print({ id: input.id, updated: [...Object.keys(input.settings).map((k) => `settings.${k}`), ...Object.keys(input.secrets).map((k) => `secrets.${k}`)] });
        return;
      case 'enable':
      case 'disable':
        if (!(await store.channels.setEnabled(input.id, input.action === 'enable'))) return fail(stderr, `no channel "${input.id}"`, 2);
        print({ id: input.id, enabled: input.action === 'enable' });
        return;
      case 'webhook': {
        const channel = await store.channels.get(input.id);
        if (!channel) return fail(stderr, `no enabled channel "${input.id}"`, 2);
        const url = webhookUrl(config, input.id);
        if (channel.kind !== 'telegram') {
          return fail(stderr, `${channel.kind} webhooks are set in the platform's console (README: "Channels in this release"): ${url}`, 2);
        }
        // Telegram only calls HTTPS URLs on ports 443, 80, 88 or 8443.
        if (!/^https:\/\//.test(url)) return fail(stderr, `Telegram needs an HTTPS webhook URL: set PUBLIC_URL (now ${url})`, 2);
        let result;
        try {
          result = await registerTelegramWebhook(channel, url, { timeoutMs: 15_000 });
        } catch (err) {
          return fail(stderr, `Telegram refused: ${(err as Error).message}`, 1);
        }
        if (result.botUsername && !channel.settings.botUsername) await store.channels.update(input.id, { settings: { botUsername: result.botUsername } });
        print({ id: input.id, webhookUrl: result.url, allowedUpdates: ALLOWED_UPDATES, ...(result.botUsername ? { botUsername: result.botUsername } : {}) });
        return;
      }
      case 'remove':
        if (!(await store.channels.remove(input.id))) return fail(stderr, `no channel "${input.id}"`, 2);
        print({ id: input.id, removed: true, note: 'its contacts, conversations and messages are kept' });
        return;
    }
  } finally {
    await cli.close();
  }
}

type Validated =
  | { action: 'list' }
  | { action: 'add'; id: string; kind: ChannelKind; name?: string; secrets: Record<string, string>; settings: Record<string, unknown> }
  | { action: 'set'; id: string; name?: string; secrets: Record<string, string>; settings: Record<string, unknown> }
  | { action: 'enable' | 'disable' | 'remove' | 'webhook'; id: string };

function validate(action: string, id: string | undefined, opts: ChannelOptions): Validated {
  if (action === 'list') return { action };
  if (!['add', 'set', 'enable', 'disable', 'remove', 'webhook'].includes(action)) throw new UsageError(`unknown action "${action}": list, add, set, enable, disable, remove or webhook`);
  if (!id || !CHANNEL_ID.test(id)) throw new UsageError('a channel id is required: letters, digits, "_" and "-" (it is part of the webhook URL)');
  if (action === 'enable' || action === 'disable' || action === 'remove' || action === 'webhook') return { action, id };
  const secrets = pairs(opts.secret ?? [], '--secret', (v) => v);
  const settings = pairs(opts.setting ?? [], '--setting', settingValue);
  const name = opts.name?.trim() || undefined;
  if (action === 'set') return { action, id, secrets, settings, ...(name ? { name } : {}) };
  if (!opts.kind || !CHANNEL_KINDS.includes(opts.kind as ChannelKind)) throw new UsageError(`--kind is required: one of ${CHANNEL_KINDS.join(', ')}`);
  return { action: 'add', id, kind: opts.kind as ChannelKind, secrets, settings, ...(name ? { name } : {}) };
}

function pairs<T>(items: string[], flag: string, convert: (value: string) => T): Record<string, T> {
  const out: Record<string, T> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq) : '';
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) throw new UsageError(`${flag} expects key=value, got "${item}"`);
    out[key] = convert(item.slice(eq + 1));
  }
  return out;
}

/**
 * `true`, `false` and JSON objects/arrays are typed (`humanAgentTag=true`, `reengagementTemplate={...}`). Digits stay
 * strings: platform ids (`phoneNumberId`, `pageId`) are numeric strings, too long for a double.
 */
function settingValue(value: string): unknown {
  if (value === 'true' || value === 'false') return value === 'true';
  if (/^[[{]/.test(value.trim())) {
    try {
      return JSON.parse(value);
    } catch {
      throw new UsageError(`--setting value is not valid JSON: ${value}`);
    }
  }
  return value;
}

function missingFor(kind: ChannelKind, secrets: Record<string, string>, settings: Record<string, unknown>): string[] {
  const missing = missingNames(kind, secrets, settings);
  return [...missing.secrets.map((k) => `--secret ${k}=…`), ...missing.settings.map((k) => `--setting ${k}=…`)];
}

function fail(stderr: NodeJS.WritableStream, message: string, code: number): void {
  stderr.write(`${message}\n`);
  process.exitCode = code;
}
