import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { CallbackPeer } from '../support/callback-peer';
import { postMessage, startTestGateway, type TestGateway } from '../support/gateway';

/** Starts a worker process that freezes at `freezeAt`; resolves with the process once it is frozen there. */
async function frozenWorker(t: TestGateway, freezeAt: 'claimed' | 'queued'): Promise<{ child: ChildProcess; frozen: Promise<void> }> {
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', join(__dirname, '..', 'support', 'crash-worker.ts'), t.connection.name, t.keyHex, freezeAt], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let buffer = '';
  const lines = (marker: string) =>
    new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        buffer += chunk.toString();
        if (buffer.includes(marker)) {
          child.stdout!.off('data', onData);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`crash worker exited early (${code})`)));
    });
  await lines('READY');
  return { child, frozen: lines(`FROZEN ${freezeAt}`) };
}

describe('a worker killed with SIGKILL mid-processing', () => {
  let peer: CallbackPeer;

  beforeAll(async () => {
    peer = await new CallbackPeer().start();
  });
  afterAll(async () => {
    await peer.stop();
  });

  it.each(['claimed', 'queued'] as const)('killed after "%s": answered exactly once after the lease expires', async (freezeAt) => {
    // This gateway accepts HTTP but runs no workers until the killed one is gone.
    const t = await startTestGateway(`crash_${freezeAt}`, { callbackUrl: peer.url, startWorkers: false });
    try {
      const contact = `crash-${freezeAt}`;
      const { child, frozen } = await frozenWorker(t, freezeAt);
      const res = await postMessage(t, { id: `${contact}-1`, contact: { id: contact }, text: 'How do I start a return?' });
      const { messageId, conversationId } = await res.json();
      await frozen;
      child.kill('SIGKILL');
      await once(child, 'exit');

      // The dead worker's job is still leased to it, with the message on it: nothing is lost, only delayed.
      const stuck = await t.gateway.store.jobs.get(`process:${conversationId}`);
      expect(stuck?.owner).toMatch(/:p0$/);
      expect(stuck?.messageIds.map(String)).toContain(messageId);
      if (freezeAt === 'queued') {
        // The dead worker had already queued the reply: the re-run must find it, not write another.
        expect(await t.gateway.store.models.Message.countDocuments({ replyTo: messageId })).toBe(1);
      }

      // The surviving process takes over once the dead worker's lease (1.5 s) expires.
      const deliveredBefore = peer.delivered().length;
      t.gateway.startWorkers();
      await postMessage(t, { id: `${contact}-2`, contact: { id: contact }, text: 'thanks' });
      await peer.waitForDelivered(deliveredBefore + 2);

      const toContact = peer.delivered().filter((c) => c.json.contact.id === contact);
      expect(toContact).toHaveLength(2);
      expect(toContact[0]!.json.message.citations[0].title).toMatch(/Returns/);
      expect(await t.gateway.store.models.Message.countDocuments({ replyTo: messageId })).toBe(1);
      const inbound = await t.gateway.store.models.Message.findById(messageId).lean();
      expect(inbound?.processing?.state).toBe('done');
    } finally {
      await t.stop();
    }
    // A fresh worker process compiles and starts the whole gateway (tsx): most of this test is that start-up.
  }, 90_000);
});
