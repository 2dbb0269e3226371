import { fromStored, type StoredRollup } from './seconds-codec';
import type { Connection } from 'mongoose';
import { foldOutcome } from './outcome';
import { rollUp } from './rollups';
import { COLLECTIONS, type DailyRollup, type OutcomeRow, type ReportEventRow, type ReportSettings } from './types';

export interface CheckReport {
  from: string;
  to: string;
  episodes: number;
  events: number;
  /** Outcome rows that differ from what their events fold to (or are missing, or have no events). */
  outcomeMismatches: Array<{ id: string; fields: string[] }>;
  /** Rollups that differ from the sums of their day's folded outcomes (or are missing, or left over). */
  rollupMismatches: Array<{ id: string; fields: string[] }>;
  ok: boolean;
}

const COMPARED_OUTCOME: Array<keyof OutcomeRow> = ['events', 'involved', 'aiResolved', 'aiResolution', 'handedOff', 'handoffReason', 'resolved', 'durable', 'firstBotResponseMs', 'firstHumanResponseMs', 'resolutionMs', 'firstHumanResponseBusinessMs', 'resolutionBusinessMs', 'csat', 'helpfulRatings', 'unhelpfulRatings', 'team', 'intent', 'language'];

/**
 * A field a row was stored without (written before the field existed: the business-hours durations) compares as
 * the empty value of its kind, which is what the fold gives for events that carry no hours.
 */
function differing<T extends object>(a: T, b: T, fields: Array<keyof T>): string[] {
  const empty = (other: unknown) => (Array.isArray(other) ? [] : null);
  return fields.filter((f) => JSON.stringify(a[f] ?? empty(b[f])) !== JSON.stringify(b[f] ?? empty(a[f]))).map(String);
}

/**
 * Recomputes everything from the raw events, with the same fold and sums the live path uses, and compares it with
 * the stored outcome rows and daily rollups of the days `from` … `to`. Run it after the reporting loop has caught
 * up (`tick` until it says there is no more): an outcome whose time came but that was not folded again yet is a
 * mismatch, which is what an operator wants to know. Reads every event once (a full scan: an operator's command).
 */
export async function checkReports(connection: Connection, settings: ReportSettings, now: Date, from: string, to: string): Promise<CheckReport> {
  const byEpisode = new Map<string, ReportEventRow[]>();
  let events = 0;
  for await (const e of connection.collection<ReportEventRow>(COLLECTIONS.events).find({})) {
    events += 1;
    const key = `${String(e.conversationId)}:${e.episode}`;
    byEpisode.set(key, [...(byEpisode.get(key) ?? []), e]);
  }
  const folded = new Map<string, OutcomeRow>();
  for (const list of byEpisode.values()) {
    const o = foldOutcome(list, settings, now);
    if (o && o.day >= from && o.day <= to) folded.set(o._id, o);
  }
  const inRange = { _id: { $gte: `${from}|`, $lt: `${to}|\uffff` } };
  const stored = new Map((await connection.collection<OutcomeRow>(COLLECTIONS.outcomes).find(inRange).toArray()).map((o) => [o._id, o]));
  const outcomeMismatches: CheckReport['outcomeMismatches'] = [];
  for (const [id, o] of folded) {
    const s = stored.get(id);
    if (!s) outcomeMismatches.push({ id, fields: ['missing'] });
    else {
      const fields = differing(o, s, COMPARED_OUTCOME);
      if (fields.length) outcomeMismatches.push({ id, fields });
    }
  }
  for (const id of stored.keys()) if (!folded.has(id)) outcomeMismatches.push({ id, fields: ['no events'] });

  const byDay = new Map<string, OutcomeRow[]>();
  for (const o of folded.values()) byDay.set(o.day, [...(byDay.get(o.day) ?? []), o]);
  const expected = new Map<string, DailyRollup>();
  for (const [day, list] of byDay) for (const r of rollUp(day, list, now)) expected.set(r._id, r);
  const rollups = new Map((await connection.collection<StoredRollup>(COLLECTIONS.daily).find(inRange).toArray()).map((r) => [r._id, fromStored(r)]));
  const rollupMismatches: CheckReport['rollupMismatches'] = [];
  const fields = (r: DailyRollup) => (Object.keys(r) as Array<keyof DailyRollup>).filter((k) => k !== 'builtAt');
  for (const [id, r] of expected) {
    const s = rollups.get(id);
    if (!s) rollupMismatches.push({ id, fields: ['missing'] });
    else {
      const diff = differing(r, s, fields(r));
      if (diff.length) rollupMismatches.push({ id, fields: diff });
    }
  }
  for (const id of rollups.keys()) if (!expected.has(id)) rollupMismatches.push({ id, fields: ['not in the events'] });
  return { from, to, episodes: folded.size, events, outcomeMismatches, rollupMismatches, ok: outcomeMismatches.length === 0 && rollupMismatches.length === 0 };
}
