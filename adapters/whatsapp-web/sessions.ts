/**
 * The linked sessions this process holds, by channel id. A WhatsApp Web session lives in one browser in one
 * process: the adapter's `send` must go through it, so the connection registers itself here while it holds the
 * lease, and the deliverer routes the channel's replies to the process that has it (src/gateway.ts).
 */
export interface WaWebSession {
  /** False while the phone is not linked (QR shown) or the client is reconnecting. */
  readonly ready: boolean;
  /** Why it is not ready, for the error stored on a message that could not go out. */
  readonly state: string;
  send(chatId: string, text: string, options?: { quotedMessageId?: string }): Promise<string | undefined>;
}

export class WaWebSessions {
  private readonly sessions = new Map<string, WaWebSession>();

  get(channelId: string): WaWebSession | undefined {
    return this.sessions.get(channelId);
  }

  set(channelId: string, session: WaWebSession): void {
    this.sessions.set(channelId, session);
  }

  /** Removes the session only if it is still the registered one (a newer connection may have replaced it). */
  delete(channelId: string, session: WaWebSession): void {
    if (this.sessions.get(channelId) === session) this.sessions.delete(channelId);
  }
}
