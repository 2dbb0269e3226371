/**
 * The adapter port: the one interface every channel implements.
 *
 * Transport (express routes, WebSocket frames, IMAP sessions) lives outside the adapter; an adapter only turns
 * raw requests into normalized events (pure `verify` + `parse`) and normalized replies into platform calls (`send`).
 * That split is what lets one contract suite test every channel the same way.
 */

export type ChannelKind =
  | 'webchat'
  | 'api'
  | 'slack'
  | 'teams'
  | 'discord'
  | 'email'
  | 'whatsapp'
  | 'messenger'
  | 'instagram'
  | 'telegram';

/** A raw inbound request as the transport received it: the bytes are what signatures are computed over. */
export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

export interface RawResponse {
  status: number;
  headers?: Record<string, string>;
  body: string | Record<string, unknown>;
}

/** Who wrote a message, as seen by the channel. `externalId` is unique within the channel instance. */
export interface Identity {
  externalId: string;
  displayName?: string;
  handle?: string;
  email?: string;
  phone?: string;
}

/**
 * Everything needed to reply later, without the original request (Bot Framework's ConversationReference idea).
 * Stored on the conversation, so any gateway process can answer.
 */
export interface ChannelAddress {
  /** Where replies go: a chat id, a phone number, a callback URL key, a visitor id... */
  to: string;
  /** Platform thread or reply target, when the channel has threads. */
  threadId?: string;
  /** Free-form, channel-specific values (string-only so they survive storage as-is). */
  extra?: Record<string, string>;
}

export type Part =
  | { type: 'text'; text: string }
  | { type: 'media'; url: string; mimeType?: string; name?: string; sizeBytes?: number; caption?: string }
  | { type: 'choices'; prompt?: string; choices: Choice[] }
  | { type: 'card'; title: string; text?: string; url?: string; imageUrl?: string; choices?: Choice[] }
  | { type: 'location'; latitude: number; longitude: number; name?: string; address?: string };

export interface Choice {
  /** The value that comes back as an `action` event when tapped. */
  id: string;
  title: string;
}

export interface Citation {
  title: string;
  url?: string;
}

export type DeliveryStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

export type InboundEvent<Raw = unknown> =
  | {
      kind: 'message';
      externalId: string;
      from: Identity;
      address: ChannelAddress;
      parts: Part[];
      sentAt: Date;
      /** True for the bot's own messages echoed back by the platform: the pipeline drops them (loop guard). */
      isSelf: boolean;
      /**
       * Seen in a shared space without being addressed to us (a Slack thread reply without a mention): it only
       * counts when it continues a conversation we are already in, or a desk thread.
       */
      ambient?: boolean;
      /**
       * Sent by a machine (an auto-reply, a bounce, list mail: the reason): stored and visible to agents, never
       * answered automatically — two auto-responders answering each other is how mail loops start.
       */
      automated?: string;
      raw: Raw;
    }
  | {
      kind: 'status';
      externalId: string;
      status: DeliveryStatus;
      error?: DeliveryError;
      at: Date;
      /**
       * Who sent the receipt, when a client rather than a signed platform names the message (web chat): the status
       * then applies only to that contact's own messages, so a guessed or replayed id changes nothing of anyone else's.
       */
      from?: Identity;
      raw: Raw;
    }
  | {
      kind: 'action';
      externalId: string;
      from: Identity;
      address: ChannelAddress;
      value: string;
      title?: string;
      sentAt: Date;
      raw: Raw;
    }
  | {
      /** An agent-facing command (`/switchboard mine`, "status" to the bot in a desk channel); answered in the response. */
      kind: 'command';
      externalId: string;
      from: Identity;
      address: ChannelAddress;
      command: string;
      text: string;
      raw: Raw;
    }
  | { kind: 'unsupported'; reason: string; raw: Raw };

export interface DeliveryError {
  code: string;
  message: string;
}

/** What the renderer hands an adapter: already degraded to the channel's capabilities. */
export interface RenderedMessage {
  text: string;
  /** Markup of `text`, as the channel expects it. */
  format: Markup;
  choices?: Choice[];
  media?: Extract<Part, { type: 'media' }>[];
  citations?: Citation[];
  /** The channel-neutral parts this rendering came from (kept for channels that can show them natively). */
  parts: Part[];
  /** Who wrote it: channels that show bots and people differently read this. */
  authorKind: 'bot' | 'agent' | 'system';
  /** Author shown to the customer, when a human agent wrote it. */
  authorName?: string;
  /** Our message id, for idempotency keys at the platform where supported. */
  messageId: string;
  conversationId: string;
  /** Position of this piece when a long reply had to be split (0 for most replies). */
  chunkIndex: number;
}

export interface DeliveryReceipt {
  externalId?: string;
  /** Some channels know at once that the message reached the device (our web chat with a live socket). */
  status: Extract<DeliveryStatus, 'sent' | 'delivered'>;
  /**
   * Nobody took it now (a web chat visitor without an open socket on this process): it is in the stored history
   * the visitor is shown when they connect, so the message stays `queued` until their receipt marks it delivered.
   */
  awaitingRecipient?: boolean;
  /**
   * Set when the platform's rules made the adapter send something else than the text (WhatsApp outside the 24-hour
   * window: the re-engagement template). Stored on the message; an agent who wrote it is told in the desk thread.
   */
  substitute?: { code: string; description: string };
}

export type Markup = 'plain' | 'markdown' | 'slack-mrkdwn' | 'html';

export interface Attachments {
  kinds: Array<'image' | 'file' | 'audio' | 'video'>;
  maxBytes: number;
  /**
   * The platform fetches the file from its URL (WhatsApp and Messenger `link`, Telegram's sendPhoto with a URL):
   * only public http(s) URLs can go as files; anything else (a stored inbound attachment) stays a link in the text.
   */
  byLink?: boolean;
  /**
   * Each file is a message of its own, after the text: the renderer gives it its own chunk, so a retry after the
   * text went out resends neither the text nor the files that made it.
   */
  separate?: boolean;
}

/** Capabilities are data: the shared renderer reads them to degrade rich replies. */
export interface Capabilities {
  maxTextLength: number;
  markup: Markup;
  buttons: { max: number; titleMax: number } | false;
  attachments: Attachments | false;
  threads: boolean;
  edits: boolean;
  typing: boolean;
  /** Hours after the customer's last message during which free-form replies are allowed (WhatsApp, Messenger). */
  replyWindowHours?: number;
  /** 'native': the channel shows `citations` itself; otherwise the renderer writes them into the text. */
  citations?: 'native' | 'text';
  /** 'native': the channel shows an agent's name beside their message; otherwise the renderer prefixes it. */
  authorNames?: 'native' | 'text';
}

/** The configured channel instance an adapter serves. Secrets arrive decrypted; they never leave the process. */
export interface ChannelInstance {
  id: string;
  kind: ChannelKind;
  name: string;
  settings: Record<string, unknown>;
  secrets: Record<string, string>;
}

export interface ChannelAdapter<Raw = unknown> {
  readonly kind: ChannelKind;
  readonly capabilities: Capabilities;
  /** Platform handshakes answered before verification matters (hub.challenge, url_verification, PING). */
  handshake?(req: RawRequest): RawResponse | undefined;
  /**
   * Raw bytes in, throws `AdapterError` with code `bad_signature` (→ 401) when the request is not authentic. Pure
   * for HMAC channels; asynchronous where the keys live elsewhere (Bot Framework JWTs are checked against JWKS).
   */
  verify(req: RawRequest): void | Promise<void>;
  /** Pure: unknown shapes become `{kind: 'unsupported'}`; never throws. */
  parse(req: RawRequest): InboundEvent<Raw>[];
  send(to: ChannelAddress, message: RenderedMessage): Promise<DeliveryReceipt>;
  edit?(to: ChannelAddress, externalId: string, message: RenderedMessage): Promise<void>;
  typing?(to: ChannelAddress): Promise<void>;
  /**
   * The body of the webhook's 200 once the events are stored, when the platform reads one (Telegram runs a Bot
   * API method given there: answering a button press costs no extra call). Undefined: the default acknowledgement.
   */
  ackBody?(events: InboundEvent<Raw>[]): Record<string, unknown> | undefined;
  /**
   * The bytes behind an inbound media part whose `url` only this platform can resolve (`wa-media:<id>`,
   * `telegram-file:<id>`), fetched with the channel's credentials when someone opens the file.
   */
  fetchMedia?(url: string): Promise<{ bytes: Buffer; mimeType?: string }>;
}

export type AdapterErrorCode =
  | 'bad_signature'
  | 'stale_signature'
  | 'bad_request'
  | 'rate_limited'
  | 'unavailable'
  | 'rejected'
  | 'unsupported';

/**
 * Typed adapter error: a code, the channel, and whether and when a retry makes sense.
 * The delivery worker reads `retryable` and `retryAfterMs`; HTTP transport maps codes to status codes.
 */
export class AdapterError extends Error {
  constructor(
    readonly code: AdapterErrorCode,
    message: string,
    readonly options: { channel?: ChannelKind; retryable?: boolean; retryAfterMs?: number; platformCode?: string } = {},
  ) {
    super(message);
    this.name = 'AdapterError';
  }

  get retryable(): boolean {
    return this.options.retryable ?? (this.code === 'rate_limited' || this.code === 'unavailable');
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}
