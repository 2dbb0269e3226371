import type { Activity, ConversationParameters } from '@microsoft/agents-activity';
import type { DeskNotice, DeskSurface, DeskTarget, DeskThreadRef, EscalationCard, ThreadPost } from '../desk';
import { AdapterError, type ChannelInstance } from '../types';
import { splitConversationId, threadConversationId } from './activity';
import { deskButtonsCard, escalationCard } from './cards';
import { readTeamsConfig, toAuthConfiguration } from './config';
import { TeamsConnector } from './connector';
import { fromTeamsError } from './errors';
import type { TeamsAdapterDeps } from './index';
import { messageActivity, type BotAccount } from './outbound';

/**
 * The desk in a Teams channel: each escalation is a new thread whose root is the Adaptive Card; the card is redrawn
 * in place (PUT) and everything else is posted into the thread. Taps come back through the channel adapter's parse
 * as `action` events (`{action: 'sb:claim:…'}`), agents' replies as thread messages.
 */
export function createTeamsDesk(channel: ChannelInstance, deps: TeamsAdapterDeps): DeskSurface {
  const clock = deps.clock ?? (() => new Date());
  const config = readTeamsConfig(channel);
  const connector = new TeamsConnector(config, toAuthConfiguration(config, deps.timeoutMs), deps.timeoutMs);
  const bot: BotAccount | undefined = config.appId ? { id: `28:${config.appId}`, ...(config.botName ? { name: config.botName } : {}) } : undefined;

  const serviceUrlOf = (extra: Record<string, string> | undefined) => extra?.serviceUrl ?? config.serviceUrl;

  function cardActivity(card: EscalationCard): Activity {
    return messageActivity('', bot, escalationCard(card));
  }

  /** POSTs /v3/conversations into a channel: a new thread whose root is `activity`. */
  async function startThread(target: DeskTarget, activity: Activity): Promise<DeskThreadRef> {
    const serviceUrl = serviceUrlOf(target.extra);
    const tenantId = target.extra?.tenantId ?? config.tenantId;
    // TeamsInfo's sendMessageToTeamsChannel does the same, but needs a turn we do not have.
    const params: ConversationParameters & { bot?: BotAccount } = {
      isGroup: true,
      channelData: { channel: { id: target.channel }, ...(tenantId ? { tenant: { id: tenantId } } : {}), ...(target.extra?.teamId ? { team: { id: target.extra.teamId } } : {}) },
      activity,
      ...(tenantId ? { tenantId } : {}),
      ...(bot ? { bot } : {}),
    };
    try {
      const client = await connector.client(serviceUrl);
      const created = await client.createConversation(params);
      // The root's id is `activityId`; some connectors only encode it in the thread's conversation id.
      const rootId = created?.activityId || (created?.id ? splitConversationId(created.id).rootId : undefined);
      if (!rootId) throw new AdapterError('unavailable', 'createConversation returned no activity id', { channel: 'teams', platformCode: 'no_activity_id' });
      return {
        channel: target.channel,
        rootId,
        extra: {
          conversationId: created.id || threadConversationId(target.channel, rootId),
          serviceUrl: serviceUrl!,
          ...(tenantId ? { tenantId } : {}),
          ...(target.extra?.teamId ? { teamId: target.extra.teamId } : {}),
        },
      };
    } catch (err) {
      throw fromTeamsError(err, 'createConversation', clock());
    }
  }

  return {
    kind: 'teams',

    async postCard(target: DeskTarget, card: EscalationCard): Promise<DeskThreadRef> {
      return startThread(target, cardActivity(card));
    },

    async postNotice(target: DeskTarget, notice: DeskNotice): Promise<{ id?: string }> {
      const thread = await startThread(target, messageActivity(noticeText(notice), bot));
      return { id: thread.rootId };
    },

    async updateCard(thread: DeskThreadRef, card: EscalationCard): Promise<void> {
      const activity = cardActivity(card);
      activity.id = thread.rootId;
      try {
        const client = await connector.client(serviceUrlOf(thread.extra));
        await client.updateActivity(threadOf(thread), thread.rootId, activity);
      } catch (err) {
        throw fromTeamsError(err, 'updateActivity', clock());
      }
    },

    async postInThread(thread: DeskThreadRef, post: ThreadPost): Promise<{ id?: string }> {
      const activity = messageActivity(postText(post), bot, post.buttons?.length ? deskButtonsCard(post.buttons) : undefined);
      try {
        const client = await connector.client(serviceUrlOf(thread.extra));
        const result = await client.sendToConversation(threadOf(thread), activity);
        return result?.id ? { id: result.id } : {};
      } catch (err) {
        throw fromTeamsError(err, 'sendToConversation', clock());
      }
    },
  };
}

const NOTICE_MARK: Record<DeskNotice['tone'], string> = { critical: '🔴', warning: '🟠', resolved: '✅' };

/** An alert as Teams markdown: the title, what is wrong, the facts, a link to the console. */
function noticeText(notice: DeskNotice): string {
  const lines = [`${NOTICE_MARK[notice.tone]} **${notice.title}**`, '', notice.text, '', ...notice.fields.map((f) => `- **${f.label}:** ${f.value}`)];
  if (notice.url) lines.push('', `[Open in the console](${notice.url})`);
  return lines.join('\n');
}

function threadOf(thread: DeskThreadRef): string {
  return thread.extra?.conversationId ?? threadConversationId(thread.channel, thread.rootId);
}

/** Mirrored customer messages are attributed; internal kinds get a marker so nobody mistakes them for replies. */
function postText(post: ThreadPost): string {
  switch (post.kind) {
    case 'customer':
      return `**${post.authorName ?? 'Customer'}:** ${post.text}`;
    case 'bot':
      return `**Bot:** ${post.text}`;
    case 'assist':
      return `💡 ${post.text}`;
    case 'reminder':
      return `⏰ ${post.text}`;
    case 'event':
      return `_${post.text}_`;
  }
}
