import { webApi } from '@slack/bolt';
import type { ChannelInstance } from '../types';

export const DEFAULT_API_URL = 'https://slack.com/api/';

/**
 * The Web API client for one Slack channel instance. Secrets: `botToken` (xoxb-); settings: `slackApiUrl`
 * (tests, proxies). The outbox owns retries and back-off: the client fails fast instead of pausing its queue on a
 * 429 or retrying behind our back.
 */
export function slackClient(channel: ChannelInstance, timeoutMs: number): webApi.WebClient {
  const apiUrl = typeof channel.settings.slackApiUrl === 'string' ? channel.settings.slackApiUrl : DEFAULT_API_URL;
  return new webApi.WebClient(channel.secrets.botToken, {
    slackApiUrl: apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    timeout: timeoutMs,
    logLevel: webApi.LogLevel.ERROR,
  });
}
