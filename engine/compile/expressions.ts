/** Resolving expressions (derived facts, computed operands) into typed values. */
import type { ExprAst } from '../ast/types.js';
import { ANY, DATE, DURATION, INSTANT, describe, type Slot } from '../contracts/types.js';
import { resolvePath } from '../contracts/shape.js';
import { FUNCTIONS, type ArgInfo } from '../functions/index.js';
import type { BareName, FunctionDef } from '../functions/function.js';
import { didYouMean } from '../errors.js';
import { resolveCondition } from './conditions.js';
import { convOf, resolveFact } from './facts.js';
import { mayFail, partial, type Derived, type Val } from './ir.js';
import { constVal, literalOf, named, typedLiteral, untypedLiteral } from './literals.js';
import { withItem, type Scope } from './scope.js';

export function resolveExpr(e: ExprAst, s: Scope, bare: BareName = 'fact'): Val | undefined {
  switch (e.kind) {
    case 'lit':
      return untypedLiteral(e.value, e.source, e.loc, s);
    case 'typed':
      return typedLiteral({ instant: INSTANT, date: DATE, duration: DURATION }[e.as], e.text, undefined, e.loc, s);
    case 'fact':
      return resolveFact(e.ref, s);
    case 'name':
      if (bare === 'string') return constVal({ kind: 'string' }, e.text, JSON.stringify(e.text));
      if (bare === 'table') return table(e.text, e.loc, s);
      return resolveFact({ name: e.text, loc: e.loc }, s);
    case 'call':
      return call(e, s);
    case 'agg':
      return aggregate(e, s);
  }
}

function table(name: string, loc: ExprAst['loc'], s: Scope): Val | undefined {
  const t = s.action.tables.get(name);
  if (!t) {
    const hint = didYouMean(name, s.action.tables.keys());
    s.action.diags.error('unknown_table', `${s.who} looks up table \`${name}\`, which no rule file defines`, loc, hint ? `did you mean \`${hint}\`?` : 'define it under `tables:`');
    return undefined;
  }
  s.action.used.add(`table:${name}`);
  const entries = new Map([...t.entries].map(([k, v]) => [k, v.value]));
  return { k: 'const', slot: { type: ANY, optional: false }, value: entries, plain: false, text: name };
}

function call(e: Extract<ExprAst, { kind: 'call' }>, s: Scope): Val | undefined {
  const fn = FUNCTIONS.get(e.fn) as FunctionDef;
  if (e.args.length < fn.minArgs || e.args.length > fn.maxArgs) {
    const want = fn.minArgs === fn.maxArgs ? `${fn.minArgs}` : fn.maxArgs === Infinity ? `at least ${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
    s.action.diags.error('type_mismatch', `\`${e.fn}\` takes ${want} argument${want === '1' ? '' : 's'}, not ${e.args.length}`, e.fnLoc);
    return undefined;
  }
  const args = e.args.map((a, i) => resolveExpr(a, s, fn.bare?.(i) ?? 'fact'));
  if (args.some((a) => a === undefined)) return undefined;
  const vals = fn.oneType ? literalsAsOthers(e.args, args as Val[], s) : (args as Val[]);
  if (!vals) return undefined;
  const infos: ArgInfo[] = vals.map((v) => ({ type: v.slot.type, optional: v.slot.optional, text: v.text, ...(v.k === 'const' ? { literal: v.value } : {}) }));
  const checked = fn.check(infos);
  if ('error' in checked) {
    s.action.diags.error('type_mismatch', `${s.who}: ${checked.error}`, e.fnLoc, checked.help);
    return undefined;
  }
  const optional = fn.handlesMissing ? (checked.optional ?? false) : vals.some((v) => v.slot.optional) || (checked.optional ?? false);
  const text = `${e.fn}(${vals.map((v) => v.text).join(', ')})`;
  return {
    k: 'call', fn, args: vals, kinds: vals.map((v) => v.slot.type.kind), slot: { type: checked.type, optional }, text,
  };
}

/**
 * Literals among the arguments, in place or named under `derive`, read as the type of the first
 * argument that is not one: `{ coalesce: [proposal.tier, { value: basic }] }` may give `basic`, so
 * it must be one of the enum's values, as if it were compared with the member.
 */
function literalsAsOthers(asts: readonly ExprAst[], vals: Val[], s: Scope): Val[] | undefined {
  const type = vals.find((v, i) => !literalOf(asts[i]!, v, s))?.slot.type;
  if (!type || type.kind === 'object' || type.kind === 'any') return vals;
  const read = vals.map((v, i) => {
    const lit = literalOf(asts[i]!, v, s);
    const typed = lit && typedLiteral(type, lit.value, lit.source, lit.loc, s);
    return lit ? typed && named(typed, lit) : v;
  });
  return read.every((v) => v !== undefined) ? (read as Val[]) : undefined;
}

function aggregate(e: Extract<ExprAst, { kind: 'agg' }>, s: Scope): Val | undefined {
  const fn = FUNCTIONS.get(e.fn) as FunctionDef;
  if (!fn.aggregate) {
    s.action.diags.error('type_mismatch', `\`${e.fn}\` has no \`over\` form`, e.fnLoc, 'the aggregates are `count`, `sum`, `min` and `max`');
    return undefined;
  }
  const over = resolveExpr(e.over, s);
  if (!over) return undefined;
  if (over.slot.type.kind !== 'array') {
    s.action.diags.error('type_mismatch', `${s.who}: \`${e.fn}\` goes over a list, but \`${over.text}\` is ${describe(over.slot.type)}`, e.fnLoc);
    return undefined;
  }
  const item = over.slot.type.items;
  const depth = s.items.length;
  const inner = withItem(s, e.as, item);
  const where = e.where ? resolveCondition(e.where, inner) : undefined;
  if (e.where && !where) return undefined;
  let valueSlot: Slot = item;
  let of: (string | number)[] | undefined;
  if (e.of !== undefined) {
    if (e.fn === 'count') {
      s.action.diags.error('type_mismatch', '`count` counts elements; it takes `where`, not `of`', e.fnLoc);
      return undefined;
    }
    of = e.of.split('.');
    const r = resolvePath(item, of);
    if (!r.ok) {
      const hint = didYouMean(String(of[r.at]), r.candidates);
      s.action.diags.error('unknown_fact', `${s.who} sums \`${e.of}\`, which the elements of \`${over.text}\` do not have`, e.fnLoc, hint ? `did you mean \`${hint}\`?` : undefined);
      return undefined;
    }
    valueSlot = r.slot;
  }
  const checked = fn.aggregate.check(valueSlot.type);
  if ('error' in checked) {
    s.action.diags.error('type_mismatch', `${s.who}: ${checked.error}`, e.fnLoc);
    return undefined;
  }
  return {
    k: 'agg', fn, over, depth, ofConv: convOf(valueSlot.type), itemKind: valueSlot.type.kind,
    ...(of ? { of } : {}), ...(where ? { where } : {}),
    slot: { type: checked.type, optional: over.slot.optional || valueSlot.optional || (checked.optional ?? false) || (where !== undefined && partial(where)) },
    text: `${e.fn}(${over.text}${e.of ? `.${e.of}` : ''})`,
  };
}

/** Resolves a derived fact on first use; reports cycles such as `a → b → a`. */
export function resolveDerived(name: string, from: Scope): (Derived & { mayFail: boolean }) | undefined {
  const a = from.action;
  const done = a.derived.get(name);
  if (done) return { ...done, mayFail: mayFail(done.expr) };
  if (a.failed.has(name)) return undefined;
  if (a.resolving.includes(name)) {
    const cycle = [...a.resolving.slice(a.resolving.indexOf(name)), name];
    a.diags.error('derive_cycle', `derived facts depend on each other: ${cycle.map((n) => `\`${n}\``).join(' → ')}`, a.deriveAst.get(name)!.loc);
    return undefined;
  }
  const ast = a.deriveAst.get(name)!;
  a.resolving.push(name);
  const expr = resolveExpr(ast.expr, { action: a, who: `derived fact \`${name}\``, items: [], expanding: [] });
  a.resolving.pop();
  if (!expr) {
    a.failed.add(name);
    return undefined;
  }
  const d: Derived = { name, index: a.derived.size, expr, loc: ast.loc };
  a.derived.set(name, d);
  return { ...d, mayFail: mayFail(expr) };
}
