import { Activity, type Attachment } from '@microsoft/agents-activity';
import type { RenderedMessage } from '../types';
import { ADAPTIVE_CARD_CONTENT_TYPE, type AdaptiveCard } from './cards';

export interface BotAccount {
  id: string;
  name?: string | undefined;
}

export function cardAttachment(card: AdaptiveCard): Attachment {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}

/** A markdown message activity, with an optional Adaptive Card under the text. */
export function messageActivity(text: string, bot: BotAccount | undefined, card?: AdaptiveCard): Activity {
  return Activity.fromObject({
    type: 'message',
    text,
    textFormat: 'markdown',
    ...(bot ? { from: bot } : {}),
    ...(card ? { attachments: [cardAttachment(card)] } : {}),
  });
}

/**
 * Teams shows every message as the bot's, so a person's reply is signed in the text (first chunk only: the rest
 * continues the same message).
 */
export function replyText(message: RenderedMessage): string {
  if (message.authorKind === 'agent' && message.authorName && message.chunkIndex === 0) return `**${message.authorName}:** ${message.text}`;
  return message.text;
}

export function typingActivity(bot: BotAccount | undefined): Activity {
  return Activity.fromObject({ type: 'typing', ...(bot ? { from: bot } : {}) });
}
