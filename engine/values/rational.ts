/**
 * Exact rational numbers for derived facts: money, percentages, durations and instants.
 *
 * A JSON number is read through its shortest round-trip decimal spelling (`String(x)`), so `0.1`
 * is exactly 1/10 and `0.1 + 0.2` equals `0.3`. A decimal string such as `"1017.50"` converts
 * exactly. Division never rounds; `round` rounds half away from zero, as money usually does.
 */
export class Rational {
  // INVARIANT: d > 0 and gcd(|n|, d) = 1, so equal values have equal fields.
  private constructor(readonly n: bigint, readonly d: bigint) {}

  static readonly ZERO = new Rational(0n, 1n);

  static of(n: bigint, d: bigint = 1n): Rational {
    if (d === 0n) throw new RangeError('division by zero');
    if (d < 0n) { n = -n; d = -d; }
    const g = gcd(n < 0n ? -n : n, d);
    return g === 1n ? new Rational(n, d) : new Rational(n / g, d / g);
  }

  static fromInt(n: number): Rational {
    return new Rational(BigInt(n), 1n);
  }

  /**
   * The value of a string in the language of the contract format `decimal`: an optional minus, an
   * integer without leading zeros, an optional fraction, at most MAX_DECIMAL_DIGITS digits in all.
   * The format check and the evaluator both use this, so every string a contract accepts is read.
   */
  static parseDecimalString(text: string): Rational | undefined {
    return isDecimalString(text) ? Rational.parse(text) : undefined;
  }

  /** The exact value of a decimal spelling (`-12`, `1017.50`, `1e-3`); undefined when it is not one. */
  static parse(text: string): Rational | undefined {
    const m = DECIMAL.exec(text);
    if (!m) return undefined;
    const [, sign, int, frac = '', exp = '0'] = m;
    if (int === undefined && frac === '') return undefined;
    let n = BigInt((int ?? '') + frac);
    if (sign === '-') n = -n;
    const scale = Number(exp) - frac.length;
    if (Math.abs(scale) > 400) return undefined;
    return scale >= 0 ? Rational.of(n * 10n ** BigInt(scale)) : Rational.of(n, 10n ** BigInt(-scale));
  }

  /** A finite double's exact value (its spelling has at most 17 digits and a scale within ±340). */
  static fromNumber(x: number): Rational {
    if (Number.isSafeInteger(x)) return new Rational(BigInt(x), 1n);
    const r = Number.isFinite(x) ? Rational.parse(String(x)) : undefined;
    if (!r) throw new RangeError(`not a finite number: ${x}`);
    return r;
  }

  /** Numbers, decimal strings and rationals, the three spellings a numeric fact can arrive in. */
  static from(v: number | string | Rational): Rational {
    if (v instanceof Rational) return v;
    if (typeof v === 'number') return Rational.fromNumber(v);
    const r = Rational.parse(v);
    if (!r) throw new RangeError(`not a decimal number: \`${v}\``);
    return r;
  }

  add(o: Rational): Rational { return this.d === o.d ? Rational.of(this.n + o.n, this.d) : Rational.of(this.n * o.d + o.n * this.d, this.d * o.d); }
  sub(o: Rational): Rational { return this.d === o.d ? Rational.of(this.n - o.n, this.d) : Rational.of(this.n * o.d - o.n * this.d, this.d * o.d); }
  mul(o: Rational): Rational { return Rational.of(this.n * o.n, this.d * o.d); }
  div(o: Rational): Rational { return Rational.of(this.n * o.d, this.d * o.n); }
  neg(): Rational { return new Rational(-this.n, this.d); }
  abs(): Rational { return this.n < 0n ? this.neg() : this; }
  isZero(): boolean { return this.n === 0n; }
  isInteger(): boolean { return this.d === 1n; }

  cmp(o: Rational): number {
    if (this.d === o.d) return this.n < o.n ? -1 : this.n > o.n ? 1 : 0;
    const a = this.n * o.d, b = o.n * this.d;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(o: Rational): boolean { return this.n === o.n && this.d === o.d; }

  /** Rounds to `places` decimal places, half away from zero. */
  round(places: number): Rational {
    const scale = 10n ** BigInt(places);
    const scaled = this.n * scale;
    const q = scaled / this.d;
    const rem = scaled % this.d;
    const twice = (rem < 0n ? -rem : rem) * 2n;
    const up = twice >= this.d ? (scaled < 0n ? -1n : 1n) : 0n;
    return Rational.of(q + up, scale);
  }

  /** Largest integer not above the value. */
  floor(): bigint {
    const q = this.n / this.d;
    return this.n < 0n && q * this.d !== this.n ? q - 1n : q;
  }

  /** The nearest double; exact whenever the value has a short decimal spelling. */
  toNumber(): number {
    return Number(this.toDecimal(20).text);
  }

  /** Decimal spelling: exact when the expansion terminates within `maxPlaces`, else rounded. */
  toDecimal(maxPlaces = 10): { text: string; exact: boolean } {
    let d = this.d;
    let places = 0;
    while (d % 10n === 0n) { d /= 10n; places++; }
    while (d % 2n === 0n) { d /= 2n; places++; }
    while (d % 5n === 0n) { d /= 5n; places++; }
    const exact = d === 1n && places <= maxPlaces;
    const r = exact ? this : this.round(maxPlaces);
    const p = exact ? places : maxPlaces;
    const scaled = (r.n * 10n ** BigInt(p)) / r.d;
    const neg = scaled < 0n;
    const digits = (neg ? -scaled : scaled).toString().padStart(p + 1, '0');
    let text = p === 0 ? digits : `${digits.slice(0, -p)}.${digits.slice(-p)}`;
    if (!exact && text.includes('.')) text = text.replace(/0+$/, '').replace(/\.$/, '');
    return { text: (neg ? '-' : '') + text, exact };
  }

  toString(): string {
    const { text, exact } = this.toDecimal();
    return exact ? text : `${text}…`;
  }

  /** JSON form: a number when the double holds the value exactly, else an exact fraction string. */
  toJSON(): number | string {
    const { text, exact } = this.toDecimal(20);
    if (exact) {
      const x = Number(text);
      if (Rational.fromNumber(x).equals(this)) return x;
      return text;
    }
    return `${this.n}/${this.d}`;
  }
}

const DECIMAL = /^([+-])?(\d+)?(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Digits a `decimal` string may hold: far more than any amount of money needs, few enough to read exactly. */
export const MAX_DECIMAL_DIGITS = 100;
const DECIMAL_STRING = /^-?(?:0|[1-9]\d*)(?:\.\d+)?$/;

/** Whether `text` is a `decimal` string: the contract format and the evaluator's read accept exactly these. */
export function isDecimalString(text: string): boolean {
  // A sign and a point are the only characters that are not digits.
  const digits = text.length - (text.startsWith('-') ? 1 : 0) - (text.includes('.') ? 1 : 0);
  return digits <= MAX_DECIMAL_DIGITS && DECIMAL_STRING.test(text);
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}
