import { randomBytes } from 'node:crypto';
import type { ChannelKind } from '../../adapters/types';
import { ALLOWED_UPDATES, registerTelegramWebhook } from '../../adapters/telegram';
import { openStore } from '../../conversations';
import { ConfigError, loadConfig, type Config } from '../config';
import { createLogger } from '../logger';
import { loadSecretBox } from '../secrets';
import { openCliStore } from './store';

const KINDS: ChannelKind[] = ['webchat', 'api', 'slack', 'teams', 'discord', 'email', 'whatsapp', 'messenger', 'instagram', 'telegram'];

/**
 * What each kind needs before it can work, so a typo is caught here rather than as 401s from the platform later.
 * WhatsApp on a linked phone (`--setting driver=web`) needs nothing: the QR is its credential.
 */
const REQUIRED: Partial<Record<ChannelKind, { secrets: string[]; settings?: string[] }>> = {
  telegram: { secrets: ['botToken', 'secretToken'] },
  whatsapp: { secrets: ['appSecret', 'verifyToken', 'accessToken'], settings: ['phoneNumberId'] },
  messenger: { secrets: ['appSecret', 'verifyToken', 'accessToken'], settings: ['pageId'] },
  instagram: { secrets: ['appSecret', 'verifyToken', 'accessToken'], settings: ['igId'] },
  discord: { secrets: ['botToken'] },
  slack: { secrets: ['botToken'] },
  teams: { secrets: ['appId', 'appPassword', 'tenantId'] },
};

/** Kinds whose platform calls us at /webhooks/<id>. */
const WEBHOOK_KINDS = new Set<ChannelKind>(['slack', 'teams', 'whatsapp', 'messenger', 'instagram', 'telegram']);

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
        const generated = input.kind === 'whatsapp' && input.settings.driver === 'web' ? {} : generatedSecrets(input.kind, input.secrets);
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
  if (!id || !/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(id)) throw new UsageError('a channel id is required: letters, digits, "_" and "-" (it is part of the webhook URL)');
  if (action === 'enable' || action === 'disable' || action === 'remove' || action === 'webhook') return { action, id };
  const secrets = pairs(opts.secret ?? [], '--secret', (v) => v);
  const settings = pairs(opts.setting ?? [], '--setting', settingValue);
  const name = opts.name?.trim() || undefined;
  if (action === 'set') return { action, id, secrets, settings, ...(name ? { name } : {}) };
  if (!opts.kind || !KINDS.includes(opts.kind as ChannelKind)) throw new UsageError(`--kind is required: one of ${KINDS.join(', ')}`);
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
  if (kind === 'whatsapp' && settings.driver === 'web') return [];
  const required = REQUIRED[kind];
  if (!required) return [];
  return [
    ...required.secrets.filter((k) => !secrets[k]).map((k) => `--secret ${k}=…`),
    ...(required.settings ?? []).filter((k) => settings[k] === undefined || settings[k] === '').map((k) => `--setting ${k}=…`),
  ];
}

/** Secrets we can make up ourselves; printed once, since they are stored encrypted. */
function generatedSecrets(kind: ChannelKind, given: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const random = () => randomBytes(24).toString('hex');
  if (kind === 'webchat' && !given.tokenSecret) out.tokenSecret = random();
  if (kind === 'api' && !given.apiKey) out.apiKey = `sk_${randomBytes(18).toString('base64url')}`;
  if (kind === 'api' && !given.signingSecret) out.signingSecret = random();
  if (kind === 'telegram' && !given.secretToken) out.secretToken = random();
  if ((kind === 'whatsapp' || kind === 'messenger' || kind === 'instagram') && !given.verifyToken) out.verifyToken = random();
  return out;
}

const publicBase = (config: Config) => (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
const webhookUrl = (config: Config, id: string) => `${publicBase(config)}/webhooks/${id}`;

function nextSteps(config: Config, id: string, kind: ChannelKind, settings: Record<string, unknown>): Record<string, string> {
  const base = publicBase(config);
  if (kind === 'whatsapp' && settings.driver === 'web') {
    return { next: `start the gateway and scan the QR it prints, or open ${base}/admin/channels/${id}/whatsapp-web (needs ADMIN_TOKEN)` };
  }
  if (kind === 'telegram') return { webhookUrl: webhookUrl(config, id), next: `npx switchboard channels webhook ${id} (registers it with Telegram)` };
  if (WEBHOOK_KINDS.has(kind)) return { webhookUrl: webhookUrl(config, id), next: 'give this URL to the platform (README: "Channels in this release")' };
  return {};
}

function fail(stderr: NodeJS.WritableStream, message: string, code: number): void {
  stderr.write(`${message}\n`);
  process.exitCode = code;
}
