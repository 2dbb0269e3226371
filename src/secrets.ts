import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { SecretBox } from '../conversations/secret-box';
import type { Config } from './config';

/**
 * The key that encrypts channel secrets. Production sets SWITCHBOARD_ENCRYPTION_KEY; the quickstart generates
 * one under DATA_DIR (mode 600) so `npm start` needs no setup and restarts can still read what they stored.
 */
export async function loadSecretBox(config: Config, log: Logger): Promise<SecretBox> {
  if (config.SWITCHBOARD_ENCRYPTION_KEY) return SecretBox.fromString(config.SWITCHBOARD_ENCRYPTION_KEY);
  const file = join(config.DATA_DIR, 'encryption.key');
  try {
    return SecretBox.fromString((await readFile(file, 'utf8')).trim());
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  await mkdir(config.DATA_DIR, { recursive: true });
  const key = randomBytes(32).toString('hex');
  await writeFile(file, `${key}\n`, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  log.warn({ file }, 'generated a local encryption key for channel secrets; set SWITCHBOARD_ENCRYPTION_KEY in production');
  return SecretBox.fromString(key);
}
