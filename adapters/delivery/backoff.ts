/**
 * Exponential backoff with full jitter (the AWS Architecture Blog's "full jitter"): the wait
 * before retry n is uniform in [0, min(cap, base · 2^(n-1))). Spreading retries over the whole
 * interval keeps a receiver that comes back from being met by every sender at once.
 */
export interface Backoff { baseMs: number; capMs: number }

export const DEFAULT_BACKOFF: Backoff = { baseMs: 1000, capMs: 10 * 60_000 };

/** `attempt` counts from 1 (the wait after the first failure); `random` is uniform in [0, 1). */
export function backoffMs(attempt: number, random: () => number, b: Backoff = DEFAULT_BACKOFF): number {
  const ceiling = Math.min(b.capMs, b.baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * ceiling);
}
