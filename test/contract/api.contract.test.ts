import { CallbackPeer } from '../support/callback-peer';
import { postMessage, startTestGateway } from '../support/gateway';
import { adapterContract } from './adapter-contract';

adapterContract('HTTP API', async () => {
  const peer = await new CallbackPeer().start();
  const t = await startTestGateway('contract_api', { callbackUrl: peer.url });
  return {
    t,
    driver: {
      channelId: t.api.channelId,
      unknownPayload: 'reject',
      peer,
      deliver: async ({ externalId, contactId, text, badSignature }) =>
        (await postMessage(t, { id: externalId, contact: { id: contactId }, text }, badSignature ? { key: `${t.api.key}x` } : {})).status,
      deliverUnknown: async () => (await postMessage(t, { type: 'conversation.deleted', data: { id: 42 } })).status,
      repliesTo: (contactId) => peer.delivered().filter((c) => c.json?.contact?.id === contactId).length,
      close: () => peer.stop(),
    },
  };
});
