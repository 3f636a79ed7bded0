// The refund-gate workload of the shared peer benchmark (peerbench), reused unchanged so that
// Arbiter is measured on exactly the rule sets and proposals the peer engines were.
/** sfc32: small, fast, deterministic PRNG (pure 32-bit integer math, identical on every platform). */
export class Rng {
  private a: number; private b: number; private c: number; private d: number;
  constructor(seed: number) {
    this.a = 0x9e3779b9; this.b = 0x243f6a88; this.c = 0xb7e15162; this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }
  next(): number {
    const { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    let cc = (c << 21) | (c >>> 11);
    cc = (cc + t) | 0;
    this.c = cc;
    return (t >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  pick<T>(xs: readonly T[]): T { return xs[Math.floor(this.next() * xs.length)]!; }
  /** number with `dp` decimal places, uniform in [lo, hi) */
  dec(lo: number, hi: number, dp: number): number {
    const f = 10 ** dp;
    return Math.round((lo + this.next() * (hi - lo)) * f) / f;
  }
  chance(p: number): boolean { return this.next() < p; }
  /** k distinct elements, in the order of xs */
  sample<T>(xs: readonly T[], k: number): T[] {
    const idx = xs.map((_, i) => i);
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    return idx.slice(0, k).sort((x, y) => x - y).map((i) => xs[i]!);
  }
  weighted<T>(pairs: readonly (readonly [T, number])[]): T {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of pairs) { r -= w; if (r < 0) return v; }
    return pairs[pairs.length - 1]![0];
  }
}
