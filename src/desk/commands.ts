import type { Store } from '../../conversations';
import { deskThreadId } from '../../conversations/desk';
import type { ConversationRecord } from '../../conversations/types';
import { percentile } from '../cli/percentile';
import { age, channelLabel, reasonLabel } from './labels';

export const COMMAND_HELP = [
  '*Switchboard* — `/switchboard <command>` (in Teams: mention the bot in the desk channel)',
  '• `open` — escalations waiting for someone, oldest first',
  '• `mine` — conversations you have claimed',
  '• `status` — queue, reply times and satisfaction at a glance',
].join('\n');

const DAY_MS = 24 * 60 * 60 * 1000;

/** Answers an agent's command in plain words; unknown commands get the help text. */
export async function answerCommand(store: Store, input: { text: string; agentId: string; deskChannelId: string; now: Date }): Promise<string> {
  const [word] = input.text.trim().toLowerCase().split(/\s+/);
  switch (word) {
    case 'open':
    case 'queue':
    case 'list':
      return listing(store, input, await store.conversations.escalations({ status: 'pending' }), 'Nothing is waiting. :tada:', 'Waiting for an agent');
    case 'mine':
      return listing(store, input, await store.conversations.escalations({ status: 'assigned', assignee: input.agentId }), 'You have no open conversations.', 'Yours');
    case 'status':
    case 'stats':
      return status(store, input.now);
    default:
      return COMMAND_HELP;
  }
}

async function listing(store: Store, input: { deskChannelId: string; now: Date }, rows: ConversationRecord[], empty: string, title: string): Promise<string> {
  if (rows.length === 0) return empty;
  const lines = await Promise.all(
    rows.map(async (c) => {
      const [contact, thread] = await Promise.all([store.contacts.get(c.contactId), store.desk.thread(deskThreadId(c._id, input.deskChannelId))]);
      const since = c.escalatedAt ?? c.createdAt;
      const link = thread?.rootId && thread.rootChannel ? threadLink(thread.rootChannel, thread.rootId) : undefined;
      const who = contact?.displayName ?? 'Customer';
      return `• [${c.priority}] ${who} via ${channelLabel(c.channelKind)} — ${reasonLabel(c.escalationReason)} — ${age(input.now.getTime() - since.getTime())}${link ? ` — ${link}` : ''}`;
    }),
  );
  return [`*${title}* (${rows.length})`, ...lines].join('\n');
}

/** Slack thread permalinks work from the archive path; Teams message links from the channel and message id. */
function threadLink(channel: string, rootId: string): string {
  if (channel.startsWith('19:')) return `https://teams.microsoft.com/l/message/${encodeURIComponent(channel)}/${rootId}`;
  return `<https://slack.com/archives/${channel}/p${rootId.replace('.', '')}|thread>`;
}

async function status(store: Store, now: Date): Promise<string> {
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const weekAgo = new Date(now.getTime() - 7 * DAY_MS);
  const [waiting, assigned, recent, rated] = await Promise.all([
    store.conversations.countByStatus('pending'),
    store.conversations.countByStatus('assigned'),
    store.models.Conversation.find({ escalatedAt: { $gte: dayAgo } }, { agentReplyMs: 1, status: 1, resolvedAt: 1 }).limit(5_000).lean(),
    store.models.Conversation.find({ 'csat.answeredAt': { $gte: weekAgo } }, { csat: 1 }).limit(5_000).lean(),
  ]);
  const replyTimes = recent.map((c) => c.agentReplyMs).filter((ms): ms is number => typeof ms === 'number');
  const resolvedToday = recent.filter((c) => c.status === 'resolved').length;
  const scores = rated.map((c) => c.csat?.score).filter((s): s is number => typeof s === 'number');
  const csat = scores.length ? `${(scores.reduce((a, b) => a + b, 0) / scores.length).toFixed(1)}/5 from ${scores.length} rating${scores.length === 1 ? '' : 's'}` : 'no ratings yet';
  return [
    '*Switchboard status*',
    `• Waiting: ${waiting} · claimed: ${assigned}`,
    `• Escalated in the last 24 h: ${recent.length} (${resolvedToday} resolved)`,
    `• Median first agent reply (24 h): ${replyTimes.length ? age(percentile([...replyTimes].sort((a, b) => a - b), 0.5)) : 'no replies yet'}`,
    `• Satisfaction (7 days): ${csat}`,
  ].join('\n');
}
