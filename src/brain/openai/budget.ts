import { AsyncLocalStorage } from 'node:async_hooks';
import { LRUCache } from 'lru-cache';

import { BudgetExhaustedError } from './fallback';
import type { TokenBudgetLimits } from './options';

const conversationScope = new AsyncLocalStorage<string>();

/**
 * Runs `fn` with every OpenAI call inside it counted against conversation `conversationId`. The brain's ports
 * (Analyzer, Answerer, Embedder) carry no conversation id, so the pipeline wraps `brain.decide` in this.
 * Outside any scope only the daily ceiling applies.
 */
export function withConversation<T>(conversationId: string, fn: () => Promise<T>): Promise<T> {
  return conversationScope.run(conversationId, fn);
}

export function currentConversation(): string | undefined {
  return conversationScope.getStore();
}

export interface Reservation {
  readonly tokens: number;
  readonly day: string;
  readonly conversationId: string | undefined;
}

/**
 * Token ceilings per UTC day and per conversation. A call first reserves its estimate (prompt characters / 4 plus
 * the output bound), which both refuses calls that would overshoot and keeps concurrent calls from all passing
 * the check at once; the reservation is then settled with the `usage.total_tokens` the server reports (or the
 * estimate, when a server reports none). A failed call releases its reservation: errors are not billed.
 */
export class TokenBudget {
  private day = '';
  private usedToday = 0;
  private reservedToday = 0;
  private readonly conversations = new LRUCache<string, { used: number; reserved: number }>({
    max: 50_000,
    ttl: 24 * 60 * 60 * 1000,
  });

  constructor(
    private readonly limits: TokenBudgetLimits,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Throws BudgetExhaustedError, and no request must be made, when `estimate` more tokens would exceed a ceiling. */
  reserve(estimate: number): Reservation {
    const tokens = Math.max(0, Math.ceil(estimate));
    const day = this.rollDay();
    const conversationId = currentConversation();
    const perDay = this.limits.maxTokensPerDay ?? 0;
    if (perDay > 0 && this.usedToday + this.reservedToday + tokens > perDay) throw new BudgetExhaustedError('day');
    const perConversation = this.limits.maxTokensPerConversation ?? 0;
    let entry: { used: number; reserved: number } | undefined;
    if (conversationId !== undefined) {
      entry = this.conversations.get(conversationId) ?? { used: 0, reserved: 0 };
      if (perConversation > 0 && entry.used + entry.reserved + tokens > perConversation) {
        throw new BudgetExhaustedError('conversation');
      }
      entry.reserved += tokens;
      this.conversations.set(conversationId, entry);
    }
    this.reservedToday += tokens;
    return { tokens, day, conversationId };
  }

  /** Replaces the reservation by what was actually spent (`undefined`: the server did not say; the estimate stands). */
  settle(reservation: Reservation, totalTokens: number | undefined): void {
    const spent = totalTokens !== undefined && Number.isFinite(totalTokens) && totalTokens >= 0 ? totalTokens : reservation.tokens;
    this.release(reservation);
    if (this.rollDay() === reservation.day) this.usedToday += spent;
    if (reservation.conversationId !== undefined) {
      const entry = this.conversations.get(reservation.conversationId) ?? { used: 0, reserved: 0 };
      entry.used += spent;
      this.conversations.set(reservation.conversationId, entry);
    }
  }

  release(reservation: Reservation): void {
    if (this.rollDay() === reservation.day) this.reservedToday = Math.max(0, this.reservedToday - reservation.tokens);
    if (reservation.conversationId !== undefined) {
      const entry = this.conversations.get(reservation.conversationId);
      if (entry) entry.reserved = Math.max(0, entry.reserved - reservation.tokens);
    }
  }

  /** Tokens spent today and, inside a conversation scope (or for `conversationId`), by that conversation. */
  usage(conversationId: string | undefined = currentConversation()): { today: number; conversation?: number } {
    this.rollDay();
    const entry = conversationId !== undefined ? this.conversations.get(conversationId) : undefined;
    return { today: this.usedToday, ...(entry ? { conversation: entry.used } : {}) };
  }

  private rollDay(): string {
    const day = this.now().toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.usedToday = 0;
      this.reservedToday = 0;
    }
    return day;
  }
}

/** A rough count: about four characters per token for the languages we serve, never less than one per text. */
export function estimateTokens(texts: string[]): number {
  return texts.reduce((sum, t) => sum + Math.ceil(t.length / 4) + 4, 0);
}
