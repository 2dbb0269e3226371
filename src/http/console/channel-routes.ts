import type { ChannelInstance } from '../../../adapters/types';
import { CHANNEL_ID, generatedSecrets, isChannelKind, missingFor, nextSteps } from '../../channel-setup';
import { connectionLeaseName } from '../../connections';
import { HttpError } from '../errors';
import type { ChannelView } from './api-types';
import type { ConsoleDeps } from './deps';
import type { RouteSpec } from './route-table';
import { objectField, optionalBoolean, optionalString, requiredString } from './validate';

/**
 * Channel administration, with the CLI's rules (src/channel-setup.ts). Secrets are write-only: a list shows which
 * are set, never their values, and an edit replaces only the secrets it names.
 */
export function channelRoutes(deps: ConsoleDeps): RouteSpec[] {
  const { store } = deps;
  const find = async (id: string) => (await store.channels.list()).find((c) => c.id === id);
  return [
    {
      method: 'get',
      path: '/console/api/channels',
      permission: 'channels:read',
      surface: 'api',
      handler: async ({ res }) => {
        const channels = await store.channels.list();
        res.json({ channels: await Promise.all(channels.map((c) => view(deps, c))) });
      },
    },
    {
      method: 'post',
      path: '/console/api/channels',
      permission: 'channels:write',
      surface: 'api',
      handler: async (ctx) => {
        const body = ctx.req.body as Record<string, unknown>;
        const id = requiredString(body, 'id', 64).trim();
        const kind = requiredString(body, 'kind', 20);
        if (!CHANNEL_ID.test(id)) throw new HttpError(400, 'invalid_channel_id', 'the channel id takes letters, digits, "_" and "-" (it is part of the webhook URL)');
        if (!isChannelKind(kind)) throw new HttpError(400, 'unknown_kind', `no channel kind "${kind}"`);
        const settings = settingsRecord(objectField(body, 'settings'));
        const given = stringRecord(objectField(body, 'secrets'), 'secrets');
        if (await store.channels.exists(id)) throw new HttpError(409, 'channel_exists', `channel "${id}" exists: edit it instead`);
        const generated = generatedSecrets(kind, given, settings);
        const secrets = { ...generated, ...given };
        const missing = missingFor(kind, secrets, settings);
        if (missing.secrets.length || missing.settings.length) {
          throw new HttpError(400, 'channel_incomplete', `a ${kind} channel needs ${[...missing.secrets.map((s) => `secret ${s}`), ...missing.settings.map((s) => `setting ${s}`)].join(', ')}`);
        }
        const name = optionalString(body, 'name', 120)?.trim() || id;
        await store.channels.ensure({ id, kind, name, settings, secrets, ...(kind === 'api' ? { apiKey: secrets.apiKey! } : {}) });
        await ctx.audit({ action: 'channel.create', target: id, diff: { kind: { from: null, to: kind }, name: { from: null, to: name }, settings: { from: null, to: settings }, secrets: Object.keys(secrets) } });
        const created = await find(id);
        // Generated secrets (a web chat's token secret, an API key) are shown this once.
        ctx.res.status(201).json({ channel: await view(deps, created!), ...(Object.keys(generated).length ? { generated } : {}) });
      },
    },
    {
      method: 'patch',
      path: '/console/api/channels/:id',
      permission: 'channels:write',
      surface: 'api',
      handler: async (ctx) => {
        const id = String(ctx.req.params.id);
        const before = await find(id);
        if (!before) throw new HttpError(404, 'channel_not_found', `no channel "${id}"`);
        const body = ctx.req.body as Record<string, unknown>;
        const settings = settingsRecord(objectField(body, 'settings'));
        const secrets = stringRecord(objectField(body, 'secrets'), 'secrets');
        const name = optionalString(body, 'name', 120)?.trim();
        const enabled = optionalBoolean(body, 'enabled');
        await store.channels.update(id, { ...(name ? { name } : {}), settings, ...(Object.keys(secrets).length ? { secrets } : {}) });
        if (enabled !== undefined) await store.channels.setEnabled(id, enabled);
        const after = (await find(id))!;
        await ctx.audit({
          action: 'channel.update',
          target: id,
          diff: {
            ...(name && name !== before.name ? { name: { from: before.name, to: name } } : {}),
            ...Object.fromEntries(Object.keys(settings).map((k) => [`settings.${k}`, { from: before.settings[k] ?? null, to: after.settings[k] ?? null }])),
            ...(Object.keys(secrets).length ? { secretsReplaced: Object.keys(secrets) } : {}),
            ...(enabled !== undefined && enabled !== before.enabled ? { enabled: { from: before.enabled, to: enabled } } : {}),
          },
        });
        ctx.res.json({ channel: await view(deps, after) });
      },
    },
    {
      method: 'delete',
      path: '/console/api/channels/:id',
      permission: 'channels:write',
      surface: 'api',
      handler: async (ctx) => {
        const id = String(ctx.req.params.id);
        const before = await find(id);
        if (!before || !(await store.channels.remove(id))) throw new HttpError(404, 'channel_not_found', `no channel "${id}"`);
        await ctx.audit({ action: 'channel.remove', target: id, diff: { kind: { from: before.kind, to: null } } });
        ctx.res.json({ removed: true, note: 'its contacts, conversations and messages are kept' });
      },
    },
  ];
}

const NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * A channel's settings as the CLI writes them: named fields holding text, numbers, booleans, lists and small
 * nested groups (email's `imap`/`smtp`, a desk's `agents`). A key with "$" or "." would become an update operator
 * or a nested path once stored, so every name is a plain word, at every depth.
 */
function settingsRecord(value: Record<string, unknown>): Record<string, unknown> {
  const check = (v: unknown, path: string, depth: number): void => {
    if (v === null || ['number', 'boolean'].includes(typeof v)) return;
    if (typeof v === 'string') {
      if (v.length > 2_000) throw new HttpError(400, 'invalid_body', `${path} is longer than 2000 characters`);
      return;
    }
    if (depth >= 4) throw new HttpError(400, 'invalid_body', `${path} is nested too deeply`);
    if (Array.isArray(v)) {
      if (v.length > 200) throw new HttpError(400, 'invalid_body', `${path} has more than 200 entries`);
      v.forEach((item, i) => check(item, `${path}.${i}`, depth + 1));
      return;
    }
    if (typeof v !== 'object') throw new HttpError(400, 'invalid_body', `${path} must be text, a number, true/false, a list or a group`);
    for (const [k, inner] of Object.entries(v as Record<string, unknown>)) {
      if (!NAME.test(k)) throw new HttpError(400, 'invalid_body', `${path}: "${k.slice(0, 40)}" is not a valid name`);
      check(inner, `${path}.${k}`, depth + 1);
    }
  };
  check(value, 'settings', 0);
  return value;
}

function stringRecord(value: Record<string, unknown>, field: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!NAME.test(k)) throw new HttpError(400, 'invalid_body', `${field}: "${k.slice(0, 40)}" is not a valid name`);
    if (typeof v !== 'string') throw new HttpError(400, 'invalid_body', `${field}.${k} must be a string`);
    if (v !== '') out[k] = v;
  }
  return out;
}

async function view(deps: ConsoleDeps, channel: ChannelInstance & { enabled: boolean }): Promise<ChannelView> {
  const steps = nextSteps(deps.publicConfig, channel.id, channel.kind, channel.settings);
  const [status, lease] = await Promise.all([
    deps.store.connectionStatus.get(channel.id),
    deps.store.models.Lease.findById(connectionLeaseName(channel.id, channel.kind)).lean<{ owner?: string; leaseUntil?: Date }>(),
  ]);
  const holder = lease?.owner && lease.leaseUntil && lease.leaseUntil.getTime() > deps.clock().getTime() ? lease.owner : null;
  return {
    id: channel.id,
    kind: channel.kind,
    name: channel.name,
    enabled: channel.enabled,
    settings: channel.settings,
    secrets: Object.keys(channel.secrets).sort(),
    missing: missingFor(channel.kind, channel.secrets, channel.settings),
    webhookUrl: steps.webhookUrl ?? null,
    next: steps.next ?? null,
    connection:
      status || holder
        ? { state: status?.state ?? 'connected', holder: holder ?? status?.owner ?? null, detail: status?.detail ?? null, updatedAt: status?.updatedAt?.toISOString() ?? null }
        : null,
  };
}
