import type { Store } from '../../conversations';
import { age } from './labels';

/**
 * Unclaimed escalations past the SLA get one reminder in their thread (the platform's mention conventions differ,
 * so the reminder is a broadcast reply where the surface supports it). The reminder post is keyed by the
 * escalation, so several gateway processes scanning at once (or a crash between the two writes) still remind once;
 * the mark only stops the rescans.
 */
export async function remindUnclaimed(store: Store, input: { slaMs: number; now: Date; queued: () => void }): Promise<number> {
  const due = await store.conversations.unclaimedSince(new Date(input.now.getTime() - input.slaMs));
  let reminded = 0;
  for (const conversation of due) {
    const waited = age(input.now.getTime() - (conversation.escalatedAt ?? conversation.createdAt).getTime());
    for (const thread of await store.desk.threadsOf(conversation._id)) {
      await store.desk.queue({
        key: `sla:${thread._id}:${(conversation.escalatedAt ?? conversation.createdAt).getTime()}`,
        threadId: thread._id,
        conversationId: conversation._id,
        kind: 'post',
        post: { kind: 'reminder', text: `Waiting ${waited} and nobody has claimed it yet (${conversation.priority} priority). Can someone take it?` },
        now: input.now,
      });
    }
    if (await store.conversations.markSlaReminded(conversation._id, input.now)) reminded += 1;
  }
  if (reminded) input.queued();
  return reminded;
}
