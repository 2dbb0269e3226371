import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { ReportEventInput, ReportSink } from '../../conversations/report-events';
import type { ConversationRecord } from '../../conversations/types';
import { COLLECTIONS, type ReportEventRow } from './types';

/** The `report_events` id: a fact about the same thing (a message, a first reply) written twice collides. */
export function eventId(conversationId: string, episode: number, input: ReportEventInput): string {
  const f = input.fact;
  const key = 'key' in f ? f.key : f.type === 'claimed' || f.type === 'returned_to_bot' || f.type === 'reopened' || f.type === 'handed_off' ? String(input.at.getTime()) : 'once';
  return `${conversationId}:${episode}:${f.type}:${key}`;
}

/**
 * The sink the store's repositories report to: each fact is stored once in `report_events` with the dimensions it
 * is counted by (read from the conversation as it is now), then `afterEvent` folds the episode's outcome. A
 * failure here is logged and swallowed: reporting must never fail a customer's message or an agent's click (the
 * consistency check, `switchboard reports check`, finds what a crash between the two writes left out).
 */
export function reportSink(connection: Connection, log: Pick<Logger, 'warn'>, afterEvent: (row: ReportEventRow) => Promise<void>): ReportSink {
  const events = connection.collection<ReportEventRow>(COLLECTIONS.events);
  const conversations = connection.collection<ConversationRecord>('conversations');
  return async (input) => {
    try {
      const conversation = await conversations.findOne(
        { _id: input.conversationId },
        { projection: { channelKind: 1, channelId: 1, team: 1, episode: 1 } },
      );
      if (!conversation) return;
      const episode = input.episode ?? conversation.episode ?? 0;
      const team = input.fact.type === 'handed_off' ? input.fact.team : (conversation.team ?? null);
      const row: ReportEventRow = {
        _id: eventId(String(input.conversationId), episode, input),
        conversationId: input.conversationId,
        episode,
        at: input.at,
        channelKind: conversation.channelKind,
        channelId: conversation.channelId,
        team,
        fact: input.fact,
      };
      try {
        await events.insertOne(row);
      } catch (err) {
        // The same fact again (a re-run after a crash): stored once; the latest rating of an answer replaces the first.
        if ((err as { code?: number }).code !== 11000) throw err;
        if (input.fact.type !== 'rated') return;
        await events.replaceOne({ _id: row._id }, row);
      }
      await afterEvent(row);
    } catch (err) {
      log.warn({ err, conversationId: String(input.conversationId), fact: input.fact.type }, 'reporting: could not record a fact');
    }
  };
}
