import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on loopback in front of the store, to take the store away for real: `cut` closes every relayed
 * connection and refuses new ones (what a network partition or a stopped mongod looks like to the driver),
 * `restore` listens again on the same port.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** `uri` with its host:port replaced by the relay's (credentials and options kept). */
  static async inFrontOf(uri: string): Promise<{ proxy: TcpProxy; uri: string }> {
    const match = /^mongodb:\/\/(?:[^@/?]*@)?([^/:?@]+):(\d+)/.exec(uri);
    if (!match) throw new Error(`cannot relay ${uri}: only mongodb://[user:pass@]host:port URIs`);
    const proxy = new TcpProxy({ host: match[1]!, port: Number(match[2]) });
    await proxy.restore();
    return { proxy, uri: uri.replace(/^(mongodb:\/\/(?:[^@/?]*@)?)[^/?@]+/, `$1127.0.0.1:${proxy.port}`) };
  }

  async restore(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    server.listen(this.port, '127.0.0.1');
    await once(server, 'listening');
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}
