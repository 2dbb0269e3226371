import type { ChannelAddress, Identity, InboundEvent, Part, RawRequest } from '../types';
import { activitySchema, decodeActivityBody, splitConversationId, threadConversationId, type TeamsActivity } from './activity';

/** What the adapter knows about its own bot, to recognise echoes and mentions of it. */
export interface TeamsSelf {
  appId?: string | undefined;
}

type Decoded = Record<string, unknown> | undefined;
type Essentials = 'id' | 'from' | 'recipient' | 'conversation' | 'serviceUrl';
/** An activity with what every event needs (checked in parseTeamsRequest). */
type Message = TeamsActivity & { [K in Essentials]-?: NonNullable<TeamsActivity[K]> };

/** Pure: one Bot Framework activity in, normalized events out; shapes we do not handle are `unsupported` (acked). */
export function parseTeamsRequest(req: RawRequest, self: TeamsSelf): InboundEvent<Decoded>[] {
  const body = decodeActivityBody(req);
  if (!body) return [{ kind: 'unsupported', reason: 'body is not a JSON activity', raw: undefined }];
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success) return [{ kind: 'unsupported', reason: `not a Bot Framework activity (${parsed.error.issues[0]?.path.join('.') || 'shape'})`, raw: body }];
  const activity = parsed.data;
  // conversationUpdate (installs, members), typing, messageReaction, installationUpdate, messageUpdate/Delete...:
  // nothing a customer asked.
  if (activity.type !== 'message' && activity.type !== 'invoke') return [{ kind: 'unsupported', reason: `activity type "${activity.type}"`, raw: body }];
  if (!activity.id || !activity.from || !activity.recipient || !activity.conversation || !activity.serviceUrl) {
    return [{ kind: 'unsupported', reason: `${activity.type} without id, from, recipient, conversation or serviceUrl`, raw: body }];
  }
  const a = activity as unknown as Message;
  if (a.type === 'invoke') {
    // Action.Execute (Universal Actions). Other invokes (message extensions, task modules, sign-in) are not ours.
    return a.name === 'adaptiveCard/action' ? parseExecute(a, body) : [{ kind: 'unsupported', reason: `invoke "${a.name ?? ''}"`, raw: body }];
  }
  const isSelf = isOwn(a, self);
  // Action.Submit arrives as a message with the button's data in `value` and no text.
  if (!isSelf && isRecord(a.value) && !a.text?.trim()) return parseSubmit(a, a.value, body);

  const mentionsUs = botMentions(a, self);
  const text = toPlainText(removeMentions(a.text ?? '', mentionsUs.texts)).trim();
  const media = mediaParts(a);
  if (!text && media.length === 0 && !isSelf) return [{ kind: 'unsupported', reason: 'empty message', raw: body }];
  const parts: Part[] = [...(text ? [{ type: 'text' as const, text }] : []), ...media];
  const shared = a.conversation.conversationType === 'channel' || a.conversation.conversationType === 'groupChat';
  return [
    {
      kind: 'message',
      externalId: externalIdOf(a),
      from: identityOf(a),
      address: addressOf(a),
      parts,
      sentAt: timeOf(a),
      isSelf,
      // With resource-specific consent Teams also delivers channel/group messages that do not mention the bot: they
      // only count when they continue a conversation we are in.
      ...(shared && !mentionsUs.found ? { ambient: true } : {}),
      raw: body,
    },
  ];
}

/**
 * Personal and group chats: the conversation id. Channels: the channel's id as `to` and the thread root as
 * `threadId`, so a mention that starts a thread and every reply in it share one address (one conversation).
 * `extra` holds all that a later send needs without the request.
 */
export function addressOf(a: Message): ChannelAddress {
  const { base, rootId } = splitConversationId(a.conversation.id);
  const isChannel = a.conversation.conversationType === 'channel';
  // A channel post that starts a thread is its own root (Teams normally says so with ;messageid=).
  const threadId = rootId ?? (isChannel ? a.id : undefined);
  const tenantId = a.conversation.tenantId ?? a.channelData?.tenant?.id;
  const extra: Record<string, string> = {
    serviceUrl: a.serviceUrl,
    conversationId: threadConversationId(base, threadId),
    conversationType: a.conversation.conversationType ?? 'personal',
    botId: a.recipient.id,
    ...(a.recipient.name ? { botName: a.recipient.name } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(a.channelData?.team?.id ? { teamId: a.channelData.team.id } : {}),
    ...(a.channelData?.channel?.id ? { teamsChannelId: a.channelData.channel.id } : {}),
  };
  return { to: base, ...(threadId ? { threadId } : {}), extra };
}

function parseSubmit(a: Message, value: Record<string, unknown>, body: Decoded): InboundEvent<Decoded>[] {
  // Our cards carry `{action}` (desk buttons) or `{choice, title}` (reply choices).
  const picked = typeof value.action === 'string' ? value.action : typeof value.choice === 'string' ? value.choice : undefined;
  if (!picked) return [{ kind: 'unsupported', reason: 'card submit without an action or choice', raw: body }];
  return [actionEvent(a, picked, typeof value.title === 'string' ? value.title : undefined, body)];
}

function parseExecute(a: Message, body: Decoded): InboundEvent<Decoded>[] {
  const action = isRecord(a.value) && isRecord(a.value.action) ? a.value.action : undefined;
  const data = action && isRecord(action.data) ? action.data : {};
  const picked = [data.action, data.choice, action?.verb].find((v): v is string => typeof v === 'string' && v.length > 0);
  if (!picked) return [{ kind: 'unsupported', reason: 'Action.Execute without a verb, action or choice', raw: body }];
  return [actionEvent(a, picked, typeof action?.title === 'string' ? action.title : undefined, body)];
}

function actionEvent(a: Message, value: string, title: string | undefined, body: Decoded): InboundEvent<Decoded> {
  return { kind: 'action', externalId: externalIdOf(a), from: identityOf(a), address: addressOf(a), value, ...(title ? { title } : {}), sentAt: timeOf(a), raw: body };
}

/** Activity ids are unique within a conversation only; redeliveries repeat both. */
function externalIdOf(a: Message): string {
  return `${a.conversation.id}:${a.id}`;
}

/** The AAD object id is stable across chats, apps and tenants' views of the user; the 29: id is per bot. */
function identityOf(a: Message): Identity {
  return { externalId: a.from.aadObjectId || a.from.id, ...(a.from.name ? { displayName: a.from.name } : {}) };
}

function isOwn(a: Message, self: TeamsSelf): boolean {
  const ours = new Set([a.recipient.id, self.appId, self.appId ? `28:${self.appId}` : undefined].filter(Boolean));
  return ours.has(a.from.id);
}

/**
 * The `<at>…</at>` texts of mentions of our bot. Teams lists each mention as an entity, normally with its exact
 * `text`; some clients and relays send the entity with `mentioned` only (no `text`), so the tag is rebuilt from the
 * mentioned name and from our own name (`recipient.name`), and when neither matches the text, a leading `<at>…</at>`
 * that names nobody else is ours (a channel message reaches the bot only through its mention).
 */
function botMentions(a: Message, self: TeamsSelf): { found: boolean; texts: string[] } {
  const ours = new Set([a.recipient.id, self.appId, self.appId ? `28:${self.appId}` : undefined].filter(Boolean));
  const mentions = (a.entities ?? []).filter((e) => e.type === 'mention').map((e) => e as { mentioned?: { id?: unknown; name?: unknown }; text?: unknown });
  const isOurs = (e: (typeof mentions)[number]) => typeof e.mentioned?.id === 'string' && ours.has(e.mentioned.id);
  const ourMentions = mentions.filter(isOurs);
  if (ourMentions.length === 0) return { found: false, texts: [] };
  const text = a.text ?? '';
  const texts = new Set<string>();
  const names = new Set<string>();
  for (const e of ourMentions) {
    if (typeof e.text === 'string' && e.text) texts.add(e.text);
    if (typeof e.mentioned?.name === 'string' && e.mentioned.name.trim()) names.add(e.mentioned.name.trim());
  }
  if (a.recipient.name?.trim()) names.add(a.recipient.name.trim());
  const others = new Set(mentions.filter((e) => !isOurs(e)).map((e) => (typeof e.mentioned?.name === 'string' ? e.mentioned.name.trim().toLowerCase() : '')));
  for (const tag of text.matchAll(/<at[^>]*>([^<]*)<\/at>/gi)) {
    const inner = decodeEntities(tag[1]!).trim();
    if ([...names].some((n) => n.toLowerCase() === inner.toLowerCase())) texts.add(tag[0]);
  }
  const leading = /^\s*(?:<p>\s*)?(<at[^>]*>([^<]*)<\/at>)/i.exec(text);
  if (![...texts].some((t) => text.includes(t)) && leading && !others.has(decodeEntities(leading[2]!).trim().toLowerCase())) texts.add(leading[1]!);
  return { found: true, texts: [...texts] };
}

function removeMentions(text: string, mentionTexts: string[]): string {
  let out = text;
  for (const mention of mentionTexts) out = out.split(mention).join(' ');
  return out;
}

/**
 * Teams text is HTML-ish: `<at>Name</at>` for other people's mentions (kept as the name), `<p>`/`<br>` when the
 * user formatted the message, and HTML entities.
 */
export function toPlainText(text: string): string {
  return decodeEntities(
    text
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/(p|div|li)>/gi, '\n')
      .replace(/<[^>]+>/g, ''),
  )
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n');
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/**
 * Images (inline or pasted) and files. Teams also attaches a `text/html` copy of the message and cards; those are
 * not media.
 */
function mediaParts(a: Message): Part[] {
  const parts: Part[] = [];
  for (const att of a.attachments ?? []) {
    if (att.contentType === 'application/vnd.microsoft.teams.file.download.info' && isRecord(att.content) && typeof att.content.downloadUrl === 'string') {
      parts.push({ type: 'media', url: att.content.downloadUrl, ...(att.name ? { name: att.name } : {}) });
    } else if (/^(image|audio|video)\//.test(att.contentType) && att.contentUrl) {
      parts.push({ type: 'media', url: att.contentUrl, mimeType: att.contentType, ...(att.name ? { name: att.name } : {}) });
    }
  }
  return parts;
}

function timeOf(a: Message): Date {
  const at = a.timestamp ? Date.parse(a.timestamp) : NaN;
  return Number.isNaN(at) ? new Date(0) : new Date(at);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}
