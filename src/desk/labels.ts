/** How escalation reasons read on a desk card. Rules may name their own reasons; those are shown humanised. */
const REASON_LABELS: Record<string, string> = {
  customer_request: 'The customer asked for a person',
  low_confidence: 'The knowledge base has no reliable answer',
  repeated_failure: "The bot's answers did not help",
  ai_opt_out: 'The customer does not want AI answers',
  negative_sentiment: 'The customer is upset',
  urgent: 'Urgent',
  intent_policy: 'This topic always goes to people',
  unsupported_language: 'Written in a language the knowledge base does not cover',
  policy: 'An answer was withheld by the safety checks',
  processing_error: 'The bot failed to process a message',
};

export function humanise(name: string): string {
  const spaced = name.replace(/[_-]+/g, ' ').trim();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export function reasonLabel(reason: string | undefined): string {
  if (!reason) return 'Handed over';
  return REASON_LABELS[reason] ?? humanise(reason);
}

const CHANNEL_NAMES: Record<string, string> = {
  webchat: 'web chat',
  api: 'API',
  slack: 'Slack',
  teams: 'Microsoft Teams',
  discord: 'Discord',
  email: 'email',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
  telegram: 'Telegram',
};

export function channelLabel(kind: string): string {
  return CHANNEL_NAMES[kind] ?? kind;
}

/** "4 min", "2 h 5 min", "3 d": how long something has waited, for agents scanning a list. */
export function age(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
  return `${Math.floor(hours / 24)} d`;
}
