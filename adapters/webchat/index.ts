import { AdapterError, type Capabilities, type ChannelAdapter, type ChannelInstance, type RawRequest } from '../types';
import type { WebchatHub } from './hub';
import { parseWebchatFrame, VISITOR_HEADER } from './parse';
import { verifyVisitorToken } from './token';

export const webchatCapabilities: Capabilities = {
  maxTextLength: 4000,
  markup: 'plain',
  buttons: { max: 6, titleMax: 40 },
  attachments: { kinds: ['image', 'file'], maxBytes: 10 * 1024 * 1024 },
  threads: false,
  edits: false,
  typing: true,
  citations: 'native',
  authorNames: 'native',
};

/** A message as the widget shows it (the `Msg` of the widget protocol). */
export interface WidgetMessage {
  id: string;
  clientId?: string;
  author: 'contact' | 'bot' | 'agent' | 'system';
  authorName?: string;
  text: string;
  choices?: Array<{ id: string; title: string }>;
  citations?: Array<{ title: string; url?: string }>;
  createdAt: string;
}

export function createWebchatAdapter(channel: ChannelInstance, hub: WebchatHub, clock: () => Date = () => new Date()): ChannelAdapter {
  const tokenSecret = channel.secrets.tokenSecret ?? '';
  return {
    kind: 'webchat',
    capabilities: webchatCapabilities,

    verify(req: RawRequest): void {
      const token = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? req.query.token;
      const visitorId = verifyVisitorToken(tokenSecret, token);
      if (!visitorId || (req.headers[VISITOR_HEADER] && req.headers[VISITOR_HEADER] !== visitorId)) {
        throw new AdapterError('bad_signature', 'invalid or expired visitor token', { channel: 'webchat' });
      }
    },

    parse: (req) => parseWebchatFrame(req, clock()),

    async send(to, message) {
      const id = message.chunkIndex === 0 ? message.messageId : `${message.messageId}:${message.chunkIndex}`;
      const frame: WidgetMessage = {
        id,
        author: message.authorKind,
        ...(message.authorName ? { authorName: message.authorName } : {}),
        text: message.text,
        ...(message.choices?.length ? { choices: message.choices } : {}),
        ...(message.citations?.length ? { citations: message.citations } : {}),
        createdAt: clock().toISOString(),
      };
      const sockets = hub.push(channel.id, to.to, { type: 'message', message: frame });
      // `sent` only when an open socket took the frame. Otherwise it waits in the stored history the widget is shown
      // on (re)connect, here or on another process, and the widget's receipt marks it delivered.
      return sockets > 0 ? { status: 'sent', externalId: id } : { status: 'sent', externalId: id, awaitingRecipient: true };
    },

    async typing(to) {
      hub.push(channel.id, to.to, { type: 'typing' });
    },
  };
}
