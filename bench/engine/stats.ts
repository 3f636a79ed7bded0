export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
export function median(xs: number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return quantile(s, 0.5);
}
export function minmax(xs: number[]): [number, number] {
  const s = xs.filter((x) => Number.isFinite(x));
  return [Math.min(...s), Math.max(...s)];
}
