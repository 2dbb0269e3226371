/** A command-line count (`-n 2000`): a positive whole number, or an error naming the flag and what was given. */
export function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} must be a positive whole number, got "${value}"`);
  return n;
}
