/**
 * Run counts for the fuzzers in test/fuzz/. `npm test` runs each at its base count (calibrated to
 * about half a minute on a loaded two-core machine); `npm run fuzz` multiplies them by
 * `ARBITER_FUZZ` (default there 20) and gives each test time to match. The seed is fixed unless
 * `ARBITER_FUZZ_SEED` is set, so a failure in `npm test` replays exactly.
 */
const factor = Math.max(1, Number(process.env.ARBITER_FUZZ ?? '1') || 1);
const seed = process.env.ARBITER_FUZZ_SEED === undefined ? 1 : Number(process.env.ARBITER_FUZZ_SEED);

export function fuzzParams(baseRuns: number): { numRuns: number; seed: number } {
  return { numRuns: baseRuns * factor, seed };
}

/** The vitest timeout for a fuzz test whose base run takes about `baseMs`. */
export function fuzzTimeout(baseMs = 60_000): number {
  return baseMs * factor * 2;
}
