import type { types } from '@slack/bolt';
import type { RenderedMessage } from '../types';

type KnownBlock = types.KnownBlock;

/**
 * The renderer already turned markdown into mrkdwn and capped choices at the capability limit. Plain replies go as
 * `text` only; replies with choices add a section plus an actions block, with `text` kept as the notification
 * fallback (Slack warns without it).
 */
export function toSlackBlocks(message: RenderedMessage): KnownBlock[] | undefined {
  if (!message.choices?.length) return undefined;
  return [
    { type: 'section', text: { type: 'mrkdwn', text: message.text || ' ' } },
    {
      type: 'actions',
      block_id: `choices:${message.messageId}`,
      elements: message.choices.map((choice, i) => ({
        type: 'button' as const,
        // Unique per block (Slack requires it); the choice id travels as `value` and comes back in block_actions.
        action_id: `choice_${i}`,
        text: { type: 'plain_text' as const, text: choice.title, emoji: true },
        value: choice.id,
      })),
    },
  ];
}
