import { LRUCache } from 'lru-cache';
import type { DeskSurface, DeskTarget, DeskThreadRef, EscalationCard, ThreadPost } from '../desk';
import type { ChannelInstance } from '../types';
import { slackClient } from './client';
import { escalationBlocks, threadPostBlocks } from './desk-blocks';
import { fromSlackError } from './errors';

/**
 * Slack as the agents' desk: the escalation card is a channel message (its `ts` is the thread root), state
 * changes redraw it with `chat.update`, everything else is a thread reply. Uses the same bot token as the
 * customer-facing Slack adapter; scopes: chat:write, users:read (names for attribution).
 */
export function createSlackDesk(channel: ChannelInstance, deps: { timeoutMs: number }): DeskSurface {
  const client = slackClient(channel, deps.timeoutMs);
  // Agents' names change rarely; a lookup per message would spend the users.info rate limit for nothing.
  const names = new LRUCache<string, string>({ max: 5_000, ttl: 60 * 60 * 1000 });

  return {
    kind: 'slack',

    async postCard(target: DeskTarget, card: EscalationCard): Promise<DeskThreadRef> {
      const { text, blocks } = escalationBlocks(card);
      try {
        const result = await client.chat.postMessage({ channel: target.channel, text, blocks, unfurl_links: false });
        if (!result.ts) throw new Error('chat.postMessage returned no ts');
        return { channel: result.channel ?? target.channel, rootId: result.ts };
      } catch (err) {
        throw fromSlackError(err, 'chat.postMessage');
      }
    },

    async updateCard(thread: DeskThreadRef, card: EscalationCard): Promise<void> {
      const { text, blocks } = escalationBlocks(card);
      try {
        await client.chat.update({ channel: thread.channel, ts: thread.rootId, text, blocks });
      } catch (err) {
        throw fromSlackError(err, 'chat.update');
      }
    },

    async postInThread(thread: DeskThreadRef, post: ThreadPost): Promise<{ id?: string }> {
      const { text, blocks } = threadPostBlocks(post);
      try {
        // A reminder is also shown in the channel: an unclaimed escalation must not hide in a thread.
        const broadcast = post.kind === 'reminder' ? { reply_broadcast: true } : {};
        const result = await client.chat.postMessage({ channel: thread.channel, thread_ts: thread.rootId, text, ...(blocks ? { blocks } : {}), ...broadcast, unfurl_links: false });
        return result.ts ? { id: result.ts } : {};
      } catch (err) {
        throw fromSlackError(err, 'chat.postMessage');
      }
    },

    async userName(userId: string): Promise<string | undefined> {
      const known = names.get(userId);
      if (known) return known;
      try {
        const { user } = await client.users.info({ user: userId });
        const name = user?.profile?.display_name || user?.real_name || user?.name;
        if (name) names.set(userId, name);
        return name || undefined;
      } catch {
        // Without users:read the desk still works; the card then shows the Slack handle.
        return undefined;
      }
    },
  };
}
