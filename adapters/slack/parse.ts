import { z } from 'zod';
import type { ChannelAddress, InboundEvent, Part, RawRequest } from '../types';
import { slackToPlain } from './markup';
import { decodeSlackBody } from './payload';

/** What the adapter knows about its own bot, to recognise echoes of its messages. */
export interface SlackSelf {
  botUserId?: string | undefined;
  botId?: string | undefined;
}

const str = z.string().min(1).max(512);

/** Media parts of Slack files name the file by id: the bytes need the bot token (see `fetchSlackFile`). */
export const SLACK_FILE_PREFIX = 'slack-file:';

/** What we read of a file shared with a message; `mode: "tombstone"` (deleted) and external files have no bytes. */
const slackFile = z
  .object({
    id: str,
    name: z.string().max(1024).nullish(),
    title: z.string().max(1024).nullish(),
    mimetype: z.string().max(255).nullish(),
    size: z.number().nonnegative().nullish(),
    mode: z.string().nullish(),
    url_private: z.string().nullish(),
  })
  .loose();

/** Subtypes that are still a person writing: a message with files, a thread reply also sent to the channel, /me. */
const PERSON_SUBTYPES = new Set(['file_share', 'thread_broadcast', 'me_message']);

/** Only the fields we read; Slack adds fields freely, so unknown keys pass through untouched (kept in `raw`). */
const slackMessage = z.object({
  type: z.enum(['message', 'app_mention']),
  subtype: z.string().optional(),
  user: str.optional(),
  bot_id: str.optional(),
  text: z.string().max(40_000).optional(),
  ts: str,
  thread_ts: str.optional(),
  channel: str,
  channel_type: z.string().optional(),
  files: z.array(z.unknown()).max(100).optional(),
});

const eventCallback = z.object({
  type: z.literal('event_callback'),
  event_id: str.optional(),
  authorizations: z.array(z.object({ user_id: str.optional(), is_bot: z.boolean().optional() })).optional(),
  event: z.object({ type: z.string() }).loose(),
});

const blockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: str, name: z.string().optional() }),
  channel: z.object({ id: str }).optional(),
  container: z.object({ channel_id: str.optional(), message_ts: str.optional(), thread_ts: str.optional() }).loose().optional(),
  message: z.object({ ts: str.optional(), thread_ts: str.optional() }).loose().optional(),
  actions: z.array(z.object({ type: z.string(), action_id: z.string(), value: z.string().optional(), action_ts: str.optional(), text: z.object({ text: z.string() }).optional() })),
});

const slashCommand = z.object({
  command: z.string().regex(/^\/[\w-]+$/),
  text: z.string().max(4000).default(''),
  user_id: str,
  user_name: z.string().optional(),
  channel_id: str,
  channel_name: z.string().optional(),
  trigger_id: str,
});

type Decoded = Record<string, unknown> | undefined;

/** Pure: one Slack request in, normalized events out; shapes we do not handle are `unsupported` (and acknowledged). */
export function parseSlackRequest(req: RawRequest, self: SlackSelf): InboundEvent<Decoded>[] {
  return parseSlackBody(decodeSlackBody(req), self);
}

/**
 * Pure: one decoded Slack body (an Events API callback, an interactivity payload or slash command fields),
 * whichever transport brought it: a webhook (decoded by `decodeSlackBody`) or a Socket Mode envelope's payload.
 */
export function parseSlackBody(body: Decoded, self: SlackSelf): InboundEvent<Decoded>[] {
  if (!body) return [{ kind: 'unsupported', reason: 'body is neither Slack JSON nor a payload form', raw: undefined }];
  if (body.type === 'block_actions') return parseBlockActions(body);
  if (typeof body.command === 'string') return parseSlashCommand(body);
  const envelope = eventCallback.safeParse(body);
  if (!envelope.success) return [{ kind: 'unsupported', reason: `unhandled Slack payload type "${String(body.type)}"`, raw: body }];
  const parsed = slackMessage.safeParse(envelope.data.event);
  if (!parsed.success) return [{ kind: 'unsupported', reason: `unhandled Slack event "${envelope.data.event.type}"`, raw: body }];
  const event = parsed.data;

  // The bot user that received the event is in `authorizations`; settings cover payloads that lack it.
  const ownUsers = new Set([self.botUserId, ...(envelope.data.authorizations ?? []).filter((a) => a.is_bot).map((a) => a.user_id)].filter(Boolean));
  const isSelf = (event.user !== undefined && ownUsers.has(event.user)) || (self.botId !== undefined && event.bot_id === self.botId);
  if (!isSelf && (event.bot_id || event.subtype === 'bot_message')) {
    // Another bot: answering it risks two bots talking to each other forever.
    return [{ kind: 'unsupported', reason: 'message from another bot', raw: body }];
  }
  // Edits, deletions, joins...: not something a customer asked.
  if (!isSelf && event.subtype && !PERSON_SUBTYPES.has(event.subtype)) return [{ kind: 'unsupported', reason: `message subtype "${event.subtype}"`, raw: body }];
  // Each customer message must reach us once: in channels a mention only as `app_mention` (the `message` copy is
  // dropped), in DMs only as `message` (a mention inside a DM is not a second question). A channel reply in a
  // thread without a mention is "ambient": it counts only if it continues a conversation or a desk thread.
  const ambient = event.type === 'message' && !isDirect(event);
  if (ambient && mentionsUs(event.text ?? '', ownUsers)) return [{ kind: 'unsupported', reason: 'mention (handled as app_mention)', raw: body }];
  if (ambient && !event.thread_ts) return [{ kind: 'unsupported', reason: 'channel message without a mention', raw: body }];
  if (event.type === 'app_mention' && isDirect(event)) return [{ kind: 'unsupported', reason: 'mention in a DM (handled as message.im)', raw: body }];
  if (!event.user && !isSelf) return [{ kind: 'unsupported', reason: 'message without a user', raw: body }];

  const text = slackToPlain(event.type === 'app_mention' ? stripLeadingMention(event.text ?? '', ownUsers) : (event.text ?? ''), ownUsers).trim();
  const files = filesOf(event.files);
  if (!text && !files.length && !isSelf) return [{ kind: 'unsupported', reason: 'empty message', raw: body }];
  return [
    {
      kind: 'message',
      // Slack's retries (X-Slack-Retry-Num) repeat the event_id; channel + ts is the fallback natural key.
      externalId: envelope.data.event_id ?? `${event.channel}:${event.ts}`,
      from: { externalId: event.user ?? event.bot_id ?? 'bot' },
      address: addressOf(event),
      parts: [...(text || !files.length ? [{ type: 'text' as const, text }] : []), ...files],
      sentAt: slackTime(event.ts),
      isSelf,
      ...(ambient ? { ambient: true } : {}),
      raw: body,
    },
  ];
}

function mentionsUs(text: string, ownUsers: Set<string | undefined>): boolean {
  return [...ownUsers].some((id) => id !== undefined && text.includes(`<@${id}`));
}

/** `/switchboard mine`: answered in the HTTP response (ephemeral), so it has no thread or conversation. */
function parseSlashCommand(body: Record<string, unknown>): InboundEvent<Decoded>[] {
  const parsed = slashCommand.safeParse(body);
  if (!parsed.success) return [{ kind: 'unsupported', reason: 'slash command without user, channel or trigger', raw: body }];
  const c = parsed.data;
  return [
    {
      kind: 'command',
      externalId: c.trigger_id,
      from: { externalId: c.user_id, ...(c.user_name ? { handle: c.user_name } : {}) },
      // The name too: a desk configured as `#support-desk` is recognised before any card told us its id.
      address: { to: c.channel_id, ...(c.channel_name ? { extra: { channelName: c.channel_name } } : {}) },
      command: c.command,
      text: c.text.trim(),
      raw: body,
    },
  ];
}

/**
 * DMs: the DM channel, threaded only if the customer wrote in a thread. Channel mentions: always the thread under
 * the mention, so every mention is its own conversation and the answer does not flood the channel.
 */
function addressOf(event: z.infer<typeof slackMessage>): ChannelAddress {
  const threadId = event.thread_ts ?? (event.type === 'app_mention' && !isDirect(event) ? event.ts : undefined);
  return { to: event.channel, ...(threadId ? { threadId } : {}) };
}

/** DM channel ids start with D; app_mention events carry no channel_type. */
function isDirect(event: z.infer<typeof slackMessage>): boolean {
  return event.channel_type === 'im' || event.channel.startsWith('D');
}

function parseBlockActions(body: Record<string, unknown>): InboundEvent<Decoded>[] {
  const parsed = blockActions.safeParse(body);
  const action = parsed.success ? parsed.data.actions.find((a) => a.type === 'button' && a.value) : undefined;
  if (!parsed.success || !action) return [{ kind: 'unsupported', reason: 'block_actions without a button value', raw: body }];
  const p = parsed.data;
  const channel = p.channel?.id ?? p.container?.channel_id;
  const messageTs = p.container?.message_ts ?? p.message?.ts;
  if (!channel || !messageTs || !action.action_ts) return [{ kind: 'unsupported', reason: 'block_actions without channel or message', raw: body }];
  const threadId = p.container?.thread_ts ?? p.message?.thread_ts;
  return [
    {
      kind: 'action',
      externalId: `${channel}:${messageTs}:${action.action_id}:${action.action_ts}`,
      from: { externalId: p.user.id, ...(p.user.name ? { handle: p.user.name } : {}) },
      address: { to: channel, ...(threadId ? { threadId } : {}) },
      value: action.value!,
      ...(action.text ? { title: action.text.text } : {}),
      sentAt: slackTime(action.action_ts),
      raw: body,
    },
  ];
}

function stripLeadingMention(text: string, ownUsers: Set<string | undefined>): string {
  const match = /^\s*<@([A-Z0-9]+)(?:\|[^>]*)?>[\s,:]*/i.exec(text);
  // Unknown bot id: an app_mention is only sent to us, so its leading mention is ours.
  if (match && (ownUsers.size === 0 || ownUsers.has(match[1]))) return text.slice(match[0].length);
  return text;
}

/** Files shared with the message (uploads, snippets, voice clips): media parts by file id, deleted ones left out. */
function filesOf(files: unknown[] | undefined): Part[] {
  const parts: Part[] = [];
  for (const f of files ?? []) {
    const parsed = slackFile.safeParse(f);
    if (!parsed.success || parsed.data.mode === 'tombstone' || parsed.data.mode === 'hidden_by_limit' || !parsed.data.url_private) continue;
    const file = parsed.data;
    const name = file.name || file.title;
    parts.push({
      type: 'media',
      url: `${SLACK_FILE_PREFIX}${file.id}`,
      ...(file.mimetype ? { mimeType: file.mimetype } : {}),
      ...(name ? { name } : {}),
      ...(typeof file.size === 'number' ? { sizeBytes: file.size } : {}),
    });
  }
  return parts;
}

function slackTime(ts: string): Date {
  const seconds = Number(ts);
  return Number.isFinite(seconds) ? new Date(seconds * 1000) : new Date(0);
}
