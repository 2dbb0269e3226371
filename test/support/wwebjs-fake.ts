import { EventEmitter, once } from 'node:events';
import type { WaWebClient, WaWebClientFactory, WaWebClientOptions, WaWebMedia, WaWebMessage } from '../../adapters/whatsapp-web';

/**
 * A stand-in for whatsapp-web.js's Client with the library's event interface (`qr`, `authenticated`, `ready`,
 * `message`, `message_ack`, `disconnected`) and its send call, because the real client needs web.whatsapp.com and
 * a phone. The test plays WhatsApp: it emits what the library would emit and reads what the gateway sent.
 * Emits 'sent' (chatId, text, id) on itself whenever the gateway sends.
 */
export class FakeWaWebClient extends EventEmitter implements WaWebClient {
  readonly sent: Array<{ chatId: string; text: string; id: string; quotedMessageId?: string }> = [];
  destroyed = false;
  initialized = false;
  info: { wid?: { user?: string }; pushname?: string } | undefined;
  /** What `initialize()` does; replace before the gateway calls it to simulate a failure. */
  initializeWith: () => Promise<void> = async () => {};

  constructor(readonly options: WaWebClientOptions) {
    super();
  }

  async initialize(): Promise<void> {
    await this.initializeWith();
    this.initialized = true;
  }

  async sendMessage(chatId: string, content: string, options?: { quotedMessageId?: string }): Promise<{ id: { _serialized: string } }> {
    if (this.destroyed) throw new Error('Session closed');
    const id = `true_${chatId}_3EB0${String(this.sent.length).padStart(16, '0')}`;
    this.sent.push({ chatId, text: content, id, ...(options?.quotedMessageId ? { quotedMessageId: options.quotedMessageId } : {}) });
    this.emit('sent', chatId, content, id);
    return { id: { _serialized: id } };
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
  }

  /** The library's `ready`, with the linked account as `client.info`. */
  link(account = '15550009999'): void {
    this.info = { wid: { user: account }, pushname: 'Shop' };
    this.emit('authenticated');
    this.emit('ready');
  }

  /** Resolves with the first message (already sent, or to come) that `match` accepts. */
  async sendMatching(match: (sent: { chatId: string; text: string }) => boolean): Promise<{ chatId: string; text: string; id: string }> {
    for (;;) {
      const found = this.sent.find(match);
      if (found) return found;
      await once(this, 'sent');
    }
  }

  /** Resolves with the next message this client sends. */
  async nextSend(): Promise<{ chatId: string; text: string; id: string }> {
    const [chatId, text, id] = (await once(this, 'sent')) as [string, string, string];
    return { chatId, text, id };
  }
}

/** Records every client the gateway creates; `next()` resolves with the next one (or the latest not yet taken). */
export class FakeWaWebFactory extends EventEmitter {
  readonly created: FakeWaWebClient[] = [];
  private taken = 0;

  readonly create: WaWebClientFactory = (options) => {
    const client = new FakeWaWebClient(options);
    this.created.push(client);
    this.emit('created', client);
    return client;
  };

  async next(): Promise<FakeWaWebClient> {
    if (this.created.length > this.taken) return this.created[this.taken++]!;
    await once(this, 'created');
    return this.created[this.taken++]!;
  }
}

let sequence = 0;

/** An inbound whatsapp-web.js Message as the library hands it to `message` listeners. */
export function waWebMessage(input: {
  from: string;
  body?: string;
  type?: string;
  id?: string;
  name?: string;
  fromMe?: boolean;
  media?: WaWebMedia;
  location?: WaWebMessage['location'];
  vCards?: string[];
  isStatus?: boolean;
}): WaWebMessage {
  const id = input.id ?? `false_${input.from}_3A${String(++sequence).padStart(18, '0')}`;
  return {
    id: { _serialized: id },
    from: input.from,
    to: '15550009999@c.us',
    body: input.body ?? '',
    fromMe: input.fromMe ?? false,
    timestamp: Math.floor(Date.now() / 1000),
    type: input.type ?? 'chat',
    hasMedia: input.media !== undefined,
    ...(input.isStatus ? { isStatus: true } : {}),
    ...(input.location ? { location: input.location } : {}),
    ...(input.vCards ? { vCards: input.vCards } : {}),
    _data: input.name ? { notifyName: input.name } : {},
    downloadMedia: async () => input.media,
  };
}
