/**
 * The values a fact may take, as sets that can be intersected and complemented exactly: unions of
 * intervals for numbers, finite or co-finite sets for strings, booleans and the three states of a
 * condition the analysis cannot see into. A fact may also be absent (missing or null), which makes
 * every comparison on it unknown.
 */

export interface Interval { lo: number; hi: number; loIn: boolean; hiIn: boolean }

/** A union of disjoint intervals, in order; `integer` when only whole numbers count. */
export class Numbers {
  private constructor(readonly ivs: readonly Interval[], readonly integer: boolean) {}

  static range(lo: number, hi: number, loIn: boolean, hiIn: boolean, integer: boolean): Numbers {
    return new Numbers([{ lo, hi, loIn, hiIn }], integer).normal();
  }

  static points(xs: readonly number[], integer: boolean): Numbers {
    return new Numbers([...new Set(xs)].sort((a, b) => a - b).map((x) => ({ lo: x, hi: x, loIn: true, hiIn: true })), integer).normal();
  }

  static all(integer: boolean): Numbers {
    return Numbers.range(-Infinity, Infinity, false, false, integer);
  }

  /** Drops empty intervals; for integers, closes each interval on whole numbers. */
  private normal(): Numbers {
    const out: Interval[] = [];
    for (let { lo, hi, loIn, hiIn } of this.ivs) {
      if (this.integer) {
        if (Number.isFinite(lo)) { const c = Math.ceil(lo); lo = c === lo && !loIn ? c + 1 : c; loIn = true; }
        if (Number.isFinite(hi)) { const f = Math.floor(hi); hi = f === hi && !hiIn ? f - 1 : f; hiIn = true; }
      }
      if (lo < hi || (lo === hi && loIn && hiIn)) out.push({ lo, hi, loIn, hiIn });
    }
    return new Numbers(out, this.integer);
  }

  get empty(): boolean {
    return this.ivs.length === 0;
  }

  intersect(o: Numbers): Numbers {
    const out: Interval[] = [];
    for (const a of this.ivs) {
      for (const b of o.ivs) {
        const [lo, loIn] = a.lo > b.lo ? [a.lo, a.loIn] : a.lo < b.lo ? [b.lo, b.loIn] : [a.lo, a.loIn && b.loIn];
        const [hi, hiIn] = a.hi < b.hi ? [a.hi, a.hiIn] : a.hi > b.hi ? [b.hi, b.hiIn] : [a.hi, a.hiIn && b.hiIn];
        out.push({ lo, hi, loIn, hiIn });
      }
    }
    return new Numbers(out.sort((x, y) => x.lo - y.lo), this.integer || o.integer).normal();
  }

  /** Everything on the number line that is not in this set. */
  complement(): Numbers {
    const out: Interval[] = [];
    let lo = -Infinity, loIn = false;
    for (const iv of this.ivs) {
      out.push({ lo, hi: iv.lo, loIn, hiIn: !iv.loIn });
      lo = iv.hi;
      loIn = !iv.hiIn;
    }
    out.push({ lo, hi: Infinity, loIn, hiIn: false });
    return new Numbers(out, this.integer).normal();
  }

  /** A member, preferring round values: whole numbers, then the middle of an interval. */
  pick(): number | undefined {
    const iv = this.ivs[0];
    if (!iv) return undefined;
    if (iv.loIn && Number.isFinite(iv.lo)) return iv.lo;
    if (iv.hiIn && !Number.isFinite(iv.lo)) return iv.hi;
    const lo = Number.isFinite(iv.lo) ? iv.lo : Math.min(iv.hi, 0) - 1;
    const hi = Number.isFinite(iv.hi) ? iv.hi : lo + 2;
    const whole = Math.floor(lo) + 1;
    if (whole < hi || (whole === hi && iv.hiIn)) return whole;
    return Math.round(((lo + hi) / 2) * 100) / 100;
  }

  toString(): string {
    return this.ivs.map((i) => (i.lo === i.hi ? String(i.lo) : `${i.loIn ? '[' : '('}${i.lo}, ${i.hi}${i.hiIn ? ']' : ')'}`)).join(' ∪ ') || 'nothing';
  }
}

export type Scalar = string | boolean;

/** Exactly `values`, or (co-finite) anything but `values`. */
export class Values {
  private constructor(readonly values: ReadonlySet<Scalar>, readonly cofinite: boolean) {}

  static of(xs: Iterable<Scalar>): Values { return new Values(new Set(xs), false); }
  static except(xs: Iterable<Scalar>): Values { return new Values(new Set(xs), true); }

  get empty(): boolean {
    return !this.cofinite && this.values.size === 0;
  }

  intersect(o: Values): Values {
    if (!this.cofinite && !o.cofinite) return Values.of([...this.values].filter((v) => o.values.has(v)));
    if (this.cofinite && o.cofinite) return Values.except([...this.values, ...o.values]);
    const [fin, co] = this.cofinite ? [o, this] : [this, o];
    return Values.of([...fin.values].filter((v) => !co.values.has(v)));
  }

  complement(): Values {
    return new Values(this.values, !this.cofinite);
  }

  pick(): Scalar | undefined {
    if (!this.cofinite) return this.values.values().next().value;
    for (let i = 0; ; i++) {
      const s = i ? `other_${i}` : 'other';
      if (!this.values.has(s)) return s;
    }
  }

  toString(): string {
    const list = [...this.values].map((v) => JSON.stringify(v)).join(', ');
    return this.cofinite ? (this.values.size ? `anything but ${list}` : 'anything') : this.values.size ? list : 'nothing';
  }
}

export type Domain = Numbers | Values;

/** What one fact may be in a region: absent (missing or null), and which present values. */
export interface Constraint { absent: boolean; present: Domain }

export function intersect(a: Constraint, b: Constraint): Constraint {
  return { absent: a.absent && b.absent, present: meet(a.present, b.present) };
}

export function meet(a: Domain, b: Domain): Domain {
  if (a instanceof Numbers && b instanceof Numbers) return a.intersect(b);
  if (a instanceof Values && b instanceof Values) return a.intersect(b);
  throw new Error('a fact is compared both as a number and as a string');
}

export function isEmpty(c: Constraint): boolean {
  return !c.absent && c.present.empty;
}

/** Within `universe`, everything `c` excludes. */
export function without(universe: Constraint, c: Constraint): Constraint {
  return { absent: universe.absent && !c.absent, present: meet(universe.present, c.present.complement()) };
}

/** Whether `a` lies within `b`. */
export function within(a: Constraint, b: Constraint): boolean {
  return isEmpty({ absent: a.absent && !b.absent, present: meet(a.present, b.present.complement()) });
}
