/** MongoDB's duplicate-key error code: the signal that a unique index turned a repeat into a no-op. */
export const DUPLICATE_KEY = 11000;

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === DUPLICATE_KEY;
}
