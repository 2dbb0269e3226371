import type { Connection } from 'mongoose';
import { knowledgeRevision } from '../knowledge/store';
import type { PassageSource } from './brain/answer/passages';

export interface LiveKnowledgeOptions {
  /** How often (at most) a query checks whether the stored knowledge moved on; 0 checks on every query. */
  checkEveryMs: number;
  onReloadError?: (err: unknown) => void;
  onReloaded?: (revision: number) => void;
  /** For the interval only (monotonic enough); tests use 0 and never depend on time. */
  now?: () => number;
}

/**
 * The knowledge base as a running gateway serves it: built once from MongoDB, and rebuilt when the stored
 * revision (knowledge/store `knowledgeRevision`, moved by approved or revoked learned entries and by ingests)
 * differs from the one it was built at. Gateways are stateless processes on one database, so each checks for
 * itself, at most every `checkEveryMs`, with one small read (the revision is read before the chunks, so a change
 * during a rebuild is caught by the next check). Queries wait for a check or rebuild in progress, so the first
 * question after an approval already sees the entry; a rebuild that fails keeps the previous knowledge and is
 * tried again at the next check.
 */
export async function liveKnowledge(connection: Connection, build: () => Promise<PassageSource>, options: LiveKnowledgeOptions): Promise<PassageSource> {
  const now = options.now ?? (() => performance.now());
  let revision = await knowledgeRevision(connection);
  let current = await build();
  let checkedAt = now();
  let pending: Promise<void> | undefined;

  const refresh = async (): Promise<void> => {
    const stored = await knowledgeRevision(connection);
    if (stored === revision) return;
    const next = await build();
    revision = stored;
    current = next;
    options.onReloaded?.(stored);
  };

  return {
    async retrieve(query, limit) {
      if (!pending && now() - checkedAt >= options.checkEveryMs) {
        checkedAt = now();
        pending = refresh()
          .catch((err: unknown) => options.onReloadError?.(err))
          .finally(() => {
            pending = undefined;
          });
      }
      // Waiting for a check is one read; waiting for a rebuild means this query already sees the new entry.
      if (pending) await pending;
      return current.retrieve(query, limit);
    },
  };
}
