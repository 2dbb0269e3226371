import { LRUCache } from 'lru-cache';
import type { DeskNotice, DeskSurface, DeskTarget, DeskThreadRef, EscalationCard, ThreadPost } from '../desk';
import type { ChannelInstance } from '../types';
import { slackClient } from './client';
import { escalationBlocks, noticeBlocks, threadPostBlocks } from './desk-blocks';
import { fromSlackError } from './errors';

/** The message metadata type our escalation cards carry (with `{nonce}`): how a card is recognised when read back. */
export const CARD_EVENT_TYPE = 'switchboard_desk_card';
/** Our clock and Slack's may disagree: the search for a card starts this much before the first attempt. */
const CLOCK_SKEW_S = 60;
/** Pages of channel history read looking for a card (200 messages each): a busy desk channel is not read to the end. */
const MAX_PAGES = 5;

/**
 * Slack as the agents' desk: the escalation card is a channel message (its `ts` is the thread root), state
 * changes redraw it with `chat.update`, everything else is a thread reply. Uses the same bot token as the
 * customer-facing Slack adapter; scopes: chat:write, users:read (names for attribution), channels:history (or
 * groups:history for a private desk channel: reading a card back by its metadata nonce instead of posting twice).
 */
export function createSlackDesk(channel: ChannelInstance, deps: { timeoutMs: number }): DeskSurface {
  const client = slackClient(channel, deps.timeoutMs);
  // Agents' names change rarely; a lookup per message would spend the users.info rate limit for nothing.
  const names = new LRUCache<string, string>({ max: 5_000, ttl: 60 * 60 * 1000 });

  return {
    kind: 'slack',

    async postCard(target: DeskTarget, card: EscalationCard, nonce?: string): Promise<DeskThreadRef> {
      const { text, blocks } = escalationBlocks(card);
      try {
        // chat.postMessage has no idempotency key; the metadata nonce is what lets findCard recognise this card later.
        const metadata = nonce ? { metadata: { event_type: CARD_EVENT_TYPE, event_payload: { nonce } } } : {};
        const result = await client.chat.postMessage({ channel: target.channel, text, blocks, unfurl_links: false, ...metadata });
        if (!result.ts) throw new Error('chat.postMessage returned no ts');
        return { channel: result.channel ?? target.channel, rootId: result.ts };
      } catch (err) {
        throw fromSlackError(err, 'chat.postMessage');
      }
    },

    async findCard(target: DeskTarget, nonce: string, since: Date): Promise<DeskThreadRef | undefined> {
      let cursor: string | undefined;
      try {
        for (let page = 0; page < MAX_PAGES; page++) {
          const result = await client.conversations.history({
            channel: target.channel,
            oldest: String(Math.floor(since.getTime() / 1000) - CLOCK_SKEW_S),
            include_all_metadata: true,
            limit: 200,
            ...(cursor ? { cursor } : {}),
          });
          const card = result.messages?.find((m) => m.ts && nonceOf(m) === nonce);
          if (card?.ts) return { channel: target.channel, rootId: card.ts };
          cursor = result.response_metadata?.next_cursor || undefined;
          if (!result.has_more || !cursor) return undefined;
        }
        return undefined;
      } catch (err) {
        throw fromSlackError(err, 'conversations.history');
      }
    },

    async cardNonce(channelId: string, rootId: string): Promise<string | undefined> {
      try {
        const result = await client.conversations.history({ channel: channelId, latest: rootId, inclusive: true, limit: 1, include_all_metadata: true });
        const root = result.messages?.find((m) => m.ts === rootId);
        return root ? nonceOf(root) : undefined;
      } catch (err) {
        throw fromSlackError(err, 'conversations.history');
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

    async postNotice(target: DeskTarget, notice: DeskNotice): Promise<{ id?: string }> {
      const { text, blocks } = noticeBlocks(notice);
      try {
        const result = await client.chat.postMessage({ channel: target.channel, text, blocks, unfurl_links: false });
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

function nonceOf(message: { metadata?: { event_type?: string; event_payload?: unknown } }): string | undefined {
  if (message.metadata?.event_type !== CARD_EVENT_TYPE) return undefined;
  const nonce = (message.metadata.event_payload as { nonce?: unknown } | undefined)?.nonce;
  return typeof nonce === 'string' ? nonce : undefined;
}
