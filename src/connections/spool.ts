import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { InboundEvent } from '../../adapters/types';

/**
 * A local, append-only holding file per channel for gateway events the store could not take (a Discord
 * `messageCreate`, a WhatsApp Web message: the platform has no acknowledgement to withhold, so nothing would ever
 * redeliver them). One JSON line per event, fsynced before the append returns, so a crash after it loses nothing;
 * owner-only permissions, because events carry customers' words. Drained in order into the store when it is back
 * (ingest is idempotent per external id, so a crash mid-drain that replays a line stores it once).
 */
export class EventSpool {
  /** Channels known to have held events; absent means "not looked at yet". */
  private readonly pending = new Map<string, boolean>();

  constructor(private readonly dir: string) {}

  private file(channelId: string): string {
    return join(this.dir, `${encodeURIComponent(channelId)}.jsonl`);
  }

  /** Whether the channel has held events waiting: a new event must queue behind them to keep arrival order. */
  async has(channelId: string): Promise<boolean> {
    const known = this.pending.get(channelId);
    if (known !== undefined) return known;
    const found = (await this.read(channelId)).length > 0;
    this.pending.set(channelId, found);
    return found;
  }

  /** Channel ids with a holding file on disk (left by an earlier run, perhaps one that crashed). */
  async channels(): Promise<string[]> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    return names.filter((n) => n.endsWith('.jsonl')).map((n) => decodeURIComponent(n.slice(0, -'.jsonl'.length)));
  }

  async append(channelId: string, event: InboundEvent): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const handle = await open(this.file(channelId), 'a', 0o600);
    try {
      await handle.write(`${serialize(event)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.pending.set(channelId, true);
  }

  /** The held events in arrival order. A torn last line (a crash mid-append, never acknowledged as held) is skipped. */
  async read(channelId: string): Promise<InboundEvent[]> {
    let text: string;
    try {
      text = await readFile(this.file(channelId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const events: InboundEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        events.push(deserialize(line));
      } catch {
        // Only the last line can be torn: appends are whole lines, each fsynced before the next.
      }
    }
    return events;
  }

  /** Replaces the file with what is still held (atomically: a temporary file, fsynced, renamed over it). */
  async keep(channelId: string, rest: InboundEvent[]): Promise<void> {
    const file = this.file(channelId);
    if (rest.length === 0) {
      await unlink(file).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
      this.pending.set(channelId, false);
      return;
    }
    const tmp = `${file}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.write(rest.map((e) => `${serialize(e)}\n`).join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    this.pending.set(channelId, true);
  }
}

// Dates and Buffers survive the round trip (JSON alone turns them into strings and number arrays).
function serialize(event: InboundEvent): string {
  return JSON.stringify(event, function (this: Record<string, unknown>, key, value: unknown) {
    const original = this[key];
    if (original instanceof Date) return { $date: original.toISOString() };
    if (Buffer.isBuffer(original)) return { $buffer: original.toString('base64') };
    return value;
  });
}

function deserialize(line: string): InboundEvent {
  return JSON.parse(line, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const v = value as Record<string, unknown>;
      const keys = Object.keys(v);
      if (keys.length === 1 && typeof v.$date === 'string') return new Date(v.$date);
      if (keys.length === 1 && typeof v.$buffer === 'string') return Buffer.from(v.$buffer, 'base64');
    }
    return value;
  }) as InboundEvent;
}
