import type { DeskButton, EscalationCard } from '../desk';
import type { Choice } from '../types';

/**
 * Adaptive Card JSON (pure). Version 1.4: what Teams renders on desktop, web and mobile alike. Every button is an
 * Action.Submit, which comes back as a message activity whose `value` is the button's data: `{choice, title}` for a
 * reply's choices, `{action}` for desk buttons (`sb:claim:<conversation id>`), so `parse` reads both without state.
 */
export interface AdaptiveCard {
  $schema: string;
  type: 'AdaptiveCard';
  version: string;
  body: Array<Record<string, unknown>>;
  actions?: Array<Record<string, unknown>>;
  msteams?: { width: 'Full' };
}

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

function card(body: AdaptiveCard['body'], actions: AdaptiveCard['actions'] = [], wide = false): AdaptiveCard {
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(actions.length ? { actions } : {}),
    ...(wide ? { msteams: { width: 'Full' as const } } : {}),
  };
}

const text = (value: string, extra: Record<string, unknown> = {}) => ({ type: 'TextBlock', text: value, wrap: true, ...extra });

/** A reply's choices as buttons; the reply's text stays in the activity's markdown text above the card. */
export function choicesCard(choices: Choice[]): AdaptiveCard {
  return card([], choices.map((c) => ({ type: 'Action.Submit', title: c.title, data: { choice: c.id, title: c.title } })));
}

export function deskButtonActions(buttons: DeskButton[]): Array<Record<string, unknown>> {
  return buttons.map((b) => ({
    type: 'Action.Submit',
    title: b.title,
    data: { action: b.value },
    ...(b.style === 'primary' ? { style: 'positive' } : b.style === 'danger' ? { style: 'destructive' } : {}),
  }));
}

/** Buttons under a thread post (a suggestion to send, a reminder to claim). */
export function deskButtonsCard(buttons: DeskButton[]): AdaptiveCard {
  return card([], deskButtonActions(buttons));
}

const PRIORITY: Record<EscalationCard['priority'], { label: string; color?: string }> = {
  urgent: { label: 'Urgent', color: 'Attention' },
  high: { label: 'High priority', color: 'Warning' },
  normal: { label: 'Normal priority' },
  low: { label: 'Low priority' },
};

/** The escalation's thread root: who, why, what the bot saw and suggests, where it stands, and the buttons. */
export function escalationCard(c: EscalationCard): AdaptiveCard {
  const priority = PRIORITY[c.priority];
  const sentiment = c.sentiment
    ? `${c.sentiment}${c.frustration !== undefined ? ` (frustration ${Math.round(c.frustration * 100)}%)` : ''}`
    : c.frustration !== undefined
      ? `frustration ${Math.round(c.frustration * 100)}%`
      : undefined;
  const facts = [
    ['Customer', `${c.customer.name}${c.customer.handle ? ` (${c.customer.handle})` : ''}`],
    ['Channel', `${c.customer.channelName} (${c.customer.channelKind})`],
    ['Reason', c.reasonLabel],
    ['Team', c.team],
    ['Priority', priority.label],
    ['Intent', c.intent],
    ['Sentiment', sentiment],
    ['Language', c.language],
    ['Assignee', c.assignee],
  ].filter((f): f is [string, string] => typeof f[1] === 'string' && f[1].length > 0);

  const body: AdaptiveCard['body'] = [
    text(`${priority.label} · ${c.customer.name}`, { size: 'Large', weight: 'Bolder', ...(priority.color ? { color: priority.color } : {}) }),
    text(c.statusLine, { isSubtle: true, spacing: 'None' }),
    { type: 'FactSet', facts: facts.map(([title, value]) => ({ title, value })) },
    text('**Summary**', { spacing: 'Medium' }),
    text(c.summary),
  ];
  if (c.lastMessages.length) {
    body.push(text('**Last messages**', { spacing: 'Medium' }));
    body.push({ type: 'Container', style: 'emphasis', items: c.lastMessages.map((m) => text(`**${m.author}:** ${m.text}`)) });
  }
  if (c.suggestedReply) {
    const sources = c.suggestedReply.sources.map((s, i) => `${i + 1}. ${s.url ? `[${s.title}](${s.url})` : s.title}`);
    body.push(text('**Suggested reply**', { spacing: 'Medium' }));
    body.push({
      type: 'Container',
      style: 'accent',
      items: [text(c.suggestedReply.text), ...(sources.length ? [text(`Sources:\n${sources.join('\n')}`, { isSubtle: true, size: 'Small' })] : [])],
    });
  }
  const actions = [...deskButtonActions(c.buttons), ...(c.url ? [{ type: 'Action.OpenUrl', title: 'Open conversation', url: c.url }] : [])];
  return card(body, actions, true);
}
