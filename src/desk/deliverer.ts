import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { DeskThreadRef } from '../../adapters/desk';
import { AdapterError } from '../../adapters/types';
import type { Store } from '../../conversations';
import { deskThreadKey, type DeskPostRecord, type DeskThreadRecord } from '../../conversations/desk';
import { afterFailure } from '../pipeline/backoff';
import type { DelivererOptions } from '../pipeline/deliverer';
import { buildEscalationCard } from './card';
import type { DeskSurfaces } from './surfaces';

/** The same lease and retry rules as customer replies (src/pipeline/deliverer.ts). */
export type DeskDelivererOptions = DelivererOptions;

/**
 * Draws the desk outbox: thread root cards, card redraws and thread posts, in order per thread (the card first),
 * with the same retry rules as customer replies (back-off with jitter, at least Retry-After, dead letter with the
 * error kept on the row). A card is drawn from the conversation's state at drawing time, so a redraw that
 * overtakes another still shows the latest truth.
 *
 * Events: `done` (post), `retry` (post, error), `failed` (post, error).
 */
export class DeskDeliverer extends EventEmitter {
  constructor(
    private readonly store: Store,
    private readonly surfaces: DeskSurfaces,
    private readonly options: DeskDelivererOptions,
    private readonly log: Logger,
    private readonly clock: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
  ) {
    super();
  }

  async tick(): Promise<boolean> {
    const now = this.clock();
    const post = await this.store.desk.claim(this.options.owner, this.options.leaseMs, now);
    if (!post) return false;
    const earlier = await this.store.desk.earlierQueued(post);
    if (earlier) {
      await this.store.desk.retryLater(post._id, this.options.owner, new Date(Math.max(now.getTime() + 20, earlier.runAt.getTime() + 1)));
      return true;
    }
    const thread = await this.store.desk.thread(post.threadId);
    const channel = thread ? await this.store.channels.get(thread.deskChannelId) : undefined;
    if (!thread || !channel) {
      await this.fail(post, { code: 'desk_unavailable', message: `desk ${thread?.deskChannelId ?? post.threadId} is not configured or disabled` }, now);
      return true;
    }
    try {
      const externalId = await this.draw(post, thread, this.surfaces.get(channel));
      await this.store.desk.done(post._id, this.options.owner, externalId);
      this.emit('done', post);
    } catch (err) {
      await this.handleFailure(post, err, now);
    }
    return true;
  }

  private async draw(post: DeskPostRecord, thread: DeskThreadRecord, surface: ReturnType<DeskSurfaces['get']>): Promise<string | undefined> {
    if (post.kind === 'card' && thread.rootId) return thread.rootId; // drawn before a crash; the row just was not marked
    const conversation = await this.store.conversations.get(post.conversationId);
    if (!conversation) throw new AdapterError('rejected', 'the conversation no longer exists', { retryable: false });
    if (post.kind === 'card') {
      const target = { channel: thread.target.channel, extra: fromKeyValues(thread.target.extra) };
      const nonce = thread.posting?.nonce ?? String(post._id);
      // Sent before (then a crash, a timeout, a lost answer): adopt that card rather than post a second one.
      let ref = thread.posting ? await this.findPosted(surface, target, thread.posting) : undefined;
      if (!ref) {
        await this.store.desk.markPosting(thread._id, nonce, this.clock());
        ref = await surface.postCard(target, await buildEscalationCard(this.store, conversation), nonce);
      }
      const extra = Object.entries(ref.extra ?? {}).map(([k, v]) => ({ k, v }));
      await this.store.desk.setRoot(thread._id, { rootId: ref.rootId, rootChannel: ref.channel, threadKey: deskThreadKey(thread.deskChannelId, ref.channel, ref.rootId), extra });
      return ref.rootId;
    }
    // Everything else needs the root; earlier posts (the card among them) are done, so no root means it failed.
    if (!thread.rootId) throw new AdapterError('rejected', 'the escalation card was never posted, so the thread does not exist', { retryable: false, platformCode: 'no_thread' });
    const ref: DeskThreadRef = { channel: thread.rootChannel ?? thread.target.channel, rootId: thread.rootId, extra: fromKeyValues(thread.extra) };
    if (post.kind === 'update') {
      await surface.updateCard(ref, await buildEscalationCard(this.store, conversation));
      return undefined;
    }
    const result = await surface.postInThread(ref, post.post ?? { kind: 'event', text: '' });
    return result.id;
  }

  /**
   * The card an earlier attempt posted, read back by its nonce where the surface can (Slack). A transient failure
   * to look is retried like a failed post; a surface that cannot look (Teams, or Slack without the history scope)
   * posts again: the duplicate this cannot rule out is the one the README states.
   */
  private async findPosted(surface: ReturnType<DeskSurfaces['get']>, target: { channel: string; extra: Record<string, string> }, posting: { nonce: string; at: Date }): Promise<DeskThreadRef | undefined> {
    if (!surface.findCard) return undefined;
    try {
      return await surface.findCard(target, posting.nonce, posting.at);
    } catch (err) {
      if (err instanceof AdapterError && err.retryable) throw err;
      this.log.warn({ err, channel: target.channel }, 'desk: could not look for an earlier card; posting it again');
      return undefined;
    }
  }

  private async handleFailure(post: DeskPostRecord, err: unknown, now: Date): Promise<void> {
    const attempt = post.attempts + 1;
    const outcome = afterFailure(err, attempt, this.options, this.random);
    if (outcome.giveUp) {
      await this.fail(post, outcome.error, now);
      return;
    }
    const { error, delayMs } = outcome;
    await this.store.desk.retryLater(post._id, this.options.owner, new Date(now.getTime() + delayMs), { ...error, at: now });
    this.log.info({ post: String(post._id), kind: post.kind, attempt, delayMs, error }, 'desk post will be retried');
    this.emit('retry', post, error);
  }

  private async fail(post: DeskPostRecord, error: { code: string; message: string }, now: Date): Promise<void> {
    await this.store.desk.fail(post._id, this.options.owner, { ...error, at: now });
    this.log.warn({ post: String(post._id), kind: post.kind, error }, 'desk post failed permanently');
    this.emit('failed', post, error);
  }
}

function fromKeyValues(pairs: Array<{ k: string; v: string }>): Record<string, string> {
  return Object.fromEntries(pairs.map(({ k, v }) => [k, v]));
}
