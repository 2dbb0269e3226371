import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { probeCommand } from '../../src/cli/probe';
import { Capture } from '../support/capture';
import { startTestGateway, type TestGateway } from '../support/gateway';

// Timing is not what these tests are about (test/security/probe.test.ts holds /health to 100 ms): a generous bound.
const options = { maxBody: '1048576', healthBound: '10000' };

async function run(url: string, extra: Record<string, string> = {}) {
  const out = new Capture();
  process.exitCode = undefined;
  const problems = await probeCommand({ url, ...options, ...extra }, out);
  const code = process.exitCode ?? 0;
  process.exitCode = undefined;
  return { problems, code, text: out.text };
}

describe('switchboard probe', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway('cli_probe');
    await t.gateway.store.channels.ensure({ id: 'slack-probe', kind: 'slack', name: 'Slack', settings: {}, secrets: { signingSecret: randomBytes(16).toString('hex'), botToken: 'xoxb-x' } });
  });
  afterAll(() => t.stop());

  it('finds nothing wrong with the gateway, prints the counts per category, and stores nothing there', async () => {
    const { problems, code, text } = await run(t.url, { slack: 'slack-probe', webchat: t.webchat.channelId });
    expect(text).toContain('no problems found');
    expect(problems).toBe(0);
    expect(code).toBe(0);
    for (const category of ['unsigned', 'wrongly-signed', 'stale', 'oversized', 'path-traversal', 'method-confusion', 'unknown-channel', 'slow-body']) {
      expect(text).toMatch(new RegExp(`^  ${category}: \\d+ \\(`, 'm'));
    }
    const db = t.connection.db!;
    for (const name of ['messages', 'contacts', 'conversations', 'jobs']) expect(await db.collection(name).countDocuments()).toBe(0);
  });

  describe('against a server that fails', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      // Healthy, but every other request is an internal error: what the probe exists to catch.
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.writeHead(req.url === '/health' ? 200 : 500, { 'content-type': 'application/json' });
          res.end('{}');
        });
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('reports every 5xx with its request and exits 1', async () => {
      const { problems, code, text } = await run(url);
      expect(problems).toBeGreaterThan(50);
      expect(code).toBe(1);
      expect(text).toMatch(/^  5xx: unsigned \/ slack: 500/m);
    });
  });
});
