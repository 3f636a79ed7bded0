/**
 * Conditions as regions of the input space, in disjunctive normal form: a region is a list of
 * conjunctions, each a constraint on a few facts (the others free). The exact fragment is a fact
 * of the proposal or context (number, string, boolean) compared with literals: `=`, `≠`, `<`,
 * `≤`, `>`, `≥`, `in`, `notIn`, `exists`, `missing`. Anything else (a derived fact, a regex, two
 * facts compared, a quantifier) is an opaque condition: a variable that may be true, false or
 * unknown independently of the rest. That keeps every "empty" answer sound: what is empty with the
 * opaque conditions free is empty whatever they are.
 *
 * Kleene logic is followed exactly: a comparison is true or false only on a present fact, and a
 * rule fires only where its condition is true.
 */
import type { Cond, Val } from '../../engine/internal.js';
import type { Slot } from '../../engine/internal.js';
import type { Root } from '../prop/input.js';
import { intersect, isEmpty, Numbers, Values, without, type Constraint, type Domain } from './domain.js';

export interface Fact {
  key: string;
  /** `proposal.amount`, or the condition's text for an opaque one */
  text: string;
  universe: Constraint;
  /** where the fact lives, for facts of the exact fragment */
  read?: { root: Root; steps: readonly string[] };
  /** why the analysis cannot see into it (opaque conditions) */
  opaque?: string;
}

export type Conj = ReadonlyMap<string, Constraint>;
export type Region = readonly Conj[];

export const EVERYTHING: Region = [new Map()];
export const NOTHING: Region = [];

/** Raised when a region would grow beyond `MAX_CONJUNCTIONS`; callers fall back to sampling. */
export class TooComplex extends Error {}

const MAX_CONJUNCTIONS = 2000;
const STATES = Values.of(['T', 'F', 'U']);
const ORDER = { lessThan: [false, true], lessThanInclusive: [true, true], greaterThan: [false, false], greaterThanInclusive: [true, false] } as const;

/** The facts seen so far, shared by every condition of one action. */
export class Space {
  readonly facts = new Map<string, Fact>();

  /** Where `c` is true (`T`) or false (`F`). */
  region(c: Cond, want: 'T' | 'F'): Region {
    switch (c.k) {
      case 'all': return want === 'T' ? this.and(c.items.map((x) => this.region(x, 'T'))) : this.or(c.items.map((x) => this.region(x, 'F')));
      case 'any': return want === 'T' ? this.or(c.items.map((x) => this.region(x, 'T'))) : this.and(c.items.map((x) => this.region(x, 'F')));
      case 'not': return this.region(c.item, want === 'T' ? 'F' : 'T');
      case 'ref': return this.region(c.item, want);
      default: {
        const lit = this.literal(c);
        const constraint = want === 'T' ? lit.T : lit.F;
        return isEmpty(constraint) ? NOTHING : [new Map([[lit.fact.key, constraint]])];
      }
    }
  }

  /** A comparison as a constraint on one fact where it is true and where it is false. */
  literal(c: Cond): { fact: Fact; T: Constraint; F: Constraint } {
    const exact = c.k === 'leaf' ? this.exact(c) : undefined;
    if (exact) return exact;
    const text = describe(c);
    const fact = this.fact(`?${text}`, () => ({ key: `?${text}`, text, universe: { absent: false, present: STATES }, opaque: whyOpaque(c) }));
    return { fact, T: { absent: false, present: Values.of(['T']) }, F: { absent: false, present: Values.of(['F']) } };
  }

  private exact(c: Extract<Cond, { k: 'leaf' }>): { fact: Fact; T: Constraint; F: Constraint } | undefined {
    const v = c.left;
    // A narrowed member holds another case's type where its discriminator test is not true: no one universe fits it.
    if (v.k !== 'read' || v.root === 'item' || v.narrowed || v.steps.some((s) => typeof s === 'number')) return undefined;
    const op = c.op.name;
    const presence = op === 'exists' || op === 'missing';
    // Presence alone is exact for any fact: lists and times included.
    const universe = universeOf(v.slot) ?? (presence ? { absent: v.slot.optional, present: Values.except([]) } : undefined);
    if (!universe) return undefined;
    let present: Domain | undefined;
    if (presence) {
      const fact = this.factOf(v, universe);
      const here: Constraint = { absent: false, present: universe.present };
      const gone: Constraint = { absent: true, present: emptyLike(universe.present) };
      return op === 'exists' ? { fact, T: here, F: gone } : { fact, T: gone, F: here };
    }
    if (c.right?.k !== 'const') return undefined;
    const lit = c.right.value;
    const nums = universe.present instanceof Numbers;
    const list = Array.isArray(lit) ? lit : undefined;
    if (nums) {
      const integer = (universe.present as Numbers).integer;
      if (typeof lit === 'number' && op in ORDER) {
        const [inclusive, below] = ORDER[op as keyof typeof ORDER];
        present = below ? Numbers.range(-Infinity, lit, false, inclusive, integer) : Numbers.range(lit, Infinity, inclusive, false, integer);
      } else if (typeof lit === 'number' && (op === 'equal' || op === 'notEqual')) {
        present = Numbers.points([lit], integer);
        if (op === 'notEqual') present = present.complement();
      } else if (list?.every((x) => typeof x === 'number') && (op === 'in' || op === 'notIn')) {
        present = Numbers.points(list as number[], integer);
        if (op === 'notIn') present = present.complement();
      }
    } else {
      const scalars = (xs: unknown[]) => xs.every((x) => typeof x === 'string' || typeof x === 'boolean');
      if ((typeof lit === 'string' || typeof lit === 'boolean') && (op === 'equal' || op === 'notEqual')) present = op === 'equal' ? Values.of([lit]) : Values.except([lit]);
      else if (list && scalars(list) && (op === 'in' || op === 'notIn')) present = op === 'in' ? Values.of(list as string[]) : Values.except(list as string[]);
    }
    if (!present) return undefined;
    const fact = this.factOf(v, universe);
    return { fact, T: { absent: false, present: intersect(universe, { absent: false, present }).present }, F: { absent: false, present: without(universe, { absent: true, present }).present } };
  }

  private factOf(v: Extract<Val, { k: 'read' }>, universe: Constraint): Fact {
    const key = `${v.root}/${v.steps.join('/')}`;
    return this.fact(key, () => ({ key, text: v.text, universe, read: { root: v.root as Root, steps: v.steps as string[] } }));
  }

  private fact(key: string, make: () => Fact): Fact {
    let f = this.facts.get(key);
    if (!f) { f = make(); this.facts.set(key, f); }
    return f;
  }

  and(parts: readonly Region[]): Region {
    let out: Region = EVERYTHING;
    for (const p of parts) {
      const next: Conj[] = [];
      for (const a of out) {
        for (const b of p) {
          const c = conjoin(a, b);
          if (c) next.push(c);
        }
        if (next.length > MAX_CONJUNCTIONS) throw new TooComplex();
      }
      out = next;
      if (!out.length) return NOTHING;
    }
    return out;
  }

  or(parts: readonly Region[]): Region {
    const out = parts.flat();
    if (out.length > MAX_CONJUNCTIONS) throw new TooComplex();
    return out;
  }

  /** `a` minus `b`: where `a` holds and `b` does not. */
  minus(a: Region, b: Region): Region {
    let out = a;
    for (const conj of b) {
      const next: Conj[] = [];
      for (const x of out) {
        // Outside `conj` means outside it on at least one of its facts.
        for (const [key, c] of conj) {
          const y = conjoin(x, new Map([[key, without(this.facts.get(key)!.universe, c)]]));
          if (y) next.push(y);
        }
        if (next.length > MAX_CONJUNCTIONS) throw new TooComplex();
      }
      out = next;
      if (!out.length) return NOTHING;
    }
    return out;
  }
}

function conjoin(a: Conj, b: Conj): Conj | undefined {
  const out = new Map(a);
  for (const [k, c] of b) {
    const prev = out.get(k);
    const next = prev ? intersect(prev, c) : c;
    if (isEmpty(next)) return undefined;
    out.set(k, next);
  }
  return out;
}

function emptyLike(d: Domain): Domain {
  return d instanceof Numbers ? Numbers.points([], d.integer) : Values.of([]);
}

/** What a fact of this type may be: absent when optional; its bounds, enum, or any value. */
export function universeOf(slot: Slot): Constraint | undefined {
  const t = slot.type;
  let present: Domain;
  if (t.kind === 'number') {
    const integer = t.integer === true;
    present = t.enum ? Numbers.points(t.enum, integer) : Numbers.range(t.min?.value ?? -Infinity, t.max?.value ?? Infinity, !(t.min?.exclusive ?? false), !(t.max?.exclusive ?? false), integer);
  } else if (t.kind === 'string') {
    present = t.enum ? Values.of(t.enum) : Values.except([]);
  } else if (t.kind === 'boolean') {
    present = Values.of([true, false]);
  } else {
    return undefined;
  }
  return { absent: slot.optional, present };
}

/** A condition as text: the key of an opaque condition, so the same condition in two rules is one variable. */
export function describe(c: Cond): string {
  switch (c.k) {
    case 'leaf': return `${c.left.text} ${c.op.name}${c.right ? ` ${c.right.text}` : ''}`;
    case 'all': case 'any': return `${c.k}(${c.items.map(describe).join(', ')})`;
    case 'not': return `not(${describe(c.item)})`;
    case 'ref': return describe(c.item);
    case 'quant': return `${c.q} ${c.over.text} as ${c.as}: ${describe(c.where)}`;
  }
}

function whyOpaque(c: Cond): string {
  if (c.k === 'quant') return `\`${c.q}\` over a list`;
  if (c.k !== 'leaf') return 'a compound condition';
  if (c.op.name === 'matches') return 'a regular expression';
  const computed = [c.left, c.right].find((v) => v && v.k !== 'read' && v.k !== 'const');
  if (computed) return computed.k === 'derived' ? `derived fact \`${computed.text}\`` : `computed value \`${computed.text}\``;
  if (c.right?.k === 'read') return 'two facts compared with each other';
  if (c.left.k === 'read' && c.left.narrowed) return 'a member typed by a discriminator';
  const kind = c.left.slot.type.kind;
  if (kind === 'instant' || kind === 'date') return 'a time comparison';
  return `operator \`${c.op.name}\``;
}
