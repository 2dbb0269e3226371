import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterMongo, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Config } from '../config';
import { RateLimitedError } from './errors';

export type LimitName = 'admin' | 'adminAuthFailures' | 'signInFailures' | 'webchatSessions' | 'webchatMessages' | 'webchatMessagesPerIp' | 'api';
export interface LimitSpec {
  points: number;
  durationSec: number;
}

/** Where the limiters' windows live: one document per key and window, shared by every gateway process. */
export const RATE_LIMIT_COLLECTION = 'rate_limits';

export function limitSpecs(config: Config): Record<LimitName, LimitSpec | undefined> {
  return {
    admin: config.RATE_LIMIT_ADMIN,
    adminAuthFailures: config.RATE_LIMIT_ADMIN_AUTH_FAILURES,
    signInFailures: config.RATE_LIMIT_SIGN_IN_FAILURES,
    webchatSessions: config.RATE_LIMIT_WEBCHAT_SESSIONS,
    webchatMessages: config.RATE_LIMIT_WEBCHAT_MESSAGES,
    webchatMessagesPerIp: config.RATE_LIMIT_WEBCHAT_MESSAGES_PER_IP,
    api: config.RATE_LIMIT_API,
  };
}

/**
 * Fixed-window limits kept in MongoDB (rate-limiter-flexible's RateLimiterMongo), so N stateless gateway processes
 * enforce one limit. It uses only what the embedded stand-in supports: `findOneAndUpdate` with upsert and `$inc`,
 * and a unique index on the key; an expired window is replaced by the limiter's own `expire` field logic, so the
 * TTL index it declares (which the stand-in never runs) only tidies up on real MongoDB.
 * Two local tiers: a key over its limit is blocked in memory until its window ends (a flood costs no store writes),
 * and if the store fails, a per-process memory limiter with the same budget decides (the insurance limiter).
 */
export class RateLimits {
  private readonly limiters = new Map<LimitName, { limiter: RateLimiterAbstract; spec: LimitSpec }>();

  constructor(connection: Connection, specs: Record<LimitName, LimitSpec | undefined>, private readonly log: Logger) {
    for (const [name, spec] of Object.entries(specs) as Array<[LimitName, LimitSpec | undefined]>) {
      if (!spec) continue;
      const common = { keyPrefix: name, points: spec.points, duration: spec.durationSec };
      const limiter = new RateLimiterMongo({
        ...common,
        storeClient: connection.getClient(),
        dbName: connection.name,
        tableName: RATE_LIMIT_COLLECTION,
        // The first refused request blocks the key in this process for the rest of its window.
        inMemoryBlockOnConsumed: spec.points + 1,
        insuranceLimiter: new RateLimiterMemory(common),
      });
      this.limiters.set(name, { limiter, spec });
    }
  }

  /** Counts one request of `key`; returns undefined when allowed, else the seconds until the window reopens. */
  async take(name: LimitName, key: string): Promise<number | undefined> {
    const entry = this.limiters.get(name);
    if (!entry) return undefined;
    try {
      await entry.limiter.consume(key);
      return undefined;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return retryAfterSec(rejection.msBeforeNext);
      // Store and insurance both failed: let the request through rather than take the service down with it.
      this.log.warn({ err: rejection, limit: name }, 'rate limiter unavailable; request allowed');
      return undefined;
    }
  }

  /** Without counting: the seconds until `key` may try again when its window is spent, else undefined. */
  async spent(name: LimitName, key: string): Promise<number | undefined> {
    const entry = this.limiters.get(name);
    if (!entry) return undefined;
    try {
      const res = await entry.limiter.get(key);
      return res && res.consumedPoints >= entry.spec.points ? retryAfterSec(res.msBeforeNext) : undefined;
    } catch (err) {
      this.log.warn({ err, limit: name }, 'rate limiter unavailable; request allowed');
      return undefined;
    }
  }
}

function retryAfterSec(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Counts one request and throws a 429 (`Retry-After`) when `key` is over its limit. */
export async function enforce(limits: RateLimits, name: LimitName, key: string, what: string): Promise<void> {
  const wait = await limits.take(name, key);
  if (wait !== undefined) throw new RateLimitedError(wait, what);
}

/**
 * Guessing protection for any credential check (the admin token today, the console sign-in later): once `key`
 * spent its failures, it gets a 429 before its credential is even looked at, so guesses learn nothing until the
 * window reopens. Successes cost nothing; each failure counts one.
 */
export class FailedSignIns {
  constructor(
    private readonly limits: RateLimits,
    private readonly name: LimitName,
    private readonly what: string,
  ) {}

  /**
   * Resolves with the credential's verdict; throws a 429 when any key is locked out (before or by this failure).
   * Several keys (an address and an account) each count the failure, so spreading guesses over either does not help.
   */
  async check(key: string | string[], verify: () => Promise<boolean>): Promise<boolean> {
    const keys = typeof key === 'string' ? [key] : key;
    for (const k of keys) {
      const locked = await this.limits.spent(this.name, k);
      if (locked !== undefined) throw new RateLimitedError(locked, this.what);
    }
    if (await verify()) return true;
    for (const k of keys) await enforce(this.limits, this.name, k, this.what);
    return false;
  }
}
