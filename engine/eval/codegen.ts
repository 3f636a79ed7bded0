/**
 * Compiles conditions to JavaScript, the way ajv compiles schemas: one function per chunk of
 * about 100 rules (a single function for 1,000 rules passes V8's optimisation limit of about 60 KB
 * of bytecode and runs five times slower). Facts are read once per chunk into locals; conditions
 * that cannot be unknown become plain boolean expressions; the rest compute Kleene statuses.
 *
 * Safety: the source is built only from identifiers this module makes and from constants passed
 * through `K[i]` or spelled by `JSON.stringify`, never from policy text.
 *
 * Quantifiers, inline function calls and comparisons on untyped facts are delegated to the
 * interpreter (`I.cond`, `I.val`), which defines their semantics in one place.
 */
import type { Cond, Val } from '../compile/ir.js';
import { interpreted, mayFail, partial } from '../compile/ir.js';
import { evalCond, evalValue, type Env } from './interpret.js';
import * as rt from './runtime.js';
import { leadingOf, screenOf, type Leading, type Screen } from './screen.js';

/** Appends `index, status` for every condition that is not false. */
export type Chunk = (env: Env, out: number[]) => void;

export interface Entry { index: number; when: Cond }

const CHUNK_RULES = 100;
const CHUNK_LEAVES = 400;
/** Fewer rules than this sharing a leading comparison run unscreened: a screen would skip too little to pay for itself. */
const SCREEN_MIN = 16;
const I = { cond: evalCond, val: evalValue };
const UNSAFE_KEYS = new Set(Object.getOwnPropertyNames(Object.prototype));
const IDENT = /^[A-Za-z_$][\w$]*$/;

/** What code generation produces: data, so another thread can instantiate it (compile/transfer.ts). */
export interface GeneratedCode {
  /** the body of a function of `rt`, `I` and `K` that returns one function per chunk */
  readonly source: string;
  /** the values the source reads as `K[i]`: conditions, operators, patterns, sets, exact numbers */
  readonly constants: readonly unknown[];
  /** the indexes of the entries each chunk evaluates */
  readonly ranges: readonly (readonly number[])[];
  /** each chunk's screen (screen.ts), or null for a chunk that always runs */
  readonly screens: readonly (Screen | null)[];
}

/**
 * Rules first in policy order, except those that share a leading comparison with many others:
 * each such set is ordered by its literals and chunked apart, under a screen (screen.ts).
 */
export function generateChunks(entries: readonly Entry[]): GeneratedCode {
  const screened = new Map<string, { e: Entry; lead: Leading }[]>();
  for (const e of entries) {
    const lead = leadingOf(e.when);
    if (lead) screened.set(lead.key, [...(screened.get(lead.key) ?? []), { e, lead }]);
  }
  for (const [key, members] of screened) if (members.length < SCREEN_MIN) screened.delete(key);
  const apart = new Set([...screened.values()].flatMap((m) => m.map(({ e }) => e)));
  const groups: { entries: Entry[]; screen: Screen | null }[] = chunked(entries.filter((e) => !apart.has(e))).map((g) => ({ entries: g, screen: null }));
  for (const members of screened.values()) {
    members.sort((a, b) => order(a.lead.values[0]!, b.lead.values[0]!) || a.e.index - b.e.index);
    const leads = new Map(members.map(({ e, lead }) => [e, lead]));
    for (const g of chunked(members.map(({ e }) => e))) groups.push({ entries: g, screen: screenOf(g.map((e) => leads.get(e)!)) });
  }
  const K: unknown[] = [];
  const bodies = groups.map((g, i) => new ChunkWriter(K).write(g.entries, i));
  const source = `"use strict";\nreturn [\n${bodies.join(',\n')}\n];`;
  return { source, constants: K, ranges: groups.map((g) => g.entries.map((e) => e.index)), screens: groups.map((g) => g.screen) };
}

function chunked(entries: readonly Entry[]): Entry[][] {
  const groups: Entry[][] = [];
  let group: Entry[] = [];
  let leaves = 0;
  for (const e of entries) {
    const n = countLeaves(e.when);
    if (group.length && (group.length >= CHUNK_RULES || leaves + n > CHUNK_LEAVES)) { groups.push(group); group = []; leaves = 0; }
    group.push(e);
    leaves += n;
  }
  if (group.length) groups.push(group);
  return groups;
}

function order(a: string | boolean | number, b: string | boolean | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function instantiateChunks(code: GeneratedCode): Chunk[] {
  return new Function('rt', 'I', 'K', code.source)(rt, I, code.constants) as Chunk[];
}

function countLeaves(c: Cond): number {
  switch (c.k) {
    case 'all':
    case 'any': return c.items.reduce((n, x) => n + countLeaves(x), 0);
    case 'not':
    case 'ref': return countLeaves(c.item);
    default: return 1;
  }
}

interface Operand { code: string; miss: boolean; fail: boolean; plain: boolean }

class ChunkWriter {
  private readonly head: string[] = [];
  private readonly locals = new Map<string, string>();
  private readonly constants = new Map<unknown, string>();
  private temps = 0;

  constructor(private readonly K: unknown[]) {}

  write(entries: readonly Entry[], n: number): string {
    const body: string[] = [];
    for (const e of entries) {
      if (partial(e.when)) body.push(`if ((s = ${this.status(e.when)}) !== ${rt.F}) out.push(${e.index}, s);`);
      else body.push(`if (${this.bool(e.when)}) out.push(${e.index}, ${rt.T});`);
    }
    const temps = Array.from({ length: this.temps }, (_, i) => `t${i}`);
    return [`function chunk${n}(env, out) {`, '  const p = env.p, c = env.c, D = env.d;', `  let ${['s', ...temps].join(', ')};`,
      ...this.head.map((l) => `  ${l}`), ...body.map((l) => `  ${l}`), '}'].join('\n');
  }

  /** JS source for a constant: primitives spelled out, anything else passed in `K`. */
  private lit = (v: unknown): string => {
    if (typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return JSON.stringify(v);
    let name = this.constants.get(v);
    if (!name) {
      this.K.push(v);
      name = `K[${this.K.length - 1}]`;
      this.constants.set(v, name);
    }
    return name;
  };

  private temp(): string {
    return `t${this.temps++}`;
  }

  /** A local holding the value, computed once at the top of the chunk. */
  private hoist(key: string, init: () => string): string {
    let name = this.locals.get(key);
    if (!name) {
      name = `v${this.locals.size}`;
      this.locals.set(key, name);
      this.head.push(`const ${name} = ${init()};`);
    }
    return name;
  }

  private operand(v: Val): Operand {
    switch (v.k) {
      case 'const':
        return { code: this.lit(v.value), miss: false, fail: false, plain: v.plain };
      case 'derived':
        return { code: `D[${v.index}]`, miss: v.slot.optional, fail: mayFail(v), plain: false };
      case 'now':
        return { code: this.hoist('now', () => 'env.now'), miss: false, fail: false, plain: false };
      case 'today':
        return { code: this.hoist('today', () => 'env.today'), miss: false, fail: false, plain: true };
      case 'read': {
        const raw = this.hoist(`${v.root}:${JSON.stringify(v.steps)}`, () => this.access(v.root === 'proposal' ? 'p' : 'c', v.steps));
        const code = v.conv === 'none' ? raw : this.hoist(`${v.conv}:${raw}`, () => `${raw} == null ? undefined : rt.read.${v.conv}(${raw})`);
        return { code, miss: v.slot.optional || v.narrowed === true, fail: mayFail(v), plain: v.plain };
      }
      default:
        return { code: this.hoist(`val:${this.lit(v)}`, () => `I.val(${this.lit(v)}, env)`), miss: v.slot.optional, fail: mayFail(v), plain: false };
    }
  }

  private access(root: string, steps: readonly (string | number)[]): string {
    if (steps.some((s) => typeof s === 'string' && UNSAFE_KEYS.has(s))) return `rt.own(${root}, ${JSON.stringify(steps)})`;
    return root + steps.map((s, i) => {
      const dot = i === 0 ? '' : '?.';
      if (typeof s === 'number') return `${dot}[${s}]`;
      return IDENT.test(s) ? `${i === 0 ? '.' : '?.'}${s}` : `${dot}[${JSON.stringify(s)}]`;
    }).join('');
  }

  private bool(c: Cond): string {
    if (interpreted(c)) return `(I.cond(${this.lit(c)}, env) === ${rt.T})`;
    switch (c.k) {
      case 'all': return `(${c.items.map((x) => this.bool(x)).join(' && ')})`;
      case 'any': return `(${c.items.map((x) => this.bool(x)).join(' || ')})`;
      case 'not': return `!${this.bool(c.item)}`;
      case 'ref': return this.bool(c.item);
      case 'leaf': return `(${this.test(c)})`;
      default: throw new Error('unreachable');
    }
  }

  private test(c: Extract<Cond, { k: 'leaf' }>): string {
    const a = this.operand(c.left);
    const b = c.right ? this.operand(c.right) : undefined;
    const literal = c.right?.k === 'const' ? c.right.value : undefined;
    const listOfPrimitives = Array.isArray(literal) && literal.every((x) => typeof x !== 'object');
    const plain = a.plain && (b === undefined || b.plain || listOfPrimitives);
    const emitted = c.op.emit?.({ a: a.code, b: b?.code ?? 'undefined', plain, literal, lit: this.lit });
    return emitted ?? `${this.lit(c.op)}.test(${a.code}, ${b?.code ?? 'undefined'})`;
  }

  /** An expression whose value is the condition's status (see runtime.ts). */
  private status(c: Cond): string {
    if (!partial(c)) return `(${this.bool(c)} ? ${rt.T} : ${rt.F})`;
    if (interpreted(c)) return `I.cond(${this.lit(c)}, env)`;
    switch (c.k) {
      case 'all':
      case 'any':
        return this.kleene(c.k, c.items.map((x) => this.status(x)));
      case 'not':
        return `rt.not3(${this.status(c.item)})`;
      case 'ref':
        return this.status(c.item);
      case 'leaf': {
        const a = this.operand(c.left);
        const b = c.right ? this.operand(c.right) : undefined;
        const ops = b ? [a, b] : [a];
        const fails = ops.filter((o) => o.fail).map((o) => `${o.code} instanceof rt.EvalError`);
        const misses = c.op.total ? [] : ops.filter((o) => o.miss).map((o) => `${o.code} == null`);
        let code = `(${this.test(c)} ? ${rt.T} : ${rt.F})`;
        if (misses.length) code = `(${misses.join(' || ')} ? ${rt.U} : ${code})`;
        if (fails.length) code = `(${fails.join(' || ')} ? rt.failed(${Boolean(c.op.total)}, ${ops.map((o) => o.code).join(', ')}) : ${code})`;
        return code;
      }
      default:
        throw new Error('unreachable');
    }
  }

  /** `all` combines statuses with `rt.and3` and stops at F; `any` with `rt.or3`, stopping at T. */
  private kleene(kind: 'all' | 'any', items: string[]): string {
    const t = this.temp();
    const stop = kind === 'all' ? rt.F : rt.T;
    const combine = kind === 'all' ? 'rt.and3' : 'rt.or3';
    const rest = (i: number): string => {
      const step = `${combine}(${t}, ${items[i]})`;
      if (i === items.length - 1) return step;
      return `((${t} = ${step}) === ${stop} ? ${stop} : ${rest(i + 1)})`;
    };
    if (items.length === 1) return items[0] as string;
    return `((${t} = ${items[0]}) === ${stop} ? ${stop} : ${rest(1)})`;
  }
}
