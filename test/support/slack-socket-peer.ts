import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { SlackPeer } from './slack-peer';

export type EnvelopeType = 'events_api' | 'interactive' | 'slash_commands';

export interface SocketAck {
  envelope_id: string;
  payload?: Record<string, unknown>;
  /** Index of the socket (in `sockets`) that carried it. */
  socket: number;
  at: number;
}

/**
 * The fake Slack Web API (SlackPeer) plus Slack's Socket Mode side on loopback: `apps.connections.open` answers
 * `{ok, url: 'ws://127.0.0.1:P/link?ticket=…'}`, and the WebSocket server there speaks the protocol: `hello` on
 * connect, envelopes `{envelope_id, type, payload, accepts_response_payload, retry_attempt}` sent on the live socket,
 * acks `{envelope_id, payload}` recorded (emitted as 'ack'), `disconnect` on request.
 * Emits 'connection' (socket index) and 'close' (socket index) too.
 */
export class SlackSocketPeer extends SlackPeer {
  /** Every socket a client opened, in order (closed ones included). */
  readonly sockets: WebSocket[] = [];
  readonly acks: SocketAck[] = [];
  /** Everything clients sent that was not an ack. */
  readonly other: unknown[] = [];
  private wss: WebSocketServer | undefined;
  private envelopes = 0;

  override async start(): Promise<this> {
    await super.start();
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/link' });
    this.wss = wss;
    await once(wss, 'listening');
    const port = (wss.address() as AddressInfo).port;
    this.socketModeUrl = `ws://127.0.0.1:${port}/link?ticket=fake`;
    wss.on('connection', (ws) => {
      const index = this.sockets.push(ws) - 1;
      ws.on('message', (data) => {
        let frame: Record<string, unknown>;
        try {
          frame = JSON.parse(data.toString()) as Record<string, unknown>;
        } catch {
          this.other.push(data.toString());
          return;
        }
        if (typeof frame.envelope_id !== 'string') {
          this.other.push(frame);
          return;
        }
        const ack: SocketAck = {
          envelope_id: frame.envelope_id,
          ...(frame.payload && typeof frame.payload === 'object' ? { payload: frame.payload as Record<string, unknown> } : {}),
          socket: index,
          at: Date.now(),
        };
        this.acks.push(ack);
        this.emit('ack', ack);
      });
      ws.on('close', () => this.emit('close', index));
      ws.send(JSON.stringify({ type: 'hello', num_connections: this.liveSockets, debug_info: { host: 'fake-slack' }, connection_info: { app_id: 'A1' } }));
      this.emit('connection', index);
    });
    return this;
  }

  /** `apps.connections.open` calls that were answered with a URL. */
  get opens(): number {
    return this.accepted('apps.connections.open').length;
  }

  get liveSockets(): number {
    return this.sockets.filter((s) => s.readyState === s.OPEN).length;
  }

  /** Sends one envelope on the live socket (the newest, if several); resolves with its envelope id. */
  envelope(type: EnvelopeType, payload: Record<string, unknown>, options: { envelopeId?: string; retryAttempt?: number } = {}): string {
    const ws = [...this.sockets].reverse().find((s) => s.readyState === s.OPEN);
    if (!ws) throw new Error('no live Socket Mode connection');
    const id = options.envelopeId ?? `env-${++this.envelopes}`;
    ws.send(
      JSON.stringify({
        envelope_id: id,
        type,
        payload,
        accepts_response_payload: type !== 'events_api',
        ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryAttempt ? 'timeout' : '' } : {}),
      }),
    );
    return id;
  }

  /** Slack recycling the connection: the client is expected to close it and open a new one. */
  disconnect(reason = 'refresh_requested'): void {
    for (const ws of this.sockets) if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake-slack' } }));
  }

  acksOf(envelopeId: string): SocketAck[] {
    return this.acks.filter((a) => a.envelope_id === envelopeId);
  }

  /** Resolves with the envelope's first ack, once it arrives. */
  async acked(envelopeId: string): Promise<SocketAck> {
    for (;;) {
      const ack = this.acksOf(envelopeId)[0];
      if (ack) return ack;
      await once(this, 'ack');
    }
  }

  /** Resolves once `check` holds, re-checked on every socket event. */
  async until(check: () => boolean): Promise<void> {
    const names = ['ack', 'connection', 'close', 'request'];
    while (!check()) {
      let wake = () => {};
      await new Promise<void>((resolve) => {
        wake = resolve;
        for (const name of names) this.on(name, wake);
      }).finally(() => {
        for (const name of names) this.off(name, wake);
      });
    }
  }

  /**
   * A ping to every live client and its pong back. Frames on one socket arrive in order, so anything the client
   * sent before answering the ping (an early ack, say) has been recorded when this resolves.
   */
  async roundTrip(): Promise<void> {
    await Promise.all(
      this.sockets
        .filter((s) => s.readyState === s.OPEN)
        .map(async (ws) => {
          const pong = once(ws, 'pong');
          ws.ping();
          await pong;
        }),
    );
  }

  override async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    if (this.wss) await new Promise<void>((resolve) => this.wss!.close(() => resolve()));
    await super.stop();
  }
}
