import type { EventEmitter } from 'node:events';
import type { TestGateway } from '../support/gateway';
import { until } from '../support/until';

/**
 * How the contract suite talks to one channel, through that channel's real transport (HTTP, WebSocket...).
 * Statuses are HTTP statuses, or their transport's equivalent (a web chat socket closed with 4401 is a 401).
 */
export interface ContractDriver {
  readonly channelId: string;
  /** Sends a customer message the platform would send, optionally with a wrong signature/credential. */
  deliver(input: { externalId: string; contactId: string; text: string; badSignature?: boolean }): Promise<number>;
  /** Sends a well-authenticated payload of a shape the adapter does not know. */
  deliverUnknown(): Promise<number>;
  /** Our own message echoed back by the platform, where the platform does that; undefined where it cannot happen. */
  deliverSelf?(input: { externalId: string; contactId: string; text: string }): Promise<number>;
  /**
   * The platform's id for one of the suite's message ids, where the platform dictates the format (Discord
   * snowflakes); the same contract id must always map to the same platform id. Default: used as is.
   */
  platformId?(contractId: string): string;
  /** What the channel answers to an unknown payload: platforms get an ack (else they retry for a day); our own API says 400. */
  readonly unknownPayload: 'ack' | 'reject';
  /** Replies the customer's side of the channel has received so far. */
  repliesTo(contactId: string): number;
  /** Emits 'reply' (or 'request') whenever the customer's side receives something. */
  readonly peer: EventEmitter;
  close(): Promise<void>;
}

/** The suite every adapter passes. */
export function adapterContract(name: string, setup: () => Promise<{ t: TestGateway; driver: ContractDriver }>): void {
  describe(`${name} adapter contract`, () => {
    let t: TestGateway;
    let driver: ContractDriver;
    const count = () => t.gateway.store.models.Message.countDocuments({ channelId: driver.channelId });

    beforeAll(async () => {
      ({ t, driver } = await setup());
    });
    afterAll(async () => {
      await driver.close();
      await t.stop();
    });

    it('rejects a bad signature with 401 and stores nothing', async () => {
      const before = await count();
      expect(await driver.deliver({ externalId: 'bad-sig-1', contactId: 'contract-bad', text: 'hello', badSignature: true })).toBe(401);
      expect(await count()).toBe(before);
    });

    it('acknowledges (or, for our own API, rejects) an unknown payload, stores nothing and keeps serving', async () => {
      const before = await count();
      const status = await driver.deliverUnknown();
      if (driver.unknownPayload === 'ack') expect(status).toBeGreaterThanOrEqual(200);
      if (driver.unknownPayload === 'ack') expect(status).toBeLessThan(300);
      else expect(status).toBe(400);
      expect(await count()).toBe(before);
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
    });

    it('ignores its own messages', async () => {
      if (!driver.deliverSelf) {
        // The channel has no way to echo our messages back; the pipeline's own guard is covered below.
        return;
      }
      const before = await count();
      expect(await driver.deliverSelf({ externalId: 'self-1', contactId: 'contract-self', text: 'echo of our reply' })).toBeLessThan(300);
      expect(await count()).toBe(before);
      expect(driver.repliesTo('contract-self')).toBe(0);
    });

    it('never stores or answers an event flagged as our own, whatever the adapter', async () => {
      const channel = (await t.gateway.store.channels.get(driver.channelId))!;
      const result = await t.gateway.deps.ingestor.ingest(channel, {
        kind: 'message',
        externalId: 'self-guard-1',
        from: { externalId: 'contract-self' },
        address: { to: 'contract-self' },
        parts: [{ type: 'text', text: 'an echo' }],
        sentAt: new Date(),
        isSelf: true,
        raw: {},
      });
      expect(result).toEqual({ kind: 'ignored', reason: 'own message' });
    });

    it('turns a duplicate delivery into one message and one reply', async () => {
      const input = { externalId: 'dup-contract-1', contactId: 'contract-dup', text: 'How do I return an item?' };
      expect(await driver.deliver(input)).toBeLessThan(300);
      expect(await driver.deliver(input)).toBeLessThan(300);
      // A second, different message drains the queue behind the duplicate: two replies in all, not three.
      expect(await driver.deliver({ ...input, externalId: 'dup-contract-2', text: 'Can I pay with PayPal?' })).toBeLessThan(300);
      const ids = ['dup-contract-1', 'dup-contract-2'].map((id) => driver.platformId?.(id) ?? id);
      const processed = () =>
        t.gateway.store.models.Message.find({ channelId: driver.channelId, direction: 'inbound', 'processing.state': 'done' })
          .lean()
          .then((rows) => rows.filter((r) => ids.some((id) => r.dedupeKey?.includes(id))));
      await until(t, async () => driver.repliesTo('contract-dup') >= 2 && (await processed()).length >= 2, [driver.peer]);
      const inbound = await processed();
      expect(inbound).toHaveLength(2);
      const replies = await t.gateway.store.models.Message.countDocuments({ replyTo: { $in: inbound.map((m) => m._id) } });
      expect(replies).toBe(2);
      await until(t, async () => {
        const queued = await t.gateway.store.models.Message.countDocuments({ channelId: driver.channelId, 'delivery.status': 'queued' });
        return queued === 0;
      });
      expect(driver.repliesTo('contract-dup')).toBe(2);
    });
  });
}
