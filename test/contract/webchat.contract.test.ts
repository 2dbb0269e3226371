import { EventEmitter, once } from 'node:events';
import WebSocket from 'ws';
import { issueVisitorToken } from '../../adapters/webchat/token';
import { startTestGateway, type TestGateway } from '../support/gateway';
import { adapterContract } from './adapter-contract';

/** A visitor's browser, reduced to its socket: counts the bot's replies it receives. */
const peer = new EventEmitter();

class Visitor {
  readonly replies: unknown[] = [];
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.type === 'message' && frame.message.author !== 'contact') {
        this.replies.push(frame.message);
        peer.emit('reply', frame.message);
      }
    });
  }

  static async connect(t: TestGateway, token: string): Promise<{ visitor?: Visitor; status: number }> {
    const ws = new WebSocket(`${t.url.replace('http', 'ws')}/webchat/${t.webchat.channelId}/ws?token=${encodeURIComponent(token)}`);
    const visitor = new Visitor(ws);
    const first = await Promise.race([
      once(ws, 'message').then(([data]) => JSON.parse(String(data))),
      once(ws, 'close').then(([code]) => ({ closed: code as number })),
    ]);
    if ('closed' in first) return { status: first.closed === 4401 ? 401 : 500 };
    expect(first.type).toBe('history');
    return { visitor, status: 101 };
  }

  /** Sends a frame and resolves with the server's answer to it (ack or error). */
  async send(frame: unknown): Promise<{ type: string; code?: string }> {
    const answer = new Promise<{ type: string; code?: string }>((resolve) => {
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
}

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
      const { visitor } = await Visitor.connect(t, tokenFor(contactId));
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
