import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRealWaWebClient, createWaWebConnection, WaWebSessions, type WaWebStatus } from '../../adapters/whatsapp-web';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Processes whose command line mentions `needle` (Chromium gets the LocalAuth profile directory as --user-data-dir). */
function processesMentioning(needle: string): string[] {
  try {
    return execFileSync('pgrep', ['-af', needle], { encoding: 'utf8' }).split('\n').filter((l) => l.trim() && !l.includes('pgrep'));
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/**
 * The real whatsapp-web.js client with Debian's Chromium (installed by .ci/run), on a machine that cannot reach
 * web.whatsapp.com: the session must fail to start with the browser's network error, report it, close the
 * browser it launched and leave the process healthy, so the connection host can retry later.
 */
describe('whatsapp-web.js real client, offline', () => {
  let dataPath: string;

  beforeAll(() => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (bash .ci/run does) or set CHROMIUM_PATH`);
    dataPath = mkdtempSync(join(tmpdir(), 'wwebjs-real-'));
  });

  afterAll(() => {
    rmSync(dataPath, { recursive: true, force: true });
  });

  it('launches Chromium, fails cleanly without network, and leaves no browser behind', async () => {
    const statuses: WaWebStatus[] = [];
    const sessions = new WaWebSessions();
    const connection = createWaWebConnection(
      { id: 'wa-real', kind: 'whatsapp', name: 'offline', settings: { driver: 'web' }, secrets: {} },
      async () => undefined,
      {
        createClient: createRealWaWebClient,
        sessions,
        dataPath,
        executablePath: CHROMIUM,
        report: async (_channelId, status) => {
          statuses.push(status);
        },
        saveMedia: async () => undefined,
        startTimeoutMs: 60_000,
      },
    );

    await expect(connection.start()).rejects.toThrow(/net::ERR_|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|ERR_ADDRESS_UNREACHABLE|ERR_CONNECTION/);
    expect(statuses.map((s) => s.state)).toEqual(['starting', 'failed']);
    expect(statuses[1]!.detail).toMatch(/web\.whatsapp\.com|net::ERR_/);
    // The browser really ran: LocalAuth created its profile directory for this channel.
    expect(existsSync(join(dataPath, 'session-wa-real'))).toBe(true);
    expect(processesMentioning(dataPath)).toEqual([]);
    expect(sessions.get('wa-real')).toBeUndefined();
    await connection.stop();
  }, 90_000);
});
