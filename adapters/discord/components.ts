import type { Choice } from '../types';
import { LABEL_CHOICE_PREFIX } from './parse';

/** Discord's limits: 5 buttons per action row, 5 rows per message, 100-character custom_ids, 80-character labels. */
export const BUTTONS_PER_ROW = 5;
export const MAX_BUTTONS = 25;
export const LABEL_MAX = 80;
const CUSTOM_ID_MAX = 100;

const ACTION_ROW = 1;
const BUTTON = 2;
const SECONDARY = 2;

export interface ButtonRow {
  type: typeof ACTION_ROW;
  components: Array<{ type: typeof BUTTON; style: typeof SECONDARY; label: string; custom_id: string }>;
}

/**
 * Choices → action rows of buttons. The custom_id is the choice id, so a click comes back as an `action` with it.
 * An id Discord cannot carry (too long, or a duplicate: custom_ids must be unique per message) gets a made-up one
 * and the click comes back as the label's text instead. The renderer already capped choices at 25.
 */
export function toDiscordComponents(choices: Choice[] | undefined): ButtonRow[] | undefined {
  if (!choices?.length) return undefined;
  const used = new Set<string>();
  const buttons = choices.slice(0, MAX_BUTTONS).map((choice, i) => {
    const fits = choice.id.length > 0 && choice.id.length <= CUSTOM_ID_MAX && !used.has(choice.id) && !choice.id.startsWith(LABEL_CHOICE_PREFIX);
    const customId = fits ? choice.id : `${LABEL_CHOICE_PREFIX}${i}`;
    used.add(customId);
    return { type: BUTTON, style: SECONDARY, label: choice.title.slice(0, LABEL_MAX) || String(i + 1), custom_id: customId } as const;
  });
  const rows: ButtonRow[] = [];
  for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW) rows.push({ type: ACTION_ROW, components: buttons.slice(i, i + BUTTONS_PER_ROW) });
  return rows;
}
