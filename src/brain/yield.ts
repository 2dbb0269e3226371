/**
 * Lets the event loop run what is waiting (webhooks, /health, socket frames) between CPU-bound stages of a turn.
 * Each stage on a bounded text costs a few milliseconds; run back to back in one microtask chain they would block
 * the process for the sum of them.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
