import { EventEmitter } from 'node:events';
import { issueVisitorToken } from '../../adapters/webchat/token';
import { startTestGateway } from '../support/gateway';
import { Visitor } from '../support/webchat-visitor';
import { adapterContract } from './adapter-contract';

/** Every visitor's replies are relayed here: the contract waits on it. */
const peer = new EventEmitter();

adapterContract('web chat', async () => {
  const t = await startTestGateway('contract_webchat');
  const visitors = new Map<string, Visitor>();
  const visitorIds = new Map<string, string>();
  const tokenFor = (contactId: string) => {
    // Visitor ids are UUIDs; map the suite's contact names onto stable ones.
    if (!visitorIds.has(contactId)) visitorIds.set(contactId, issueVisitorToken(t.webchat.tokenSecret).visitorId);
    return issueVisitorToken(t.webchat.tokenSecret, visitorIds.get(contactId)).token;
  };
  const visitorFor = async (contactId: string) => {
    if (!visitors.has(contactId)) {
      const { visitor } = await Visitor.connect(t, tokenFor(contactId), { relay: peer });
      visitors.set(contactId, visitor!);
    }
    return visitors.get(contactId)!;
  };
  return {
    t,
    driver: {
      channelId: t.webchat.channelId,
      unknownPayload: 'ack',
      peer,
      deliver: async ({ externalId, contactId, text, badSignature }) => {
        if (badSignature) {
          const forged = tokenFor(contactId).replace(/.$/, (c) => (c === '0' ? '1' : '0'));
          return (await Visitor.connect(t, forged)).status;
        }
        const answer = await (await visitorFor(contactId)).send({ type: 'message', id: externalId, text });
        return answer.type === 'ack' ? 200 : 400;
      },
      deliverUnknown: async () => {
        const answer = await (await visitorFor('contract-unknown')).send({ type: 'shrug', payload: { x: 1 } });
        // The frame is logged and acknowledged with an explanation; the socket stays open.
        expect(answer).toMatchObject({ type: 'error', code: 'unsupported_frame' });
        return 200;
      },
      repliesTo: (contactId) => visitors.get(contactId)?.replies.length ?? 0,
      close: async () => {
        for (const v of visitors.values()) v.ws.close();
      },
    },
  };
});
