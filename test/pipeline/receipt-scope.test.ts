import { once } from 'node:events';
import { Types } from 'mongoose';
import { issueVisitorToken } from '../../adapters/webchat/token';
import type { InboundEvent } from '../../adapters/types';
import type { IngestResult } from '../../src/pipeline/ingest';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { until } from '../support/until';
import { Visitor, type WebchatReply } from '../support/webchat-visitor';

describe('receipts are scoped to the sender’s own messages', () => {
  let t: TestGateway;
  let a: Visitor;
  let b: Visitor;
  let replyToA: WebchatReply;
  let inboundOfB: string;

  const status = async (id: string) => (await t.gateway.store.models.Message.findById(id).lean())?.delivery?.status;

  /** Sends a receipt frame and resolves once ingest has handled it (receipts get no answer frame). */
  const receipt = async (visitor: Visitor, frame: { type: 'read' | 'received'; messageId: string }) => {
    const handled = new Promise<IngestResult>((resolve) => {
      const onIngested = (event: InboundEvent, result: IngestResult) => {
        if (event.kind !== 'status' || event.externalId !== frame.messageId) return;
        t.gateway.deps.ingestor.off('ingested', onIngested);
        resolve(result);
      };
      t.gateway.deps.ingestor.on('ingested', onIngested);
    });
    visitor.ws.send(JSON.stringify(frame));
    return handled;
  };

  beforeAll(async () => {
    t = await startTestGateway('receipt_scope');
    a = (await Visitor.connect(t, issueVisitorToken(t.webchat.tokenSecret).token)).visitor!;
    b = (await Visitor.connect(t, issueVisitorToken(t.webchat.tokenSecret).token)).visitor!;
    const replied = once(a, 'reply');
    await a.send({ type: 'message', id: 'a-1', text: 'What are your opening hours?' });
    [replyToA] = (await replied) as [WebchatReply];
    // B is a known visitor too (has a contact), so the scope, not a missing identity, is what stops them.
    const repliedB = once(b, 'reply');
    inboundOfB = ((await b.send({ type: 'message', id: 'b-1', text: 'Hello' })) as unknown as { messageId: string }).messageId;
    await repliedB;
    await until(t, async () => ['sent', 'delivered'].includes((await status(replyToA.id)) ?? ''));
  });
  afterAll(async () => {
    a.close();
    b.close();
    await t.stop();
  });

  it("visitor B sending visitor A's reply id as read or received changes nothing", async () => {
    const before = await status(replyToA.id);
    expect(await receipt(b, { type: 'read', messageId: replyToA.id })).toEqual({ kind: 'status', updated: false });
    expect(await receipt(b, { type: 'received', messageId: replyToA.id })).toEqual({ kind: 'status', updated: false });
    expect(await status(replyToA.id)).toBe(before);
  });

  it('a visitor cannot mark an inbound message (anyone’s) with a receipt', async () => {
    expect(await receipt(b, { type: 'read', messageId: inboundOfB })).toEqual({ kind: 'status', updated: false });
    expect((await t.gateway.store.models.Message.findById(inboundOfB).lean())!.delivery).toBeUndefined();
  });

  it('an unknown visitor (no contact yet) moves nothing, and an unknown id is ignored', async () => {
    const stranger = (await Visitor.connect(t, issueVisitorToken(t.webchat.tokenSecret).token)).visitor!;
    expect(await receipt(stranger, { type: 'read', messageId: replyToA.id })).toEqual({ kind: 'status', updated: false });
    expect(await receipt(a, { type: 'read', messageId: String(new Types.ObjectId()) })).toEqual({ kind: 'status', updated: false });
    stranger.close();
  });

  it("A's own read receipt marks A's reply read", async () => {
    expect(await receipt(a, { type: 'read', messageId: replyToA.id })).toEqual({ kind: 'status', updated: true });
    expect(await status(replyToA.id)).toBe('read');
  });
});
