/** Resolving conditions: operators bound, operands typed, literals read, named conditions expanded. */
import type { CondAst, ExprAst, Loc } from '../ast/types.js';
import { ANY, STRING, describe, type Type } from '../contracts/types.js';
import { didYouMean } from '../errors.js';
import { OPERATORS, type OperatorDef } from '../operators/index.js';
import { resolveExpr } from './expressions.js';
import { discriminatorKey, readKey } from './facts.js';
import { valuesBeside } from './guards.js';
import type { Cond, Val } from './ir.js';
import { literalOf, named, typedList, typedLiteral, type Literal } from './literals.js';
import { safeRegex } from './regex.js';
import { withItem, type Scope } from './scope.js';

export function resolveCondition(c: CondAst, s: Scope): Cond | undefined {
  const id = s.action.nextId();
  const label = 'label' in c && c.label !== undefined ? { label: c.label } : {};
  switch (c.kind) {
    case 'all': {
      // Tests of a discriminator first: the values they hold narrow what their siblings read.
      const tests = c.items.map((x) => testsDiscriminator(x, s, []));
      const items = c.items.map((x, i) => (tests[i] ? resolveCondition(x, s) : undefined));
      const inner = narrowedBy(items.filter((x) => x !== undefined), s);
      c.items.forEach((x, i) => { if (!tests[i]) items[i] = resolveCondition(x, inner); });
      return items.every((x) => x !== undefined) ? { k: c.kind, items: items as Cond[], id, ...label } : undefined;
    }
    case 'any': {
      const items = c.items.map((x) => resolveCondition(x, s));
      return items.every((x) => x !== undefined) ? { k: c.kind, items: items as Cond[], id, ...label } : undefined;
    }
    case 'not': {
      const item = resolveCondition(c.item, s);
      return item && { k: 'not', item, id, ...label };
    }
    case 'ref':
      return reference(c.name, c.loc, id, s);
    case 'quant': {
      const over = resolveExpr(c.over, s);
      if (!over) return undefined;
      if (over.slot.type.kind !== 'array') {
        s.action.diags.error('type_mismatch', `${s.who}: \`${c.q}\` goes over a list, but \`${over.text}\` is ${describe(over.slot.type)}`, c.loc);
        return undefined;
      }
      const where = resolveCondition(c.where, withItem(s, c.as, over.slot.type.items));
      return where && { k: 'quant', q: c.q, over, depth: s.items.length, as: c.as, where, id, ...label };
    }
    case 'leaf':
      return leaf(c, id, s);
  }
}

/** `{ fact: X, operator: equal | in, value: literal }` where X is a discriminator, directly or through a named condition. */
function testsDiscriminator(c: CondAst, s: Scope, expanding: readonly string[]): boolean {
  if (c.kind === 'ref') {
    const named = s.action.conditions.get(c.name);
    return named !== undefined && !expanding.includes(c.name) && testsDiscriminator(named.when, s, [...expanding, c.name]);
  }
  return c.kind === 'leaf' && (c.operator === 'equal' || c.operator === 'in') && c.value?.kind === 'lit' && c.fact.kind === 'fact' &&
    discriminatorKey(c.fact.ref, s) !== undefined;
}

/** The scope of an `all`'s other members: discriminators hold the values its tests allow (and any they held already). */
function narrowedBy(tests: readonly Cond[], s: Scope): Scope {
  const values = valuesBeside(tests, (v) => readKey(v.root, v.depth, v.steps));
  if (values.size === 0) return s;
  const known = new Map(s.known);
  for (const [k, vs] of values) {
    const both = known.get(k)?.filter((v) => vs.includes(v));
    // Tests that contradict each other never hold together: any type is sound there, so the nearest test decides.
    known.set(k, both?.length ? both : vs);
  }
  return { ...s, known };
}

function reference(name: string, loc: CondAst['loc'], id: number, s: Scope): Cond | undefined {
  const named = s.action.conditions.get(name);
  if (!named) {
    const hint = didYouMean(name, s.action.conditions.keys());
    s.action.diags.error('unknown_condition', `${s.who} refers to condition \`${name}\`, which no rule file defines`, loc,
      hint ? `did you mean \`${hint}\`?` : 'define it under `conditions:`');
    return undefined;
  }
  if (s.expanding.includes(name)) {
    const cycle = [...s.expanding.slice(s.expanding.indexOf(name)), name];
    s.action.diags.error('condition_cycle', `conditions refer to each other: ${cycle.map((n) => `\`${n}\``).join(' → ')}`, named.loc);
    return undefined;
  }
  s.action.used.add(`condition:${name}`);
  const item = resolveCondition(named.when, { ...s, expanding: [...s.expanding, name] });
  return item && { k: 'ref', name, item, id };
}

function leaf(c: Extract<CondAst, { kind: 'leaf' }>, id: number, s: Scope): Cond | undefined {
  const diags = s.action.diags;
  const op = OPERATORS.get(c.operator);
  if (!op) {
    const hint = didYouMean(c.operator, OPERATORS.keys());
    diags.error('unknown_operator', `${s.who} uses operator \`${c.operator}\`, which does not exist`, c.operatorLoc,
      hint ? `did you mean \`${hint}\`?` : `operators: ${[...OPERATORS.keys()].map((k) => `\`${k}\``).join(', ')}`);
  }
  const fact = resolveExpr(c.fact, s);
  if (!op || !fact) return undefined;
  if (!op.total && fact.slot.type.kind === 'union') return unionError(op, fact, 'fact', c, s);
  const label = c.label !== undefined ? { label: c.label } : {};
  if (op.unary) {
    if (c.value) diags.error('invalid_value', `\`${op.name}\` takes no \`value\``, c.value.loc);
    return { k: 'leaf', op, left: fact, id, loc: c.loc, ...label };
  }
  if (!c.value) {
    diags.error('missing_key', `${s.who}: \`${op.name}\` needs a \`value\``, c.loc);
    return undefined;
  }
  const sides = operands(op, c.fact, fact, c.value, s);
  if (!sides) return undefined;
  const [left, right] = sides;
  if (right.slot.type.kind === 'union') return unionError(op, right, 'value', c, s);
  const wrong = op.check(left.slot.type, right.slot.type);
  if (wrong) {
    diags.error('type_mismatch', `${s.who}: \`${op.name}\` on \`${left.text}\` ${wrong}`, c.operatorLoc, mismatchHelp(op, left.slot.type));
    return undefined;
  }
  return { k: 'leaf', op, left, right, id, loc: c.loc, ...label };
}

/**
 * A member of several types is compared only once a rule has said which: by testing the
 * discriminator beside the comparison, or by converting it. The help shows the test.
 */
function unionError(op: OperatorDef, v: Val, side: 'fact' | 'value', c: Extract<CondAst, { kind: 'leaf' }>, s: Scope): undefined {
  const t = v.slot.type as Extract<Type, { kind: 'union' }>;
  const message = `${s.who}: \`${v.text}\` is ${describe(t)}, so \`${op.name}\` cannot compare it`;
  const listed = v.k === 'read' && t.by ? t.by.cases.flatMap((x) => ('in' in x.when ? [{ values: x.when.in, type: x.type }] : [])) : [];
  if (!t.by || !listed.length) {
    s.action.diags.error('type_mismatch', message, c.operatorLoc, `read it as one type with a conversion, such as \`{ date: ${v.text} }\` or \`{ decimal: ${v.text} }\``);
    return undefined;
  }
  const by = v.text.includes('.') ? `${v.text.slice(0, v.text.lastIndexOf('.'))}.${t.by.by}` : t.by.by;
  const kinds = listed.map((x, i) => `${describe(x.type)} when ${i === 0 ? `\`${by}\`` : 'it'} is ${x.values.map((y) => `\`${y}\``).join(' or ')}`);
  const fit = listed.find((x) => op.check(x.type, undefined) === undefined) ?? listed[0]!;
  const comparison = side === 'fact' ? `{ fact: ${v.text}, operator: ${op.name}, … }` : `{ …, operator: ${op.name}, value: { fact: ${v.text} } }`;
  s.action.diags.error('type_mismatch', message, c.operatorLoc,
    `\`${v.text}\` is ${kinds.join(', ')}; test \`${by}\` beside the comparison: \`all: [{ fact: ${by}, operator: equal, value: ${fit.values[0]} }, ${comparison}]\``);
  return undefined;
}

function mismatchHelp(op: OperatorDef, left: Type): string | undefined {
  if (op.name.startsWith('greater') || op.name.startsWith('less')) {
    if (left.kind === 'string') return 'order comparisons apply to numbers, instants, dates and durations; for text use `equal`, `in` or `startsWith`';
  }
  return undefined;
}

/**
 * Both operands, with a literal on either side read as the type of the other side's operand, so
 * one named under `derive` is checked and parsed exactly as if it were written in place. When
 * both are literals, the right one is read as the left.
 */
function operands(op: OperatorDef, leftAst: ExprAst, left: Val, value: ExprAst, s: Scope): [Val, Val] | undefined {
  const resolved = value.kind === 'lit' ? undefined : resolveExpr(value, s);
  if (value.kind !== 'lit' && !resolved) return undefined;
  const right = literalOf(value, resolved, s);
  if (op.name === 'matches') {
    if (typeof right?.value !== 'string') {
      s.action.diags.error('invalid_literal', `${s.who}: \`matches\` takes a literal pattern string`, right?.loc ?? value.loc,
        'patterns are checked for catastrophic backtracking when compiling, so they cannot come from facts');
      return undefined;
    }
    const re = pattern(right.value, right.loc, s);
    return re && [left, named(re, right)];
  }
  if (right) {
    const r = readLiteral(op, left.slot.type, 'right', right, s);
    return r && [left, named(r, right)];
  }
  const other = resolved!;
  const lit = literalOf(leftAst, left, s);
  if (!lit) return [left, other];
  const l = readLiteral(op, other.slot.type, 'left', lit, s);
  return l && [named(l, lit), other];
}

/** A literal read as what the operator compares it with: the other side's type, a list of it, its element, or plain text. */
function readLiteral(op: OperatorDef, other: Type, side: 'left' | 'right', lit: Literal, s: Scope): Val | undefined {
  const { value, source, loc } = lit;
  switch (op.name) {
    case 'in':
    case 'notIn':
      if (side === 'left') return typedLiteral(other.kind === 'array' ? other.items.type : ANY, value, source, loc, s);
      if (!Array.isArray(value)) {
        s.action.diags.error('type_mismatch', `${s.who}: \`${op.name}\` needs a list value, not \`${JSON.stringify(value)}\``, loc,
          `write \`value: [${JSON.stringify(value)}]\``);
        return undefined;
      }
      return typedList(other, value, loc, s);
    case 'contains':
    case 'doesNotContain':
      if (side === 'left') return Array.isArray(value) ? typedList(other, value, loc, s) : typedLiteral(STRING, value, source, loc, s);
      return typedLiteral(other.kind === 'array' ? other.items.type : other.kind === 'string' ? STRING : other, value, source, loc, s);
    // A prefix, suffix or differently-cased spelling is not an enum value, so it is read as plain text.
    case 'startsWith':
    case 'endsWith':
    case 'equalIgnoreCase':
    case 'equalIgnoreAsciiCase':
      return typedLiteral(other.kind === 'string' ? STRING : other, value, source, loc, s);
    default:
      return typedLiteral(other, value, source, loc, s);
  }
}

const REGEX_LITERAL = /^\/(.*)\/([a-z]*)$/s;

function pattern(text: string, loc: Loc, s: Scope): Val | undefined {
  const m = REGEX_LITERAL.exec(text);
  const source = m ? (m[1] as string) : text;
  const flags = m ? (m[2] as string) : '';
  if (/[^imsu]/.test(flags)) {
    s.action.diags.error('invalid_literal', `${s.who}: pattern flags \`${flags}\` are not allowed`, loc, 'use `i`, `m`, `s` or `u`');
    return undefined;
  }
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (e) {
    s.action.diags.error('invalid_literal', `${s.who}: \`${source}\` is not a valid pattern: ${(e as Error).message.replace(/^Invalid regular expression: /, '').toLowerCase()}`, loc);
    return undefined;
  }
  const unsafe = safeRegex(source, flags);
  if (unsafe) {
    s.action.diags.error('unsafe_regex', `${s.who}: pattern \`${source}\` ${unsafe}`, loc,
      'remove nested or overlapping repetition such as `(a+)+` or `.*x.*`; anchor the pattern and use specific character classes');
    return undefined;
  }
  return { k: 'const', slot: { type: { kind: 'any' }, optional: false }, value: re, plain: false, text: String(re) };
}
