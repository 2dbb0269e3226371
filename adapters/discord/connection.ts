import { Client, Events, GatewayIntentBits, Partials, type ButtonInteraction, type Message } from 'discord.js';
import type { Logger } from 'pino';
import type { ChannelInstance, InboundEvent } from '../types';
import { isThreadType, parseDiscordComponent, parseDiscordMessage, type DiscordComponentView, type DiscordMessageView, type DiscordSelf } from './parse';
import { discordSettings } from './settings';

export interface DiscordConnectionDeps {
  /** REST timeout of the connection's own calls (interaction acks, gateway discovery). */
  timeoutMs: number;
  /** How long `start` waits for READY before giving up (the host retries on its next lease tick). */
  readyTimeoutMs?: number;
  log?: Pick<Logger, 'info' | 'warn' | 'error'>;
}

/** Same shape as the host's StatefulConnection (src/connections), which adapters/ may not import. */
export interface DiscordConnection {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The gateway session is up (false while discord.js reconnects on its own). */
  connected(): boolean;
}

/** Guilds (channel and thread cache), guild and DM messages, and their content (a privileged intent). */
const INTENTS = [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.DirectMessages, GatewayIntentBits.MessageContent];

/**
 * The gateway side of a Discord channel: a discord.js Client whose `messageCreate` and button clicks become
 * normalized events handed to `onEvent` (the host persists them, in order). Only the process holding the channel's
 * lease runs one; a second live connection would deliver every event twice.
 */
export function createDiscordConnection(
  channel: ChannelInstance,
  onEvent: (event: InboundEvent) => Promise<unknown>,
  deps: DiscordConnectionDeps,
): DiscordConnection {
  const settings = discordSettings(channel);
  const log = deps.log;
  let client: Client | undefined;
  /** The gateway session is up: ready or resumed, not since disconnected or reconnecting. */
  let up = false;

  const self = (c: Client): DiscordSelf => ({ botUserId: c.user?.id, threads: settings.threads });

  const onMessage = (c: Client) => (message: Message) => {
    let events: InboundEvent[];
    try {
      events = parseDiscordMessage(messageView(message), self(c));
    } catch (err) {
      log?.error({ err, channel: channel.id }, 'discord message could not be read');
      return;
    }
    // onEvent queues in call order and logs its own failures; nothing here may throw into discord.js.
    for (const event of events) onEvent(event).catch(() => {});
  };

  const onInteraction = (interaction: unknown) => {
    const button = interaction as ButtonInteraction;
    if (typeof button.isButton !== 'function' || !button.isButton()) return;
    const events = parseDiscordComponent(componentView(button));
    // Persist first, then acknowledge (Discord wants the ack within 3 s). If persisting failed for good we do not
    // ack: the customer sees "interaction failed" and can click again, which beats a click silently lost.
    Promise.all(events.map((event) => onEvent(event)))
      .then(() => button.deferUpdate())
      .catch((err: unknown) => log?.warn({ err, channel: channel.id, interaction: button.id }, 'discord interaction not acknowledged'));
  };

  return {
    async start() {
      if (client) return;
      const c = new Client({
        intents: INTENTS,
        // DM channels are not cached before their first message; without this partial DMs are dropped.
        partials: [Partials.Channel],
        rest: { api: settings.apiUrl, timeout: deps.timeoutMs, retries: 1 },
      });
      client = c;
      c.on(Events.MessageCreate, onMessage(c));
      c.on(Events.InteractionCreate, onInteraction);
      c.on(Events.Error, (err) => log?.error({ err, channel: channel.id }, 'discord client error'));
      c.on(Events.ShardDisconnect, (event) => {
        up = false;
        log?.warn({ channel: channel.id, code: event.code }, 'discord gateway disconnected');
      });
      c.on(Events.ShardReconnecting, () => (up = false));
      c.on(Events.Invalidated, () => (up = false));
      c.on(Events.ShardResume, () => (up = true));
      c.on(Events.ShardReady, () => (up = true));
      let timer: NodeJS.Timeout | undefined;
      try {
        const ready = new Promise<void>((resolve, reject) => {
          c.once(Events.ClientReady, () => resolve());
          timer = setTimeout(() => reject(new Error('discord gateway did not become ready in time')), deps.readyTimeoutMs ?? 30_000);
        });
        await Promise.all([c.login(settings.botToken), ready]);
        up = true;
        log?.info({ channel: channel.id, bot: c.user?.id }, 'discord gateway connected');
      } catch (err) {
        client = undefined;
        await c.destroy().catch(() => {});
        throw err;
      } finally {
        clearTimeout(timer);
      }
    },

    connected: () => client !== undefined && up,

    async stop() {
      const c = client;
      client = undefined;
      up = false;
      // Closes the socket with 1000: Discord ends the session, and the next holder identifies afresh.
      if (c) await c.destroy();
    },
  };
}

/** discord.js Message → the plain view the pure parser reads. */
export function messageView(message: Message): DiscordMessageView {
  const channel = message.channel;
  const thread = channel && isThreadType(channel.type) && channel.isThread() ? channel : undefined;
  const globalName = message.author.globalName ?? undefined;
  return {
    id: message.id,
    channelId: message.channelId,
    ...(message.guildId ? { guildId: message.guildId } : {}),
    channelType: channel?.type ?? (message.guildId ? 0 : 1),
    ...(thread?.parentId ? { parentId: thread.parentId } : {}),
    ...(thread?.ownerId ? { threadOwnerId: thread.ownerId } : {}),
    type: message.type,
    author: { id: message.author.id, username: message.author.username, bot: message.author.bot, ...(globalName ? { globalName } : {}) },
    ...(message.webhookId ? { webhookId: message.webhookId } : {}),
    content: message.content,
    mentionedUserIds: [...message.mentions.users.keys()],
    // discord.js keeps only roles it has cached (GUILD_CREATE); the `<@&id>` tokens cover one it has not seen yet.
    mentionedRoleIds: [...new Set([...message.mentions.roles.keys(), ...[...message.content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]!)])],
    botRoleIds: botRoleIds(message),
    attachments: [...message.attachments.values()].map((a) => ({ url: a.url, name: a.name, size: a.size, ...(a.contentType ? { contentType: a.contentType } : {}) })),
    timestamp: message.createdAt.toISOString(),
  };
}

/**
 * The managed role Discord gives our bot in this guild: a role whose `tags.bot_id` is our user id (from
 * GUILD_CREATE's roles), or the one among our own member's roles (`members.me.roles.botRole`).
 */
function botRoleIds(message: Message): string[] {
  const botUserId = message.client.user?.id;
  const guild = message.guild;
  if (!guild || !botUserId) return [];
  const ids = new Set(guild.roles.cache.filter((role) => role.tags?.botId === botUserId).keys());
  const own = guild.members.me?.roles.botRole;
  if (own) ids.add(own.id);
  return [...ids];
}

/** discord.js ButtonInteraction → the plain view the pure parser reads. */
export function componentView(button: ButtonInteraction): DiscordComponentView {
  const channel = button.channel;
  const thread = channel && channel.isThread() ? channel : undefined;
  const label = (button.component as { label?: string | null } | undefined)?.label ?? undefined;
  const globalName = button.user.globalName ?? undefined;
  return {
    id: button.id,
    customId: button.customId,
    ...(label ? { label } : {}),
    channelId: button.channelId,
    ...(button.guildId ? { guildId: button.guildId } : {}),
    ...(channel ? { channelType: channel.type } : {}),
    ...(thread?.parentId ? { parentId: thread.parentId } : {}),
    messageId: button.message.id,
    user: { id: button.user.id, username: button.user.username, ...(globalName ? { globalName } : {}) },
    timestamp: button.createdAt.toISOString(),
  };
}
