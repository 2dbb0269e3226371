import { createHash, randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Passwords: argon2id with the library's defaults (OWASP's minimum: 19 MiB, 2 passes), so a stolen users
 * collection costs an attacker real memory per guess.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/**
 * Bearer secrets we mint (session cookies, API tokens, setup links) are 256 random bits, so a fast hash is enough
 * at rest: nobody can guess one, and a lookup by sha256 stays a primary-key read.
 */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function secretId(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export const PASSWORD_MIN_LENGTH = 10;

/** The rule the console and the CLI both apply; undefined when the password is acceptable. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `the password needs at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > 256) return 'the password may have at most 256 characters';
  return undefined;
}
