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
 * itself with one small read; the revision is read before the chunks, so a change during a rebuild is caught by
 * the next check. A rebuild that fails keeps the previous knowledge and is tried again at the next check.
 *
 * `checkEveryMs` > 0 (production): a question at most every so often starts a check in the background, and
 * questions never wait: while a rebuild runs (a large knowledge base takes a while to read and index) they are
 * answered from the previous knowledge. 0: every question waits for a check (and a rebuild when the knowledge
 * moved), so it is answered from the newest knowledge: for small knowledge bases and for tests.
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
  const check = (): Promise<void> => {
    checkedAt = now();
    pending ??= refresh()
      .catch((err: unknown) => options.onReloadError?.(err))
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  const fresh = async (): Promise<PassageSource> => {
    if (options.checkEveryMs === 0) {
      // A check already in flight may have read the revision before the change this question must see.
      if (pending) await pending;
      await check();
    } else if (!pending && now() - checkedAt >= options.checkEveryMs) void check();
    return current;
  };
  return {
    retrieve: async (query, limit) => (await fresh()).retrieve(query, limit),
    // The answer decision and a tapped option read the same knowledge as retrieval: forwarded, never dropped.
    read: async (message) => {
      const source = await fresh();
      return source.read ? source.read(message) : undefined;
    },
    passage: (id) => current.passage?.(id),
    topics: () => current.topics?.() ?? [],
    // After this process changed the knowledge (a console upload): its next question must see the change.
    refresh: async () => {
      if (pending) await pending;
      await check();
    },
  };
}
