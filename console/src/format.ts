/** Short human durations for waiting times: "45 s", "12 min", "3 h 5 min", "2 d". */
export function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  return `${Math.floor(h / 24)} d`;
}

export function time(iso: string): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
}

export function pct(value: number | null): string {
  return value === null ? '–' : `${Math.round(value * 100)} %`;
}

export const CHANNEL_LABELS: Record<string, string> = {
  webchat: 'Web chat',
  api: 'API',
  slack: 'Slack',
  teams: 'Teams',
  discord: 'Discord',
  email: 'Email',
  whatsapp: 'WhatsApp',
  messenger: 'Messenger',
  instagram: 'Instagram',
  telegram: 'Telegram',
};
