import type { webApi } from '@slack/bolt';
import { AdapterError } from '../types';
import { fromSlackError } from './errors';
import { SLACK_FILE_PREFIX } from './parse';

export interface SlackFileDeps {
  client: webApi.WebClient;
  botToken: string;
  /** The Web API base: file links on its host (a proxy, the test peer) get the token too. */
  apiUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * The bytes of a file shared in Slack (`slack-file:<id>`). Files are private: `files.info` (files:read) names the
 * current download link, which answers only with the bot token. The token goes only to Slack's own hosts (or the
 * configured API host), never to whatever host a file record names.
 */
export async function fetchSlackFile(url: string, deps: SlackFileDeps): Promise<{ bytes: Buffer; mimeType?: string }> {
  if (!url.startsWith(SLACK_FILE_PREFIX)) throw new AdapterError('bad_request', `not a Slack file: ${url}`, { channel: 'slack', retryable: false });
  let file: { url_private_download?: string; url_private?: string; mimetype?: string } | undefined;
  try {
    file = (await deps.client.files.info({ file: url.slice(SLACK_FILE_PREFIX.length) })).file;
  } catch (err) {
    throw fromSlackError(err, 'files.info');
  }
  const link = file?.url_private_download ?? file?.url_private;
  if (!link) throw new AdapterError('rejected', 'Slack gave no download link for this file (deleted, or external)', { channel: 'slack', platformCode: 'no_url_private', retryable: false });
  if (!trustedHost(link, deps.apiUrl)) throw new AdapterError('rejected', `Slack file link on an unexpected host: ${new URL(link).host}`, { channel: 'slack', retryable: false });
  const response = await (deps.fetch ?? fetch)(link, { headers: { authorization: `Bearer ${deps.botToken}` }, redirect: 'follow', signal: AbortSignal.timeout(deps.timeoutMs) });
  if (!response.ok) throw new AdapterError(response.status >= 500 ? 'unavailable' : 'rejected', `Slack file download answered ${response.status}`, { channel: 'slack' });
  const type = response.headers.get('content-type')?.split(';')[0]?.trim();
  // Without the token (or with a wrong one) Slack answers 200 with its HTML sign-in page instead of the file.
  if (type === 'text/html' && file?.mimetype !== 'text/html') throw new AdapterError('rejected', 'Slack answered a sign-in page instead of the file (missing files:read scope?)', { channel: 'slack', retryable: false });
  const mimeType = file?.mimetype ?? type;
  return { bytes: Buffer.from(await response.arrayBuffer()), ...(mimeType && mimeType !== 'application/octet-stream' ? { mimeType } : {}) };
}

function trustedHost(link: string, apiUrl: string): boolean {
  let host: string;
  try {
    host = new URL(link).host;
  } catch {
    return false;
  }
  return /(^|\.)slack\.com$/i.test(host) || /(^|\.)slack-edge\.com$/i.test(host) || host === new URL(apiUrl).host;
}
