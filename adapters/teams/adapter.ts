import type { Activity } from '@microsoft/agents-activity';
import type { ChannelAdapter, ChannelAddress, ChannelInstance, DeliveryReceipt, RenderedMessage } from '../types';
import { AdapterError } from '../types';
import { threadConversationId } from './activity';
import { createTeamsVerifier, verifyUnsigned } from './auth';
import { teamsCapabilities } from './capabilities';
import { choicesCard } from './cards';
import { readTeamsConfig, toAuthConfiguration, type TeamsConfig } from './config';
import { TeamsConnector } from './connector';
import { fromTeamsError } from './errors';
import { messageActivity, replyText, typingActivity, type BotAccount } from './outbound';
import type { TeamsAdapterDeps } from './index';
import { parseTeamsRequest } from './parse';

/**
 * Microsoft Teams as a customer channel over the Bot Framework Activity protocol, on our `/webhooks/:channelId`
 * route (not CloudAdapter.process, so events are persisted before the 200). Inbound tokens are checked with the
 * SDK's validator; replies go through the SDK's connector client to the serviceUrl stored in the address.
 * Configuration: see ./config.ts.
 */
export function buildTeamsAdapter(channel: ChannelInstance, deps: TeamsAdapterDeps): ChannelAdapter {
  const clock = deps.clock ?? (() => new Date());
  const config = readTeamsConfig(channel);
  const authConfig = toAuthConfiguration(config, deps.timeoutMs);
  const connector = new TeamsConnector(config, authConfig, deps.timeoutMs);
  const verify = config.authDisabled ? verifyUnsigned : createTeamsVerifier(authConfig);

  /** Sends one activity into the address's conversation (in a channel: the thread). */
  async function post(to: ChannelAddress, what: string, build: (bot: BotAccount | undefined) => Activity): Promise<string | undefined> {
    try {
      const client = await connector.client(to.extra?.serviceUrl);
      const result = await client.sendToConversation(conversationOf(to), build(botOf(to, config)));
      return result?.id || undefined;
    } catch (err) {
      throw fromTeamsError(err, what, clock());
    }
  }

  return {
    kind: 'teams',
    capabilities: teamsCapabilities,

    verify,

    parse: (req) => parseTeamsRequest(req, { appId: config.appId }),

    async send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt> {
      const id = await post(to, 'sendToConversation', (bot) => messageActivity(replyText(message), bot, message.choices?.length ? choicesCard(message.choices) : undefined));
      return { status: 'sent', ...(id ? { externalId: id } : {}) };
    },

    async edit(to: ChannelAddress, externalId: string, message: RenderedMessage): Promise<void> {
      try {
        const client = await connector.client(to.extra?.serviceUrl);
        const activity = messageActivity(replyText(message), botOf(to, config), message.choices?.length ? choicesCard(message.choices) : undefined);
        activity.id = externalId;
        await client.updateActivity(conversationOf(to), externalId, activity);
      } catch (err) {
        throw fromTeamsError(err, 'updateActivity', clock());
      }
    },

    async typing(to: ChannelAddress): Promise<void> {
      await post(to, 'typing', (bot) => typingActivity(bot));
    },
  };
}

/** The thread's conversation id in channels (`19:…;messageid=<root>`), the chat's id elsewhere. */
function conversationOf(to: ChannelAddress): string {
  if (!to.to) throw new AdapterError('rejected', 'the address has no conversation id', { channel: 'teams', retryable: false });
  return threadConversationId(to.to, to.threadId);
}

function botOf(to: ChannelAddress, config: TeamsConfig): BotAccount | undefined {
  const id = to.extra?.botId ?? (config.appId ? `28:${config.appId}` : undefined);
  const name = to.extra?.botName ?? config.botName;
  return id ? { id, ...(name ? { name } : {}) } : undefined;
}
