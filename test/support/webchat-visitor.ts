import { EventEmitter, once } from 'node:events';
import WebSocket from 'ws';
import type { TestGateway } from './gateway';

export interface WebchatReply {
  id: string;
  author: string;
  authorName?: string;
  text: string;
  choices?: Array<{ id: string; title: string }>;
  citations?: Array<{ title: string; url?: string }>;
}

/** A visitor's browser, reduced to its socket: records what the gateway shows them and emits 'reply' for each. */
export class Visitor extends EventEmitter {
  readonly replies: WebchatReply[] = [];
  /** The history frame the gateway opened the socket with. */
  history: WebchatReply[] = [];
  private constructor(
    readonly ws: WebSocket,
    relay?: EventEmitter,
  ) {
    super();
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'message' && frame.message.author !== 'contact') {
        this.replies.push(frame.message);
        this.emit('reply', frame.message);
        relay?.emit('reply', frame.message);
      }
    });
  }

  /** Opens the socket; status 101 with the visitor, or the HTTP status its close code stands for. */
  static async connect(
    t: TestGateway,
    token: string,
    options: { channelId?: string; relay?: EventEmitter; headers?: Record<string, string> } = {},
  ): Promise<{ visitor?: Visitor; status: number }> {
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/webchat/${options.channelId ?? t.webchat.channelId}/ws?token=${encodeURIComponent(token)}`, {
      ...(options.headers ? { headers: options.headers } : {}),
    });
    const visitor = new Visitor(ws, options.relay);
    const first = await Promise.race([
      once(ws, 'message').then(([data]) => JSON.parse(String(data))),
      once(ws, 'close').then(([code]) => ({ closed: code as number })),
    ]);
    if ('closed' in first) return { status: first.closed === 4401 ? 401 : 500 };
    if (first.type !== 'history') throw new Error(`expected the history frame first, got ${first.type}`);
    visitor.history = first.messages;
    return { visitor, status: 101 };
  }

  /** Sends a frame and resolves with the server's answer to it (ack or error). */
  async send(frame: unknown): Promise<{ type: string; code?: string; [k: string]: unknown }> {
    const answer = new Promise<{ type: string; code?: string; [k: string]: unknown }>((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const reply = JSON.parse(String(data));
        if (reply.type === 'ack' || reply.type === 'error') {
          this.ws.off('message', onMessage);
          resolve(reply);
        }
      };
      this.ws.on('message', onMessage);
    });
    this.ws.send(JSON.stringify(frame));
    return answer;
  }

  close(): void {
    this.ws.close();
  }
}
