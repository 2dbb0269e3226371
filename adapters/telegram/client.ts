import { AdapterError } from '../types';
import { fromTelegramResponse, type TelegramErrorBody } from './errors';

export const DEFAULT_API_BASE = 'https://api.telegram.org';

export interface TelegramClientOptions {
  apiBase: string;
  botToken: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/**
 * One Bot API call: `POST {apiBase}/bot<token>/<method>` with a JSON body, `{ok:true,result}` back. No retries
 * here (the outbox owns them). The token is in the URL, so it never goes into an error message.
 */
export function telegramClient(options: TelegramClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = options.apiBase.replace(/\/+$/, '');
  return async function call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    let response: Response;
    let text: string;
    try {
      response = await doFetch(`${base}/bot${options.botToken}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(params),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      text = await response.text();
    } catch (err) {
      // Refused, reset, DNS, or our own timeout: the next attempt may well work.
      const reason = (err as Error)?.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : ((err as Error)?.message ?? String(err));
      throw new AdapterError('unavailable', `${method} unreachable: ${reason}`, { channel: 'telegram', retryable: true });
    }
    let body: (TelegramErrorBody & { result?: T }) | undefined;
    try {
      const parsed: unknown = JSON.parse(text);
      body = parsed && typeof parsed === 'object' ? (parsed as TelegramErrorBody & { result?: T }) : undefined;
    } catch {
      body = undefined;
    }
    if (response.ok && body?.ok === true) return body.result as T;
    throw fromTelegramResponse(response.status, body, response.headers.get('retry-after'), method);
  };
}

export type TelegramCall = ReturnType<typeof telegramClient>;
