/**
 * Where a policy's behaviour changes, and how to put a generated input there.
 *
 * Every comparison in the rules, signals and invariants is a boundary: `proposal.amount >
 * 500`, `days_since_delivery > 30` (a derived fact over `context.order.delivered_at` and `now`),
 * `proposal.amount > context.order.total`. To land on one, a member the comparison reads is
 * solved for: its two sides are made equal, then moved one step below or above, through the
 * arithmetic in between (add, subtract, multiply, divide, derived facts). Equalities between two
 * string members are reached by copying one into the other. Literals also become hints for the
 * schema arbitraries, and durations become the instants around `now` that dates are drawn from.
 */
import fc from 'fast-check';
import type { Cond, Val } from '../../engine/internal.js';
import type { CompiledAction } from '../../engine/internal.js';
import { requestEnv } from '../../engine/internal.js';
import { evalValue, type Env } from '../../engine/internal.js';
import { Rational } from '../../engine/internal.js';
import { EMAIL_DOMAINS, type Hints } from './arbitraries.js';
import { edited, memberStep, requestOf, type Input, type Root } from './input.js';
import { getAt, placesOf, type Steps } from './schema.js';

const ORDER = new Set(['greaterThan', 'greaterThanInclusive', 'lessThan', 'lessThanInclusive', 'equal', 'notEqual']);
const INVERTIBLE = new Set(['add', 'subtract', 'multiply', 'divide']);

type Read = Extract<Val, { k: 'read' }> & { root: Root };

/** A comparison of two values, at least one of which depends on members that can be solved for. */
export interface Boundary { left: Val; right: Val; reads: Read[]; copy: boolean }

export function boundariesOf(action: CompiledAction, extra: readonly Cond[]): Boundary[] {
  const out = new Map<string, Boundary>();
  const visit = (c: Cond): void => {
    switch (c.k) {
      case 'all': case 'any': c.items.forEach(visit); return;
      case 'not': case 'ref': visit(c.item); return;
      case 'quant': return;
      case 'leaf': {
        if (!c.right || !(ORDER.has(c.op.name) || c.op.name === 'equalIgnoreCase' || c.op.name === 'equalIgnoreAsciiCase')) return;
        const kinds = [c.left.slot.type.kind, c.right.slot.type.kind];
        const ordered = ORDER.has(c.op.name) && kinds.every((k) => k === 'number' || k === 'instant' || k === 'date' || k === 'duration');
        const copy = !ordered && c.left.k === 'read' && c.right.k === 'read' && c.left.root !== 'item' && c.right.root !== 'item' && kinds[0] === kinds[1];
        const reads = ordered ? [...solvable(c.left, action), ...solvable(c.right, action)] : copy ? [c.left as Read, c.right as Read] : [];
        if (reads.length) out.set(`${c.left.text} ${c.right.text}`, { left: c.left, right: c.right, reads, copy });
      }
    }
  };
  for (const r of action.rules) visit(r.when);
  for (const s of action.risk.signals) visit(s.when);
  extra.forEach(visit);
  return [...out.values()];
}

/** The members a value reads through invertible arithmetic, one at a time. */
function solvable(v: Val, action: CompiledAction): Read[] {
  switch (v.k) {
    case 'read': return v.root === 'item' || v.steps.some((s) => typeof s === 'number') ? [] : [v as Read];
    case 'derived': return solvable(action.derived[v.index]!.expr, action);
    case 'call': return INVERTIBLE.has(v.fn.name) ? v.args.flatMap((a) => solvable(a, action)) : [];
    default: return [];
  }
}

const readKey = (r: Extract<Val, { k: 'read' }>) => `${r.root}/${r.steps.join('/')}`;

/** The value the read must take for `v` to equal `target`, with everything else held; undefined when no single value does. */
function invert(v: Val, target: Rational, r: Read, env: Env, action: CompiledAction): Rational | undefined {
  const num = (x: Val) => { const y = evalValue(x, env); return typeof y === 'number' || y instanceof Rational ? Rational.from(y) : undefined; };
  switch (v.k) {
    case 'read': return readKey(v) === readKey(r) ? target : undefined;
    case 'derived': return invert(action.derived[v.index]!.expr, target, r, env, action);
    case 'call': {
      if (!INVERTIBLE.has(v.fn.name)) return undefined;
      const i = v.args.findIndex((a) => solvable(a, action).some((x) => readKey(x) === readKey(r)));
      if (i < 0) return undefined;
      const others = v.args.map((a, j) => (j === i ? Rational.ZERO : num(a)));
      if (others.some((o) => o === undefined)) return undefined;
      const o = others as Rational[];
      let want: Rational;
      switch (v.fn.name) {
        case 'add': want = o.reduce((t, x) => t.sub(x), target); break;
        case 'subtract': want = i === 0 ? o.slice(1).reduce((t, x) => t.add(x), target) : o[0]!.sub(target); break;
        case 'multiply': {
          const p = o.reduce((t, x, j) => (j === i ? t : t.mul(x)), Rational.of(1n));
          if (p.isZero()) return undefined;
          want = target.div(p);
          break;
        }
        default: // divide: a / b
          if (i === 0) want = target.mul(o[1]!);
          else if (target.isZero()) return undefined;
          else want = o[0]!.div(target);
      }
      return invert(v.args[i]!, want, r, env, action);
    }
    default: return undefined;
  }
}

/**
 * Moves `input` onto the boundary: the chosen read solved so both sides are equal, then
 * `offset` steps away (-1, 0 or 1). Returns a new input, or undefined when it cannot be placed
 * (a side is missing, the arithmetic does not invert, the member is absent).
 */
export function place(action: CompiledAction, b: Boundary, input: Input, now: string, pick: number, offset: number): Input | undefined {
  const r = b.reads[pick % b.reads.length]!;
  const steps = r.steps as Steps;
  if (getAt(input[r.root], steps) === undefined) return undefined;
  let value: unknown;
  if (b.copy) {
    const other = b.reads[(pick + 1) % 2]!;
    value = getAt(input[other.root], other.steps as Steps);
  } else {
    const env = requestEnv(action, requestOf(action, input, now));
    const inLeft = solvable(b.left, action).some((x) => readKey(x) === readKey(r));
    const [mine, theirs] = inLeft ? [b.left, b.right] : [b.right, b.left];
    const other = evalValue(theirs, env);
    if (!(typeof other === 'number' || other instanceof Rational)) return undefined;
    const exact = invert(mine, Rational.from(other), r, env, action);
    value = exact && jsonValue(r, exact, offset, memberStep(action, r.root, steps));
  }
  return value === undefined ? undefined : edited(input, r.root, steps, value);
}

/** A solved value as the member's JSON: on the member's grid of steps, `offset` steps away. */
function jsonValue(r: Read, x: Rational, offset: number, step: number): unknown {
  const t = r.slot.type;
  if (t.kind === 'instant') {
    const ms = Number(x.mul(Rational.of(1000n)).floor()) + offset * 1000;
    return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString().replace('.000Z', 'Z') : undefined;
  }
  if (t.kind === 'date') {
    const ms = (Number(x.floor()) + offset) * 86_400_000;
    return Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString().slice(0, 10) : undefined;
  }
  if (t.kind !== 'number') return undefined;
  const places = placesOf(step);
  const units = Number(x.div(Rational.fromNumber(step)).round(0).floor()) + offset;
  if (!Number.isSafeInteger(units)) return undefined;
  const n = Number((units * step).toFixed(places));
  return t.decimalString ? n.toFixed(places) : n;
}

/**
 * Hints for the arbitraries: literals compared with members (numbers one step either side too),
 * strings that make a string function or a pattern match (`{ after_last: [file.filename, "."] }
 * in [exe]` hints `file.exe`), e-mail domains for lists compared with e-mail domains, totals that
 * pass a literal, and instants around `now` ± every duration.
 */
export function hintsOf(action: CompiledAction, extra: readonly Cond[], now: string): Hints {
  const values = new Map<string, unknown[]>();
  const durations = new Set<number>();
  const add = (pointer: string, v: unknown) => {
    const list = values.get(pointer) ?? [];
    if (!list.some((x) => x === v)) list.push(v);
    values.set(pointer, list);
  };
  const scanVal = (v: Val): void => {
    if (v.k === 'const' && v.slot.type.kind === 'duration' && v.value instanceof Rational) durations.add(v.value.toNumber());
    if (v.k === 'call') v.args.forEach(scanVal);
    if (v.k === 'derived') scanVal(action.derived[v.index]!.expr);
  };
  /** JSON Pointers a value reads (lists' elements as `/*`), through derived facts, coalesce and concat. */
  const pointers = (v: Val, lists: readonly string[][]): string[] => {
    switch (v.k) {
      case 'read': {
        const tail = v.steps.map(String).join('/');
        if (v.root !== 'item') return [`/${v.root}/${tail}`];
        return (lists[v.depth] ?? []).map((p) => `${p}/*${tail ? `/${tail}` : ''}`);
      }
      case 'derived': return pointers(action.derived[v.index]!.expr, lists);
      case 'call': return v.fn.name === 'coalesce' ? pointers(v.args[0]!, lists) : v.fn.name === 'concat' ? v.args.flatMap((a) => pointers(a, lists)) : [];
      default: return [];
    }
  };
  /** The members a string value comes from, and the raw string that makes it equal `t`. */
  const sources = (v: Val, lists: readonly string[][]): { at: string[]; raw: (t: string) => string; email: boolean } | undefined => {
    if (v.k === 'read') return v.slot.type.kind === 'string' ? { at: pointers(v, lists), raw: (t) => t, email: v.slot.type.format === 'email' } : undefined;
    if (v.k === 'derived') return sources(action.derived[v.index]!.expr, lists);
    if (v.k !== 'call') return undefined;
    const inner = v.args[0] && sources(v.args[0], lists);
    if (!inner) return undefined;
    const sep = v.args[1]?.k === 'const' ? v.args[1].value : undefined;
    switch (v.fn.name) {
      case 'lowercase': case 'uppercase': case 'ascii_lowercase': case 'ascii_uppercase': case 'trim': return inner;
      case 'after_last': case 'after_first': return typeof sep === 'string' ? { at: inner.at, raw: (t) => inner.raw(`file${sep}${t}`), email: inner.email && sep === '@' } : undefined;
      default: return undefined;
    }
  };
  const visit = (c: Cond, lists: readonly string[][]): void => {
    switch (c.k) {
      case 'all': case 'any': c.items.forEach((x) => visit(x, lists)); return;
      case 'not': case 'ref': visit(c.item, lists); return;
      case 'quant': visit(c.where, [...lists, pointers(c.over, lists)]); return;
      case 'leaf': {
        scanVal(c.left);
        if (c.right) scanVal(c.right);
        const r = c.right;
        if (r?.k === 'const' && typeof r.value === 'number') {
          // A total over a list's members reaches the literal when one element does.
          for (const pointer of summed(c.left)) add(pointer, r.value + 1);
        }
        const src = sources(c.left, lists);
        if (src && r?.k === 'const' && c.op.name === 'matches' && r.value instanceof RegExp) {
          for (const t of matching(r.value)) for (const p of src.at) add(p, src.raw(t));
        } else if (src && r?.k === 'const') {
          for (const l of Array.isArray(r.value) ? r.value : [r.value]) if (typeof l === 'string') for (const p of src.at) add(p, src.raw(l));
        } else if (src?.email && r && (r.k === 'read' || r.k === 'derived')) {
          for (const p of pointers(r, lists)) for (const d of EMAIL_DOMAINS) add(r.slot.type.kind === 'array' ? `${p}/*` : p, d.toLowerCase());
        }
        if (c.left.k !== 'read' || c.left.root === 'item' || r?.k !== 'const' || c.left.slot.type.kind !== 'number' || c.left.slot.type.decimalString) return;
        const step = memberStep(action, c.left.root, c.left.steps as Steps);
        for (const l of Array.isArray(r.value) ? r.value : [r.value]) {
          if (typeof l === 'number') for (const d of [-step, 0, step]) add(`/${c.left.root}/${c.left.steps.join('/')}`, Number((l + d).toFixed(placesOf(step))));
        }
      }
    }
  };
  /** Pointers of list members that a sum or maximum over the list reads, through derived facts and coalesce. */
  const summed = (v: Val): string[] => {
    if (v.k === 'derived') return summed(action.derived[v.index]!.expr);
    if (v.k === 'call' && v.fn.name === 'coalesce') return summed(v.args[0]!);
    if (v.k === 'agg' && (v.fn.name === 'sum' || v.fn.name === 'max') && v.of) {
      const over = v.over.k === 'call' && v.over.fn.name === 'coalesce' ? v.over.args[0]! : v.over;
      if (over.k === 'read' && over.root !== 'item') return [`/${over.root}/${over.steps.join('/')}/*/${v.of.join('/')}`];
    }
    return [];
  };
  for (const r of action.rules) visit(r.when, []);
  for (const s of action.risk.signals) visit(s.when, []);
  extra.forEach((c) => visit(c, []));
  const at = Date.parse(now);
  const instants = [at, ...[...durations].flatMap((d) => [at - d * 1000, at + d * 1000])];
  return { values, instants };
}

/** A few strings the pattern matches, drawn from it with word boundaries and case ignored. */
function matching(re: RegExp): string[] {
  try {
    const loose = new RegExp(`^(?:${re.source.replace(/\\b/g, '')})$`, re.flags.replace(/[igy]/g, ''));
    return fc.sample(fc.stringMatching(loose), { numRuns: 8, seed: 1 }).map((s) => `the message says: ${s}, as quoted`).filter((s) => re.test(s));
  } catch {
    return [];
  }
}
