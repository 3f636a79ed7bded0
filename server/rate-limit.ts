/** A token bucket per API key, in memory (each replica limits its own share). */
import type { Rate } from './keys.js';

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly dflt: Rate, private readonly clock: () => number = () => performance.now()) {}

  /** Takes a token for `id`; returns 0, or the seconds to wait before one is free. */
  take(id: string, rate: Rate = this.dflt): number {
    const now = this.clock();
    const b = this.buckets.get(id) ?? { tokens: rate.burst, at: now };
    b.tokens = Math.min(rate.burst, b.tokens + ((now - b.at) / 1000) * rate.perSecond);
    b.at = now;
    this.buckets.set(id, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / rate.perSecond));
  }
}
