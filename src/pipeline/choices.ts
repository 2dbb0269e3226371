/**
 * Channels without buttons show choices as a numbered list (adapters/render.ts); a reply that is just one of those
 * numbers, or exactly a choice's title, is that choice.
 */
export function chosenByText(text: string, offered: Array<{ id: string; title: string }> | undefined): string | undefined {
  if (!offered?.length) return undefined;
  const trimmed = text.trim().replace(/[.)!]$/, '');
  if (/^\d{1,2}$/.test(trimmed)) return offered[Number(trimmed) - 1]?.id;
  const lower = trimmed.toLowerCase();
  return offered.find((c) => c.title.toLowerCase() === lower)?.id;
}

/**
 * The survey sent when a person resolves a conversation: choice ids `csat:1` … `csat:5`, in ascending order so that
 * on channels without buttons the list number a customer types is the score itself.
 */
export const CSAT_CHOICES = [
  { id: 'csat:1', title: '1 – Bad' },
  { id: 'csat:2', title: '2 – Poor' },
  { id: 'csat:3', title: '3 – OK' },
  { id: 'csat:4', title: '4 – Good' },
  { id: 'csat:5', title: '5 – Great' },
];

/**
 * The score in a survey answer: a tapped button, a list number, the title, or just the digit typed ("4", "4/5").
 * The pattern has no two quantifiers that can share characters: `\s*(\/\s*5)?\s*$` did, quadratic on "1" + spaces.
 */
export function csatScore(actionValue: string | undefined, text: string, offered: Array<{ id: string; title: string }> | undefined): number | undefined {
  const chosen = actionValue ?? chosenByText(text, offered);
  const value = chosen?.startsWith('csat:') ? chosen.slice(5) : /^\s*[1-5]\s*(?:\/\s*5\s*)?$/.test(text) ? text.trim()[0] : undefined;
  const score = Number(value);
  return Number.isInteger(score) && score >= 1 && score <= 5 ? score : undefined;
}
