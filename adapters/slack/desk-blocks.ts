import type { types } from '@slack/bolt';
import type { DeskButton, DeskNotice, EscalationCard, ThreadPost } from '../desk';

type KnownBlock = types.KnownBlock;

const PRIORITY_BADGE: Record<EscalationCard['priority'], string> = { urgent: ':red_circle: Urgent', high: ':large_orange_circle: High', normal: ':large_blue_circle: Normal', low: ':white_circle: Low' };

/** Slack escapes only these three in mrkdwn; customer text must not become mentions or links by accident. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Section text is capped at 3000 characters; a long summary or suggestion is cut with an ellipsis. */
function cap(text: string, max = 2900): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function quote(text: string): string {
  return text
    .split('\n')
    .map((line) => `>${line}`)
    .join('\n');
}

function buttons(list: DeskButton[], blockId: string): KnownBlock[] {
  if (list.length === 0) return [];
  return [
    {
      type: 'actions',
      block_id: blockId,
      elements: list.slice(0, 25).map((b) => ({
        type: 'button' as const,
        action_id: `desk_${b.action}`,
        text: { type: 'plain_text' as const, text: b.title, emoji: true },
        value: b.value,
        ...(b.style ? { style: b.style } : {}),
      })),
    },
  ];
}

/** The escalation card as Block Kit: who, why, what the bot saw, the summary, the last messages and a suggested reply. */
export function escalationBlocks(card: EscalationCard): { text: string; blocks: KnownBlock[] } {
  const who = [card.customer.name, card.customer.handle && card.customer.handle !== card.customer.name ? `(${card.customer.handle})` : ''].filter(Boolean).join(' ');
  const title = `${PRIORITY_BADGE[card.priority]} · ${escapeMrkdwn(who)} via ${escapeMrkdwn(card.customer.channelName)}`;
  const facts = [
    `*Reason:* ${escapeMrkdwn(card.reasonLabel)}`,
    `*Team:* ${escapeMrkdwn(card.team)}`,
    `*Intent:* ${escapeMrkdwn(card.intent ?? 'unknown')}`,
    `*Sentiment:* ${escapeMrkdwn(card.sentiment ?? 'unknown')}${card.frustration !== undefined ? ` (frustration ${card.frustration.toFixed(2)})` : ''}`,
    ...(card.language ? [`*Language:* ${card.language}`] : []),
  ];
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${title}*\n${escapeMrkdwn(card.statusLine)}` } },
    { type: 'section', fields: facts.map((text) => ({ type: 'mrkdwn' as const, text })) },
    { type: 'section', text: { type: 'mrkdwn', text: cap(`*Summary*\n${escapeMrkdwn(card.summary)}`) } },
  ];
  if (card.lastMessages.length) {
    const lines = card.lastMessages.map((m) => `*${escapeMrkdwn(m.author)}:* ${escapeMrkdwn(m.text.replace(/\s+/g, ' ').slice(0, 300))}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cap(`*Last messages*\n${lines.join('\n')}`) } });
  }
  if (card.suggestedReply) {
    const sources = card.suggestedReply.sources.map((s) => (s.url ? `<${s.url}|${escapeMrkdwn(s.title)}>` : escapeMrkdwn(s.title))).join(' · ');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cap(`*Suggested reply*\n${quote(escapeMrkdwn(card.suggestedReply.text))}`) } });
    if (sources) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Sources: ${sources}` }] });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Reply in this thread to answer the customer on ${escapeMrkdwn(card.customer.channelName)}; start a line with // for an internal note.` }] });
  blocks.push(...buttons(card.buttons, `desk:${card.conversationId}`));
  // `text` is the notification and screen-reader fallback.
  return { text: `${PRIORITY_BADGE[card.priority].replace(/^:[a-z_]+: /, '')} escalation from ${who}: ${card.reasonLabel}`, blocks };
}

const POST_PREFIX: Record<ThreadPost['kind'], string> = { customer: ':speech_balloon:', bot: ':robot_face:', event: ':information_source:', reminder: ':alarm_clock:', assist: ':bulb:' };

export function threadPostBlocks(post: ThreadPost): { text: string; blocks?: KnownBlock[] } {
  const author = post.authorName ? `*${escapeMrkdwn(post.authorName)}:* ` : '';
  const text = cap(`${POST_PREFIX[post.kind]} ${author}${post.kind === 'assist' ? post.text : escapeMrkdwn(post.text)}`);
  if (!post.buttons?.length) return { text };
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }, ...buttons(post.buttons, `desk-post:${Date.now().toString(36)}`)] };
}

const NOTICE_BADGE: Record<DeskNotice['tone'], string> = { critical: ':red_circle:', warning: ':large_orange_circle:', resolved: ':white_check_mark:' };

/** An alert as Block Kit: the title with its tone, what is wrong, the facts as fields, and a link to the console. */
export function noticeBlocks(notice: DeskNotice): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: cap(`${NOTICE_BADGE[notice.tone]} *${escapeMrkdwn(notice.title)}*\n${escapeMrkdwn(notice.text)}`) } },
  ];
  if (notice.fields.length) {
    blocks.push({ type: 'section', fields: notice.fields.slice(0, 10).map((f) => ({ type: 'mrkdwn' as const, text: cap(`*${escapeMrkdwn(f.label)}:* ${escapeMrkdwn(f.value)}`, 1900) })) });
  }
  if (notice.url) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${notice.url}|Open in the console>` }] });
  return { text: `${notice.title}: ${notice.text}`, blocks };
}
