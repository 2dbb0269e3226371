import type { Capabilities, ChannelAdapter, ChannelAddress, ChannelInstance, DeliveryReceipt, RawRequest, RawResponse, RenderedMessage } from '../types';
import { toSlackBlocks } from './blocks';
import { DEFAULT_API_URL, slackClient } from './client';
import { fromSlackError } from './errors';
import { fetchSlackFile } from './files';
import { parseSlackRequest } from './parse';
import { decodeSlackBody } from './payload';
import { verifySlackSignature } from './signature';

export const slackCapabilities: Capabilities = {
  // A section block's text is capped at 3000 characters; longer replies are split by the renderer.
  maxTextLength: 3000,
  markup: 'slack-mrkdwn',
  buttons: { max: 5, titleMax: 75 },
  // File uploads need files:write and the two-step upload API: media become links for now.
  attachments: false,
  threads: true,
  edits: false,
  typing: false,
  citations: 'text',
};

export interface SlackAdapterDeps {
  timeoutMs: number;
  clock?: () => Date;
}

/**
 * Slack as a customer channel over the Events API, on our `/webhooks/:channelId` route (not bolt's receiver, so
 * events are persisted before the 200). Secrets: `signingSecret`, `botToken` (xoxb-). Settings: `slackApiUrl`
 * (tests, proxies), `botUserId` / `botId` (optional; `authorizations` in each event names the bot user too).
 */
export function createSlackAdapter(channel: ChannelInstance, deps: SlackAdapterDeps): ChannelAdapter {
  const clock = deps.clock ?? (() => new Date());
  const signingSecret = channel.secrets.signingSecret ?? '';
  const setting = (key: string) => (typeof channel.settings[key] === 'string' ? (channel.settings[key] as string) : undefined);
  const self = { botUserId: setting('botUserId'), botId: setting('botId') };
  const client = slackClient(channel, deps.timeoutMs);
  const verify = (req: RawRequest) => verifySlackSignature(signingSecret, req, clock());

  return {
    kind: 'slack',
    capabilities: slackCapabilities,

    handshake(req: RawRequest): RawResponse | undefined {
      if (req.method !== 'POST') return undefined;
      const body = decodeSlackBody(req);
      if (body?.type !== 'url_verification') return undefined;
      // Slack signs the verification request too: echoing challenges for anyone would prove nothing.
      verify(req);
      return { status: 200, body: { challenge: String(body.challenge ?? '') } };
    },

    verify,

    parse: (req) => parseSlackRequest(req, self),

    fetchMedia: (url) =>
      fetchSlackFile(url, { client, botToken: channel.secrets.botToken ?? '', apiUrl: setting('slackApiUrl') ?? DEFAULT_API_URL, timeoutMs: deps.timeoutMs }),

    async send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt> {
      const blocks = toSlackBlocks(message);
      try {
        const result = await client.chat.postMessage({
          channel: to.to,
          text: message.text,
          ...(to.threadId ? { thread_ts: to.threadId } : {}),
          ...(blocks ? { blocks } : {}),
          // Citations are links: a preview card for each source would bury the answer.
          unfurl_links: false,
        });
        return { status: 'sent', ...(result.ts ? { externalId: `${result.channel ?? to.to}:${result.ts}` } : {}) };
      } catch (err) {
        throw fromSlackError(err, 'chat.postMessage');
      }
    },
  };
}
