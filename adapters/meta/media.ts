import { errorFromResponse } from '../http';
import { AdapterError, type ChannelInstance } from '../types';
import { metaSettings } from './settings';

/**
 * Downloads the bytes behind a `wa-media:<id>` part: `GET /{version}/{media id}` (Bearer) names a short-lived URL
 * (5 minutes) that must be fetched with the same Bearer header. Media ids expire after 7 days.
 */
export async function fetchWhatsAppMedia(channel: ChannelInstance, mediaUrl: string, deps: { timeoutMs: number }): Promise<{ bytes: Buffer; mimeType?: string }> {
  const mediaId = mediaUrl.replace(/^wa-media:/, '');
  const meta = metaSettings(channel);
  const headers = { authorization: `Bearer ${meta.accessToken}` };
  const get = async (url: string, what: string): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(deps.timeoutMs) });
    } catch (err) {
      throw new AdapterError('unavailable', `${what} unreachable: ${(err as Error)?.message ?? String(err)}`, { channel: 'whatsapp', retryable: true });
    }
    if (!response.ok) throw errorFromResponse(response, 'whatsapp', what, new Date());
    return response;
  };
  const info = (await (await get(`${meta.graphBase}/${meta.graphVersion}/${encodeURIComponent(mediaId)}`, 'media lookup')).json()) as { url?: string; mime_type?: string };
  if (!info.url) throw new AdapterError('rejected', `media ${mediaId} has no url`, { channel: 'whatsapp', platformCode: 'no_media_url', retryable: false });
  const bytes = Buffer.from(await (await get(info.url, 'media download')).arrayBuffer());
  return { bytes, ...(info.mime_type ? { mimeType: info.mime_type } : {}) };
}
