import { AdapterError, type Capabilities, type ChannelAdapter, type ChannelInstance, type DeliveryReceipt, type RawRequest, type RenderedMessage, type ChannelAddress } from '../types';
import { errorFromResponse } from '../http';
import { parseApiRequest } from './parse';
import { safeEqual } from '../crypto';
import { signCallback } from './signature';

export const apiCapabilities: Capabilities = {
  maxTextLength: 10_000,
  markup: 'markdown',
  buttons: { max: 10, titleMax: 80 },
  attachments: { kinds: ['image', 'file', 'audio', 'video'], maxBytes: 25 * 1024 * 1024 },
  threads: false,
  edits: false,
  typing: false,
  citations: 'native',
  authorNames: 'native',
};

export interface ApiAdapterDeps {
  timeoutMs: number;
  clock?: () => Date;
  fetch?: typeof fetch;
}

/**
 * The HTTP API channel, for integrators and in-app messaging. Inbound: bearer API key. Outbound: a signed POST
 * to the channel's callback URL; without one, replies are read with `GET /api/v1/conversations/:id/messages`.
 */
export function createApiAdapter(channel: ChannelInstance, deps: ApiAdapterDeps): ChannelAdapter {
  const clock = deps.clock ?? (() => new Date());
  const doFetch = deps.fetch ?? fetch;
  const apiKey = channel.secrets.apiKey ?? '';
  const signingSecret = channel.secrets.signingSecret ?? '';
  const callbackUrl = typeof channel.settings.callbackUrl === 'string' ? channel.settings.callbackUrl : undefined;

  return {
    kind: 'api',
    capabilities: apiCapabilities,

    verify(req: RawRequest): void {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      if (!match || !apiKey || !safeEqual(match[1]!, apiKey)) {
        throw new AdapterError('bad_signature', 'missing or invalid API key (expected "Authorization: Bearer <api key>")', { channel: 'api' });
      }
    },

    parse: (req) => parseApiRequest(req, clock()),

    async send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt> {
      if (!callbackUrl) return { status: 'sent', externalId: message.messageId };
      const body = JSON.stringify({
        type: 'message',
        conversationId: message.conversationId,
        contact: { id: to.to },
        message: {
          id: message.messageId,
          part: message.chunkIndex,
          author: { kind: message.authorKind, ...(message.authorName ? { name: message.authorName } : {}) },
          text: message.text,
          format: message.format,
          choices: message.choices ?? [],
          citations: message.citations ?? [],
        },
      });
      let response: Response;
      try {
        response = await doFetch(callbackUrl, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-switchboard-signature': signCallback(signingSecret, body, Math.floor(clock().getTime() / 1000)),
            'x-switchboard-message-id': `${message.messageId}:${message.chunkIndex}`,
          },
          body,
          signal: AbortSignal.timeout(deps.timeoutMs),
        });
      } catch (err) {
        throw new AdapterError('unavailable', `callback unreachable: ${(err as Error).message}`, { channel: 'api', retryable: true });
      }
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { status: 'delivered', externalId: message.messageId };
      throw errorFromResponse(response, 'api', 'callback', clock());
    },
  };
}
