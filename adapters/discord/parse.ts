import type { ChannelAddress, Identity, InboundEvent, Part } from '../types';

/**
 * What we read of a gateway `MESSAGE_CREATE`, flattened from discord.js's `Message` (see `messageView` in
 * connection.ts) so parsing stays pure and testable with plain objects. Kept as the stored `raw`: strings and
 * numbers only, field names MongoDB accepts.
 */
export interface DiscordMessageView {
  id: string;
  channelId: string;
  /** Absent in DMs. */
  guildId?: string;
  /** Discord's channel type: 1 DM, 0 text, 5 announcement, 10/11/12 threads. */
  channelType: number;
  /** Threads: the channel the thread hangs off, and who started it (our bot, when we opened it on a mention). */
  parentId?: string;
  threadOwnerId?: string;
  /** Discord's message type: 0 default, 19 reply; everything else is a system message. */
  type: number;
  author: { id: string; username: string; globalName?: string; bot: boolean };
  webhookId?: string;
  content: string;
  mentionedUserIds: string[];
  /** Roles the message mentions (`mention_roles`, `<@&id>`). */
  mentionedRoleIds?: string[];
  /**
   * The bot's own roles in this guild: the managed role Discord creates for a bot (`tags.bot_id` = our user id).
   * People often mention that role instead of the bot (the client offers both under the same name).
   */
  botRoleIds?: string[];
  attachments: Array<{ url: string; name: string; contentType?: string; size: number }>;
  timestamp: string;
}

/** A button click (`INTERACTION_CREATE`, message component), flattened the same way. */
export interface DiscordComponentView {
  id: string;
  customId: string;
  /** The clicked button's label, when the client knows the message it sits on. */
  label?: string;
  channelId: string;
  guildId?: string;
  channelType?: number;
  parentId?: string;
  messageId: string;
  user: { id: string; username: string; globalName?: string };
  timestamp: string;
}

export interface DiscordSelf {
  /** Unknown only before READY; until then nothing can be recognised as ours. */
  botUserId: string | undefined;
  /** The server answers mentions in a thread opened on the mention (setting `threads`). */
  threads: boolean;
}

/** custom_ids we had to invent (choice ids over Discord's 100 characters): the click comes back as the label's text. */
export const LABEL_CHOICE_PREFIX = 'sb-label:';

const THREAD_TYPES = new Set([10, 11, 12]);
const USER_MESSAGE_TYPES = new Set([0, 19]);
const THREAD_NAME_MAX = 100;

export function isThreadType(channelType: number | undefined): boolean {
  return channelType !== undefined && THREAD_TYPES.has(channelType);
}

/** Pure: one gateway message in, normalized events out; what we do not answer is `unsupported`. Never throws. */
export function parseDiscordMessage(view: DiscordMessageView, self: DiscordSelf): InboundEvent<DiscordMessageView>[] {
  const unsupported = (reason: string): InboundEvent<DiscordMessageView>[] => [{ kind: 'unsupported', reason, raw: view }];
  const isSelf = self.botUserId !== undefined && view.author.id === self.botUserId;
  // Another bot or a webhook: answering it risks two bots talking to each other forever.
  if (!isSelf && (view.author.bot || view.webhookId)) return unsupported('message from another bot');
  // Pins, joins, boosts, "started a thread"...: not something a customer asked.
  if (!isSelf && !USER_MESSAGE_TYPES.has(view.type)) return unsupported(`system message type ${view.type}`);

  const botRoles = new Set(view.botRoleIds ?? []);
  const mentioned =
    (self.botUserId !== undefined && view.mentionedUserIds.includes(self.botUserId)) || (view.mentionedRoleIds ?? []).some((id) => botRoles.has(id));
  let address: ChannelAddress;
  let ambient = false;
  const text = stripMentions(view.content, self.botUserId, botRoles).trim();
  if (!view.guildId) {
    address = { to: view.channelId };
  } else if (isThreadType(view.channelType)) {
    if (!view.parentId) return unsupported('thread message without a parent channel');
    // In a thread we opened, the customer just keeps talking: no mention needed (Slack's thread replies, too).
    const ours = self.botUserId !== undefined && view.threadOwnerId === self.botUserId;
    if (!mentioned && !ours && !isSelf) return unsupported('thread message without a mention');
    ambient = !mentioned;
    // Keyed by the parent and the thread, like the mention that opened it: both land in one conversation.
    address = { to: view.parentId, threadId: view.channelId };
  } else {
    if (!mentioned && !isSelf) return unsupported('channel message without a mention');
    address = self.threads
      ? // The thread does not exist yet: the first reply opens it on this message, and a thread's id is the id of
        // the message it was opened on. Every mention becomes its own conversation, and the channel stays readable.
        { to: view.channelId, threadId: view.id, extra: { openThread: '1', threadName: threadName(text, view.author) } }
      : // No threads: the reply quotes the customer's message so it is clear whom it answers.
        { to: view.channelId, extra: { replyTo: view.id } };
  }

  const parts: Part[] = [
    ...(text ? [{ type: 'text' as const, text }] : []),
    ...view.attachments.map((a) => ({
      type: 'media' as const,
      url: a.url,
      name: a.name,
      sizeBytes: a.size,
      ...(a.contentType ? { mimeType: a.contentType } : {}),
    })),
  ];
  if (parts.length === 0 && !isSelf) return unsupported('empty message');
  return [
    {
      kind: 'message',
      // Snowflakes are unique across Discord; a replayed dispatch (RESUME) repeats the same id.
      externalId: view.id,
      from: identityOf(view.author),
      address,
      parts,
      sentAt: discordTime(view.timestamp),
      isSelf,
      ...(ambient ? { ambient: true } : {}),
      raw: view,
    },
  ];
}

/** Pure: a button click becomes an `action` carrying the choice id (our custom_id), in the conversation it was shown in. */
export function parseDiscordComponent(view: DiscordComponentView): InboundEvent<DiscordComponentView>[] {
  if (!view.customId) return [{ kind: 'unsupported', reason: 'component without a custom_id', raw: view }];
  let address: ChannelAddress;
  if (!view.guildId) address = { to: view.channelId };
  else if (isThreadType(view.channelType)) {
    if (!view.parentId) return [{ kind: 'unsupported', reason: 'thread component without a parent channel', raw: view }];
    address = { to: view.parentId, threadId: view.channelId };
  } else address = { to: view.channelId, extra: { replyTo: view.messageId } };
  const from = identityOf(view.user);
  const sentAt = discordTime(view.timestamp);
  if (view.customId.startsWith(LABEL_CHOICE_PREFIX)) {
    // The choice id did not fit a custom_id: the label is sent as the customer's words, which the processor
    // matches against the choices it offered.
    if (!view.label) return [{ kind: 'unsupported', reason: 'label choice without a label', raw: view }];
    return [{ kind: 'message', externalId: view.id, from, address, parts: [{ type: 'text', text: view.label }], sentAt, isSelf: false, raw: view }];
  }
  return [
    {
      kind: 'action',
      // The interaction id: a click is a new event each time, and a redelivered one keeps its id.
      externalId: view.id,
      from,
      address,
      value: view.customId,
      ...(view.label ? { title: view.label } : {}),
      sentAt,
      raw: view,
    },
  ];
}

function identityOf(user: { id: string; username: string; globalName?: string }): Identity {
  return { externalId: user.id, displayName: user.globalName ?? user.username, handle: user.username };
}

/**
 * `<@id>`, the legacy nickname form `<@!id>` and our managed role `<@&id>`; only our own mention is noise, other
 * people's and roles' are content.
 */
function stripMentions(content: string, botUserId: string | undefined, botRoles: Set<string>): string {
  return content.replace(/<@(!|&)?(\d+)>[\s,:]*/g, (whole, kind: string | undefined, id: string) => {
    const ours = kind === '&' ? botRoles.has(id) : botUserId !== undefined && id === botUserId;
    return ours ? '' : whole;
  });
}

function threadName(text: string, author: { username: string; globalName?: string }): string {
  const base = text.replace(/\s+/g, ' ').trim() || `Question from ${author.globalName ?? author.username}`;
  return base.length > THREAD_NAME_MAX ? `${base.slice(0, THREAD_NAME_MAX - 1)}…` : base;
}

function discordTime(iso: string): Date {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? new Date(0) : at;
}
