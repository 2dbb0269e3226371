import type { Choice } from '../types';
import type { TelegramInlineButton } from './update';

/** Telegram's limit on `callback_data`: 1–64 bytes (UTF-8, not characters). */
export const CALLBACK_DATA_MAX_BYTES = 64;
/**
 * A choice whose id does not fit (too long in bytes, empty, or clashing) is sent as `sb-label:<index>`; the
 * button's own text comes back with the press (the callback query carries the message and its keyboard), and
 * it is ingested as the customer's words, which the processor matches against the choices it offered — the
 * same fallback as Discord's custom_ids. No state is kept, so any gateway process can take the press.
 */
export const LABEL_CHOICE_PREFIX = 'sb-label:';

/** One button per row: titles stay readable on a phone. */
export function toInlineKeyboard(choices: Choice[] | undefined): { inline_keyboard: TelegramInlineButton[][] } | undefined {
  if (!choices?.length) return undefined;
  const used = new Set<string>();
  const rows = choices.map((choice, i) => {
    const fits =
      choice.id.length > 0 && Buffer.byteLength(choice.id, 'utf8') <= CALLBACK_DATA_MAX_BYTES && !used.has(choice.id) && !choice.id.startsWith(LABEL_CHOICE_PREFIX);
    const data = fits ? choice.id : `${LABEL_CHOICE_PREFIX}${i}`;
    used.add(data);
    return [{ text: choice.title || String(i + 1), callback_data: data }];
  });
  return { inline_keyboard: rows };
}

/** The text of the button with this `callback_data` on the message that carried it, if Telegram sent it along. */
export function buttonTitle(keyboard: TelegramInlineButton[][] | undefined, data: string): string | undefined {
  if (!Array.isArray(keyboard)) return undefined;
  for (const row of keyboard) {
    if (!Array.isArray(row)) continue;
    for (const button of row) if (button?.callback_data === data && typeof button.text === 'string') return button.text;
  }
  return undefined;
}
