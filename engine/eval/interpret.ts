/**
 * The reference evaluator: a plain recursive interpreter over the compiled IR. It defines what
 * the generated code must compute (the differential tests hold them to it), produces `full` and
 * `summary` traces, and evaluates derived facts and quantifiers for the generated code.
 *
 * Kleene logic (see runtime.ts): `all` stops at F, `any` at T, `not` swaps T and F, and an
 * undecided result keeps the reasons of every undecided member. A leaf is E when an operand is an
 * error, U when an operand is missing (except for `exists`/`missing`), EU when both, else T or F.
 * A value that failed and also lacks a fact carries both reasons on (EvalError `missing`).
 */
import type { Cond, Val } from '../compile/ir.js';
import { Rational } from '../values/rational.js';
import { toJson } from '../trace/display.js';
import type { TraceNode, TraceResult } from '../trace/types.js';
import { E, EU, EvalError, F, T, U, and3, failed, not3, or3, own, read, type Status } from './runtime.js';

export interface Env {
  /** the proposal and the context, as validated JSON */
  p: unknown;
  c: unknown;
  now: Rational;
  today: number;
  /** derived fact values by index */
  d: unknown[];
  /** elements bound by enclosing quantifiers, by depth; made by the first quantifier that runs */
  items?: unknown[];
}

/** Receives every leaf evaluated, for branch coverage. */
export type Visit = (leafId: number, s: Status) => void;

const MAX_TRACED_ELEMENTS = 10;

export function resultOf(s: Status): TraceResult {
  return s === T ? true : s === F ? false : s === U ? 'unknown' : 'error';
}

/** The raw JSON value at a read's path, or undefined when absent or null. */
export function readRaw(v: Extract<Val, { k: 'read' }>, env: Env): unknown {
  const o = own(v.root === 'proposal' ? env.p : v.root === 'context' ? env.c : env.items?.[v.depth], v.steps);
  return o === null ? undefined : o;
}

export function evalValue(v: Val, env: Env): unknown {
  switch (v.k) {
    case 'const':
      return v.value;
    case 'read': {
      const raw = readRaw(v, env);
      return raw === undefined || v.conv === 'none' ? raw : read[v.conv](raw);
    }
    case 'derived':
      return env.d[v.index];
    case 'now':
      return env.now;
    case 'today':
      return env.today;
    case 'call': {
      const args = v.args.map((a) => evalValue(a, env));
      if (!v.fn.handlesMissing) {
        const err = args.find((a) => a instanceof EvalError) as EvalError | undefined;
        if (err) return args.some(lacksFact) ? err.andMissing() : err;
        if (args.some((a) => a === undefined)) return undefined;
      }
      return guard(() => v.fn.apply(args, v.kinds, undefined));
    }
    case 'agg':
      return aggregate(v, env);
  }
}

/** Missing, or failed for want of a fact as well. */
function lacksFact(v: unknown): boolean {
  return v === undefined || (v instanceof EvalError && v.missing);
}

function guard(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    return new EvalError('internal_error', (e as Error).message);
  }
}

function aggregate(v: Extract<Val, { k: 'agg' }>, env: Env): unknown {
  const list = evalValue(v.over, env);
  if (list === undefined || list instanceof EvalError) return list;
  // Every element is looked at, so a failure and a missing member are both reported, whatever their order.
  const values: unknown[] = [];
  let unknown = false;
  let failure: EvalError | undefined;
  for (const el of list as unknown[]) {
    if (v.where) {
      (env.items ??= [])[v.depth] = el;
      const s = evalCond(v.where, env);
      if (s & E) failure ??= new EvalError('invalid_value', `a \`where\` condition of \`${v.text}\` failed`);
      if (s & U) unknown = true;
      if (s !== T) continue;
    }
    const x = own(el, v.of ?? []);
    const value = x === undefined || x === null || v.ofConv === 'none' ? x : read[v.ofConv](x);
    if (value === undefined || value === null) unknown = true;
    else if (value instanceof EvalError) failure ??= value;
    else values.push(value);
  }
  if (env.items) env.items.length = v.depth;
  if (failure) return unknown ? failure.andMissing() : failure;
  if (unknown) return undefined;
  return guard(() => v.fn.aggregate!.apply(values, v.itemKind));
}

/**
 * Evaluates a condition. With `out`, appends its trace node there; with `visit`, reports every
 * leaf's result (for branch coverage).
 */
export function evalCond(c: Cond, env: Env, out?: TraceNode[], visit?: Visit): Status {
  switch (c.k) {
    case 'all':
    case 'any': {
      const kids: TraceNode[] | undefined = out && [];
      const all = c.k === 'all';
      let s: Status = all ? T : F;
      let i = 0;
      while (i < c.items.length) {
        const x = evalCond(c.items[i]!, env, kids, visit);
        i++;
        s = all ? and3(s, x) : or3(s, x);
        if (s === (all ? F : T)) break;
      }
      if (out) {
        for (; i < c.items.length; i++) kids!.push(skipped(c.items[i]!));
        out.push({ kind: c.k, result: resultOf(s), ...(c.label ? { label: c.label } : {}), items: kids! });
      }
      return s;
    }
    case 'not': {
      const kids: TraceNode[] | undefined = out && [];
      const s = not3(evalCond(c.item, env, kids, visit));
      if (out) out.push({ kind: 'not', result: resultOf(s), ...(c.label ? { label: c.label } : {}), items: kids! });
      return s;
    }
    case 'ref': {
      const kids: TraceNode[] | undefined = out && [];
      const s = evalCond(c.item, env, kids, visit);
      if (out) out.push({ kind: 'condition', name: c.name, result: resultOf(s), item: kids![0]! });
      return s;
    }
    case 'quant':
      return quantifier(c, env, out, visit);
    case 'leaf': {
      const a = evalValue(c.left, env);
      const b = c.right ? evalValue(c.right, env) : undefined;
      let s: Status;
      let error: EvalError | undefined;
      if (a instanceof EvalError || b instanceof EvalError) {
        s = c.right ? failed(c.op.total, a, b) : failed(c.op.total, a);
        error = (a instanceof EvalError ? a : b) as EvalError;
      } else if (!c.op.total && (a === undefined || (c.right !== undefined && b === undefined))) {
        s = U;
      } else {
        try {
          s = c.op.test(a, b) ? T : F;
        } catch (e) {
          s = E;
          error = new EvalError('internal_error', (e as Error).message);
        }
      }
      visit?.(c.id, s);
      if (out) out.push(leafTrace(c, env, s, error));
      return s;
    }
  }
}

function quantifier(c: Extract<Cond, { k: 'quant' }>, env: Env, out: TraceNode[] | undefined, visit: Visit | undefined): Status {
  const list = evalValue(c.over, env);
  const label = c.label ? { label: c.label } : {};
  if (list === undefined || list instanceof EvalError) {
    const s = list === undefined ? U : list.missing ? EU : E;
    if (out) out.push({ kind: c.q, result: resultOf(s), ...label, over: c.over.text, elements: [] });
    return s;
  }
  const arr = list as unknown[];
  const every = c.q === 'every';
  let s: Status = every ? T : F;
  const elements: { index: number; result: TraceResult; where: TraceNode }[] = [];
  for (let i = 0; i < arr.length; i++) {
    (env.items ??= [])[c.depth] = arr[i];
    const kids: TraceNode[] | undefined = out && elements.length < MAX_TRACED_ELEMENTS ? [] : undefined;
    const x = evalCond(c.where, env, kids, visit);
    if (kids) elements.push({ index: i, result: resultOf(x), where: kids[0]! });
    s = every ? and3(s, x) : or3(s, x);
    if (s === (every ? F : T)) break;
  }
  if (env.items) env.items.length = c.depth;
  if (c.q === 'none') s = not3(s);
  if (out) out.push({ kind: c.q, result: resultOf(s), ...label, over: c.over.text, count: arr.length, elements });
  return s;
}

/** What a leaf compared: raw JSON for facts read, rendered values for derived facts. */
export function shown(v: Val, env: Env): unknown {
  if (v.k === 'read') return readRaw(v, env) ?? null;
  return toJson(evalValue(v, env), v.slot.type);
}

function leafTrace(c: Extract<Cond, { k: 'leaf' }>, env: Env, s: Status, error: EvalError | undefined): TraceNode {
  const node: TraceNode = { kind: 'leaf', result: resultOf(s), fact: c.left.text, value: shown(c.left, env), operator: c.op.name };
  if (c.label) node.label = c.label;
  if (c.right) {
    const fact = factCompared(c.right);
    if (fact) node.expectedFact = fact;
    node.expected = shown(c.right, env);
  }
  if (error) node.error = { code: error.code, message: error.message };
  return node;
}

/** The trace of a condition that short-circuit skipped: its shape, with no values read. */
export function skipped(c: Cond): TraceNode {
  const result = 'not_evaluated' as const;
  const label = 'label' in c && c.label ? { label: c.label } : {};
  switch (c.k) {
    case 'all':
    case 'any':
      return { kind: c.k, result, ...label, items: c.items.map(skipped) };
    case 'not':
      return { kind: 'not', result, ...label, items: [skipped(c.item)] };
    case 'ref':
      return { kind: 'condition', name: c.name, result, item: skipped(c.item) };
    case 'quant':
      return { kind: c.q, result, ...label, over: c.over.text, elements: [] };
    case 'leaf': {
      const node: TraceNode = { kind: 'leaf', result, ...label, fact: c.left.text, operator: c.op.name };
      const fact = c.right && factCompared(c.right);
      if (fact) node.expectedFact = fact;
      if (c.right?.k === 'const') node.expected = toJson(c.right.value, c.right.slot.type);
      return node;
    }
  }
}

/** The fact a leaf compares with, by name: anything but a literal written in place. */
function factCompared(v: Val): string | undefined {
  return v.k !== 'const' || v.named ? v.text : undefined;
}
