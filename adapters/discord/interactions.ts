import type { InboundEvent, RawRequest } from '../types';
import { parseDiscordComponent, type DiscordComponentView } from './parse';

/** Discord's interaction types (https://discord.com/developers/docs/interactions/receiving-and-responding). */
export const INTERACTION_PING = 1;
export const INTERACTION_COMPONENT = 3;
const COMPONENT_BUTTON = 2;

type Json = Record<string, unknown>;

export function decodeInteraction(req: RawRequest): Json | undefined {
  try {
    const value: unknown = JSON.parse(req.rawBody.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Pure: an interaction posted to our webhook (the app's "Interactions Endpoint URL") in, events out. Button clicks
 * become the same `action` as over the gateway; slash commands, autocomplete and modals are not ours to answer.
 */
export function parseDiscordInteractionRequest(req: RawRequest): InboundEvent[] {
  const body = decodeInteraction(req);
  if (!body) return [{ kind: 'unsupported', reason: 'body is not a Discord interaction', raw: undefined }];
  if (body.type !== INTERACTION_COMPONENT) return [{ kind: 'unsupported', reason: `unhandled interaction type ${String(body.type)}`, raw: body }];
  const view = componentViewOf(body);
  return view ? parseDiscordComponent(view) : [{ kind: 'unsupported', reason: 'component interaction without a button, user or channel', raw: body }];
}

/** The raw interaction payload → the view the gateway path builds from discord.js objects. */
export function componentViewOf(body: Json): DiscordComponentView | undefined {
  const data = obj(body.data);
  const channel = obj(body.channel);
  const message = obj(body.message);
  const user = obj(obj(body.member)?.user) ?? obj(body.user);
  const id = str(body.id);
  const customId = str(data?.custom_id);
  const channelId = str(body.channel_id) ?? str(channel?.id);
  const userId = str(user?.id);
  const messageId = str(message?.id);
  if (!id || !customId || !channelId || !userId || !messageId || data?.component_type !== COMPONENT_BUTTON) return undefined;
  const label = findLabel(message?.components, customId);
  const guildId = str(body.guild_id);
  const parentId = str(channel?.parent_id);
  const globalName = str(user?.global_name);
  return {
    id,
    customId,
    ...(label ? { label } : {}),
    channelId,
    ...(guildId ? { guildId } : {}),
    ...(typeof channel?.type === 'number' ? { channelType: channel.type } : {}),
    ...(parentId ? { parentId } : {}),
    messageId,
    user: { id: userId, username: str(user?.username) ?? userId, ...(globalName ? { globalName } : {}) },
    timestamp: snowflakeTime(id),
  };
}

function findLabel(rows: unknown, customId: string): string | undefined {
  if (!Array.isArray(rows)) return undefined;
  for (const row of rows) {
    for (const c of (obj(row)?.components as unknown[] | undefined) ?? []) {
      if (obj(c)?.custom_id === customId) return str(obj(c)?.label);
    }
  }
  return undefined;
}

/** Interactions carry no timestamp; a snowflake's top bits are milliseconds since Discord's epoch (2015). */
export function snowflakeTime(id: string): string {
  try {
    return new Date(Number((BigInt(id) >> 22n) + 1_420_070_400_000n)).toISOString();
  } catch {
    return new Date(0).toISOString();
  }
}

const obj = (v: unknown): Json | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
