/** The part of a WebSocket the hub needs; keeps this module free of transport details. */
export interface VisitorSocket {
  send(data: string): void;
  readonly readyState: number;
}

const OPEN = 1;

/**
 * Live web chat sockets of this process, by channel and visitor (a visitor may have several tabs open).
 * A reply for a visitor connected to another process is not lost: it is stored and shown from history when
 * that visitor's socket next (re)connects here or there.
 */
export class WebchatHub {
  private readonly sockets = new Map<string, Set<VisitorSocket>>();

  add(channelId: string, visitorId: string, socket: VisitorSocket): () => void {
    const key = `${channelId}:${visitorId}`;
    const set = this.sockets.get(key) ?? new Set<VisitorSocket>();
    set.add(socket);
    this.sockets.set(key, set);
    return () => {
      set.delete(socket);
      if (set.size === 0) this.sockets.delete(key);
    };
  }

  /** Sends a frame to every open socket of the visitor; returns how many received it. */
  push(channelId: string, visitorId: string, frame: unknown): number {
    const set = this.sockets.get(`${channelId}:${visitorId}`);
    if (!set) return 0;
    const data = JSON.stringify(frame);
    let count = 0;
    for (const socket of set) {
      if (socket.readyState !== OPEN) continue;
      socket.send(data);
      count += 1;
    }
    return count;
  }

  /** Whether the visitor has an open socket here. */
  has(channelId: string, visitorId: string): boolean {
    return this.sockets.has(`${channelId}:${visitorId}`);
  }

  /** Channels with at least one socket open here. */
  get channelIds(): string[] {
    return [...new Set([...this.sockets.keys()].map((key) => key.slice(0, key.indexOf(':'))))];
  }

  get connections(): number {
    let n = 0;
    for (const set of this.sockets.values()) n += set.size;
    return n;
  }
}
