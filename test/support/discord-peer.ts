import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface DiscordCall {
  method: string;
  /** Path below `/api/v10`, e.g. `/channels/123/messages`. */
  route: string;
  body: Record<string, unknown> | undefined;
  authorization?: string;
  status: number;
  at: number;
  /** The id of the message a successful message POST created. */
  messageId?: string;
}

interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

interface PeerChannel {
  id: string;
  type: number;
  guildId?: string;
  parentId?: string;
  ownerId?: string;
  name?: string;
}

interface Session {
  ws: WebSocket;
  id: string;
  seq: number;
  identified: boolean;
  /** Dispatches sent in this session, replayed on RESUME. */
  sent: Array<{ s: number; frame: string }>;
}

const DISCORD_EPOCH = 1_420_070_400_000n;
const GATEWAY_VERSION = '10';

/**
 * A local Discord on loopback: the REST API under `/api/v10` and the gateway WebSocket at `/gw`, speaking the real
 * protocol as discord.js 14 expects it (HELLO → IDENTIFY → READY → GUILD_CREATE, heartbeats ACKed, dispatches with
 * sequence numbers, RESUME replaying what a session missed). `/gateway/bot` and READY's `resume_gateway_url` point
 * here, so the client needs nothing but `rest.api`. Like Discord, it echoes the bot's own messages back as
 * MESSAGE_CREATE and announces threads the bot opens with THREAD_CREATE.
 *
 * REST calls are recorded (and emitted as 'request'); scripted answers (429 with Retry-After, 5xx, 403) are
 * consumed in order before the canned ones. Emits 'identify' per IDENTIFY and 'callback' per interaction ack.
 */
export class DiscordPeer extends EventEmitter {
  readonly token: string;
  readonly bot = { id: '900000000000000001', username: 'switchboard', discriminator: '0', global_name: 'Switchboard', avatar: null, bot: true };
  readonly applicationId = '900000000000000001';
  readonly guildId = '910000000000000001';
  readonly generalId = '920000000000000001';
  /** The managed role Discord creates for the bot when it joins the guild (`tags.bot_id` = the bot's user id). */
  readonly botRoleId = '930000000000000001';
  readonly calls: DiscordCall[] = [];
  /** Every gateway frame received from clients, in order (op, and the IDENTIFY/RESUME payload). */
  readonly received: Array<{ op: number; d: unknown }> = [];
  readonly channels = new Map<string, PeerChannel>();
  private readonly scripts: Array<{ method: string; route: RegExp; answer: Scripted }> = [];
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Set<WebSocket>();
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private snowflakeSeq = 0;
  private port = 0;

  constructor(options: { token?: string } = {}) {
    super();
    this.token = options.token ?? 'discord-test-token';
    this.channels.set(this.generalId, { id: this.generalId, type: 0, guildId: this.guildId, name: 'general' });
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  /** IDENTIFYs received so far: one per fresh gateway session. */
  get identifies(): number {
    return this.received.filter((f) => f.op === 2).length;
  }

  /** Sockets that completed IDENTIFY or RESUME and are still open. */
  get liveSessions(): number {
    return [...this.sessions.values()].filter((s) => s.identified && s.ws.readyState === s.ws.OPEN).length;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (req, socket, head) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path !== '/gw') return socket.destroy();
      this.wss!.handleUpgrade(req, socket, head, (ws) => this.connected(ws));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss?.close();
    if (this.server?.listening) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
  }

  snowflake(): string {
    return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) + BigInt(++this.snowflakeSeq % 4096));
  }

  /** The next REST call matching method and route gets this answer; several queue in order. */
  respondWith(method: string, route: RegExp, answer: Scripted): void {
    this.scripts.push({ method, route, answer });
  }

  rateLimit(route: RegExp, retryAfterSeconds: number): void {
    this.respondWith('POST', route, {
      status: 429,
      headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-scope': 'user', 'x-ratelimit-global': 'false' },
      body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false },
    });
  }

  serverError(route: RegExp, status = 500): void {
    this.respondWith('POST', route, { status, body: { message: '500: Internal Server Error', code: 0 } });
  }

  /** 403 Missing Access (50001): the bot was removed from the channel or may not write there. */
  forbid(route: RegExp): void {
    this.respondWith('POST', route, { status: 403, body: { message: 'Missing Access', code: 50001 } });
  }

  /** Messages posted by the bot to a channel (or thread) id. */
  posted(channelId: string): DiscordCall[] {
    return this.calls.filter((c) => c.method === 'POST' && c.route === `/channels/${channelId}/messages` && c.status === 200);
  }

  user(id: string, name = `user${id.slice(-4)}`) {
    return { id, username: name, discriminator: '0', global_name: name[0]!.toUpperCase() + name.slice(1), avatar: null };
  }

  /** A DM from `userId`: its DM channel id is stable per user, as on Discord. */
  dmChannelOf(userId: string): string {
    const id = `8${userId.slice(1)}`;
    if (!this.channels.has(id)) this.channels.set(id, { id, type: 1 });
    return id;
  }

  sendDm(userId: string, content: string, id = this.snowflake()): string {
    const channelId = this.dmChannelOf(userId);
    this.dispatch('MESSAGE_CREATE', { ...this.message(id, channelId, this.user(userId), content), channel_type: 1 });
    return id;
  }

  /** A message in a guild channel or thread; `mention` puts `<@bot>` in front (and in `mentions`, as Discord does). */
  sendGuild(channelId: string, userId: string, content: string, options: { mention?: boolean; mentionRole?: boolean; id?: string; author?: Record<string, unknown> } = {}): string {
    const id = options.id ?? this.snowflake();
    const author = options.author ?? this.user(userId);
    // `mentionRole`: the bot's managed role picked from the client's list instead of the bot (`<@&role>`).
    const text = options.mention ? `<@${this.bot.id}> ${content}` : options.mentionRole ? `<@&${this.botRoleId}> ${content}` : content;
    this.dispatch('MESSAGE_CREATE', {
      ...this.message(id, channelId, author, text, options.mention ? [this.bot] : []),
      ...(options.mentionRole ? { mention_roles: [this.botRoleId] } : {}),
      guild_id: this.guildId,
      member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
    });
    return id;
  }

  /** A click on a button of a message the bot posted (`messageCall`): INTERACTION_CREATE type 3. */
  click(messageCall: DiscordCall, userId: string, customId: string): string {
    const channelId = messageCall.route.split('/')[2]!;
    const channel = this.channels.get(channelId) ?? { id: channelId, type: 0 };
    const posted = { ...this.message(messageCall.messageId ?? this.snowflake(), channelId, this.bot, String(messageCall.body?.content ?? '')), components: messageCall.body?.components ?? [] };
    const id = this.snowflake();
    const user = this.user(userId);
    this.dispatch('INTERACTION_CREATE', {
      id,
      application_id: this.applicationId,
      type: 3,
      token: `itoken-${id}`,
      version: 1,
      data: { custom_id: customId, component_type: 2 },
      channel_id: channelId,
      channel: this.channelObject(channel, userId),
      ...(channel.guildId ? { guild_id: channel.guildId, member: { user, roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0, permissions: '0' } } : { user }),
      message: { ...posted, ...(channel.guildId ? { guild_id: channel.guildId } : {}) },
      app_permissions: '0',
      locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: {},
      context: channel.guildId ? 0 : 1,
    });
    return id;
  }

  /** Drops every gateway socket without a close frame (a network failure): clients RESUME. */
  dropConnections(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  dispatch(t: string, d: Record<string, unknown>): void {
    for (const session of this.sessions.values()) if (session.identified) this.send(session, t, d);
  }

  private send(session: Session, t: string, d: unknown): void {
    const frame = JSON.stringify({ op: 0, t, s: ++session.seq, d });
    session.sent.push({ s: session.seq, frame });
    if (session.ws.readyState === session.ws.OPEN) session.ws.send(frame);
  }

  private message(id: string, channelId: string, author: Record<string, unknown>, content: string, mentions: unknown[] = []) {
    return {
      id,
      channel_id: channelId,
      author,
      content,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions,
      mention_roles: [],
      attachments: [],
      embeds: [],
      pinned: false,
      type: 0,
      flags: 0,
      components: [] as unknown[],
    };
  }

  private channelObject(channel: PeerChannel, recipientId?: string): Record<string, unknown> {
    if (channel.type === 1) return { id: channel.id, type: 1, last_message_id: null, recipients: recipientId ? [this.user(recipientId)] : [], flags: 0 };
    const base = { id: channel.id, type: channel.type, guild_id: channel.guildId, name: channel.name ?? channel.id, permission_overwrites: [], nsfw: false, rate_limit_per_user: 0, flags: 0, last_message_id: null };
    if (channel.type !== 11) return { ...base, position: 0, parent_id: null, topic: null };
    return {
      ...base,
      parent_id: channel.parentId,
      owner_id: channel.ownerId,
      message_count: 0,
      member_count: 1,
      total_message_sent: 0,
      thread_metadata: { archived: false, auto_archive_duration: 1440, archive_timestamp: new Date().toISOString(), locked: false },
    };
  }

  private connected(ws: WebSocket): void {
    this.sockets.add(ws);
    let session: Session | undefined;
    ws.on('close', () => this.sockets.delete(ws));
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    ws.on('message', (data) => {
      let frame: { op: number; d: Record<string, unknown> | null };
      try {
        frame = JSON.parse(String(data));
      } catch {
        return ws.close(4002, 'Decode error');
      }
      this.received.push({ op: frame.op, d: frame.d });
      switch (frame.op) {
        case 1:
          ws.send(JSON.stringify({ op: 11 }));
          break;
        case 2: {
          if (frame.d?.token !== this.token) return ws.close(4004, 'Authentication failed');
          session = { ws, id: `session-${this.snowflake()}`, seq: 0, identified: true, sent: [] };
          this.sessions.set(session.id, session);
          this.emit('identify', session.id);
          this.send(session, 'READY', {
            v: 10,
            user: this.bot,
            guilds: [{ id: this.guildId, unavailable: true }],
            session_id: session.id,
            resume_gateway_url: `ws://127.0.0.1:${this.port}/gw`,
            shard: [0, 1],
            application: { id: this.applicationId, flags: 0 },
          });
          this.send(session, 'GUILD_CREATE', this.guildCreate());
          break;
        }
        case 6: {
          const resumed = this.sessions.get(String(frame.d?.session_id));
          if (!resumed || frame.d?.token !== this.token) return ws.send(JSON.stringify({ op: 9, d: false }));
          // Same session, new socket: replay what the old socket missed, then RESUMED.
          resumed.ws = ws;
          session = resumed;
          const after = Number(frame.d?.seq ?? 0);
          for (const sent of resumed.sent) if (sent.s > after) ws.send(sent.frame);
          this.send(resumed, 'RESUMED', {});
          this.emit('resume', resumed.id);
          break;
        }
        default:
          break;
      }
    });
  }

  private guildCreate(): Record<string, unknown> {
    const inGuild = [...this.channels.values()].filter((c) => c.guildId === this.guildId);
    return {
      id: this.guildId,
      name: 'Test Guild',
      icon: null,
      owner_id: '930000000000000001',
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      features: [],
      mfa_level: 0,
      system_channel_flags: 0,
      premium_tier: 0,
      nsfw_level: 0,
      preferred_locale: 'en-US',
      emojis: [],
      stickers: [],
      roles: [
        { id: this.guildId, name: '@everyone', permissions: '274877975552', position: 0, color: 0, hoist: false, managed: false, mentionable: false, flags: 0 },
        { id: this.botRoleId, name: String(this.bot.username), permissions: '277025508352', position: 1, color: 0, hoist: false, managed: true, mentionable: false, flags: 0, tags: { bot_id: this.bot.id } },
      ],
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 2,
      members: [],
      voice_states: [],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      channels: inGuild.filter((c) => c.type !== 11).map((c) => this.channelObject(c)),
      // Active threads come with the guild, so a new session (another process) knows the threads opened earlier.
      threads: inGuild.filter((c) => c.type === 11).map((c) => this.channelObject(c)),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | undefined;
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
    } catch {
      body = undefined;
    }
    const method = req.method ?? 'GET';
    const route = (req.url ?? '/').split('?')[0]!.replace(`/api/v${GATEWAY_VERSION}`, '');
    const answer = (status: number, payload: unknown, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) => {
      const call: DiscordCall = { method, route, body, status, at: Date.now(), ...extra, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) };
      this.calls.push(call);
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(payload === undefined ? '' : JSON.stringify(payload));
      this.emit('request', call);
    };

    // Interaction callbacks are authorised by the interaction token in the path, not the bot token (as on Discord).
    const interactionCallback = /^\/interactions\/\d+\/[^/]+\/callback$/.test(route);
    if (!interactionCallback && req.headers.authorization !== `Bot ${this.token}`) return answer(401, { message: '401: Unauthorized', code: 0 });
    const scripted = this.scripts.findIndex((s) => s.method === method && s.route.test(route));
    if (scripted >= 0) {
      const { answer: a } = this.scripts.splice(scripted, 1)[0]!;
      return answer(a.status, a.body, a.headers);
    }
    let m: RegExpExecArray | null;
    if (method === 'GET' && route === '/gateway/bot') {
      return answer(200, { url: `ws://127.0.0.1:${this.port}/gw`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } });
    }
    if (method === 'POST' && (m = /^\/channels\/(\d+)\/messages$/.exec(route))) {
      const channel = this.channels.get(m[1]!);
      if (!channel) return answer(404, { message: 'Unknown Channel', code: 10003 });
      const id = this.snowflake();
      const posted = {
        ...this.message(id, channel.id, this.bot, String(body?.content ?? '')),
        components: (body?.components as unknown[]) ?? [],
        ...(channel.guildId ? { guild_id: channel.guildId } : {}),
        ...(body?.message_reference ? { type: 19, message_reference: { ...(body.message_reference as object), channel_id: channel.id } } : {}),
      };
      answer(200, posted, {}, { messageId: id });
      // Discord sends the bot its own messages too: the adapter must recognise them.
      this.dispatch('MESSAGE_CREATE', { ...posted, ...(channel.type === 1 ? { channel_type: 1 } : {}) });
      return;
    }
    if (method === 'POST' && (m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(route))) {
      const parent = this.channels.get(m[1]!);
      if (!parent?.guildId) return answer(404, { message: 'Unknown Channel', code: 10003 });
      if (this.channels.has(m[2]!)) return answer(400, { message: 'A thread has already been created for this message', code: 160004 });
      // A thread opened on a message has that message's id.
      const thread: PeerChannel = { id: m[2]!, type: 11, guildId: parent.guildId, parentId: parent.id, ownerId: this.bot.id, name: String(body?.name ?? 'thread') };
      this.channels.set(thread.id, thread);
      const object = this.channelObject(thread);
      answer(201, object);
      this.dispatch('THREAD_CREATE', { ...object, newly_created: true });
      return;
    }
    if (method === 'POST' && interactionCallback) {
      answer(204, undefined);
      this.emit('callback', route, body);
      return;
    }
    answer(404, { message: '404: Not Found (peer)', code: 0 });
  }
}
