import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCallback {
  headers: IncomingHttpHeaders;
  body: string;
  json: any;
  status: number;
}

/**
 * An integrator's callback endpoint on loopback. Scripted responses (e.g. 503, 429 with Retry-After) are
 * consumed in order; after the script runs out it answers 200. Every request is recorded, whatever the answer.
 */
export class CallbackPeer extends EventEmitter {
  readonly received: ReceivedCallback[] = [];
  private script: Array<{ status: number; headers?: Record<string, string> }> = [];
  private server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const next = this.script.shift() ?? { status: 200 };
        const record: ReceivedCallback = { headers: req.headers, body, json: safeJson(body), status: next.status };
        this.received.push(record);
        res.writeHead(next.status, { 'content-type': 'application/json', ...(next.headers ?? {}) });
        res.end(JSON.stringify({ ok: next.status < 300 }));
        this.emit('request', record);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/callback`;
    return this;
  }

  respondWith(...responses: Array<{ status: number; headers?: Record<string, string> }>): void {
    this.script.push(...responses);
  }

  /** Resolves once `count` requests in total answered 2xx. */
  async waitForDelivered(count: number): Promise<ReceivedCallback[]> {
    while (this.delivered().length < count) await once(this, 'request');
    return this.delivered();
  }

  async waitForRequests(count: number): Promise<ReceivedCallback[]> {
    while (this.received.length < count) await once(this, 'request');
    return this.received;
  }

  delivered(): ReceivedCallback[] {
    return this.received.filter((r) => r.status < 300);
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
