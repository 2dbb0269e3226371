import type { Logger } from 'pino';
import type { WebchatHub } from '../../adapters/webchat/hub';
import type { Store } from '../../conversations';
import { toWidgetMessage } from './webchat-socket';

/** How far back a waiting reply is still pushed live; older ones the visitor finds in the history on return. */
const WINDOW_MS = 60 * 60_000;
const BATCH = 100;

/**
 * Live delivery across gateway processes: a reply handed to a process where its visitor has no socket waits
 * (`awaitingRecipient`, still `queued`). Each process reads those of the channels it has sockets for, pushes the
 * ones whose visitor is connected here, and marks them `sent`; the widget's receipt then marks them delivered.
 */
export class WebchatPendingSweep {
  constructor(
    private readonly store: Store,
    private readonly hub: WebchatHub,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** One pass over the newest waiting replies; never asks for an immediate re-run (the next pass is a poll away). */
  async tick(): Promise<boolean> {
    const channelIds = this.hub.channelIds;
    if (channelIds.length === 0) return false;
    const now = this.clock();
    const waiting = await this.store.messages.awaitingRecipients(channelIds, new Date(now.getTime() - WINDOW_MS), BATCH);
    if (waiting.length === 0) return false;
    const conversations = new Map(
      (await this.store.models.Conversation.find({ _id: { $in: [...new Set(waiting.map((m) => m.conversationId))] } }, { address: 1 }).lean<Array<{ _id: unknown; address: { to: string } }>>()).map((c) => [String(c._id), c.address.to]),
    );
    let taken = 0;
    for (const message of waiting) {
      const visitorId = conversations.get(String(message.conversationId));
      if (!visitorId || !this.hub.has(message.channelId, visitorId)) continue;
      if (this.hub.push(message.channelId, visitorId, { type: 'message', message: toWidgetMessage(message) }) === 0) continue;
      if (await this.store.messages.markTakenLate(message._id, now)) taken++;
    }
    if (taken) this.log.debug({ taken }, 'web chat replies waiting for their visitor pushed from this process');
    return false;
  }
}
