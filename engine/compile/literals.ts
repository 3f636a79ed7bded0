/**
 * Literals are read against the type they are compared with: `"2026-01-01T00:00:00Z"` next to an
 * instant is an instant, `"90d"` next to a duration is a duration, and a string next to an enum
 * must be one of its values.
 */
import type { ExprAst, Loc } from '../ast/types.js';
import { didYouMean } from '../errors.js';
import { ANY, BOOLEAN, DATE, DURATION, INSTANT, NUMBER, STRING, describe, type Slot, type Type } from '../contracts/types.js';
import { Rational } from '../values/rational.js';
import { formatDate, formatDuration, parseDate, parseDuration, parseInstant } from '../values/time.js';
import type { Val } from './ir.js';
import type { Scope } from './scope.js';

const slot = (type: Type): Slot => ({ type, optional: false });

export function constVal(type: Type, value: unknown, text: string): Val {
  const plain = typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
  return { k: 'const', slot: slot(type), value, plain, text };
}

/** A literal as written: in place, or under `derive` (then `name` is the derived fact's). */
export interface Literal { value: unknown; source?: string | undefined; loc: Loc; name?: string }

/** The literal behind an operand, if it is one: written in place, or a derived fact defined as a literal. */
export function literalOf(e: ExprAst, v: Val | undefined, s: Scope): Literal | undefined {
  if (e.kind === 'lit') return e;
  const def = v?.k === 'derived' ? s.action.deriveAst.get(v.text) : undefined;
  return def?.expr.kind === 'lit' ? { value: def.expr.value, source: def.expr.source, loc: def.loc, name: def.name } : undefined;
}

/** A literal named under `derive` keeps its name, for messages and traces. */
export function named(v: Val, lit: Literal): Val {
  return lit.name !== undefined && v.k === 'const' ? { ...v, text: lit.name, named: true } : v;
}

/** A literal read with no type to guide it (a function argument, a list element of unknown kind). */
export function untypedLiteral(value: unknown, source: string | undefined, loc: Loc, s: Scope): Val | undefined {
  if (typeof value === 'number') return exactNumber(value, source, loc, s) ? constVal(NUMBER, value, source ?? String(value)) : undefined;
  if (typeof value === 'string') return constVal(STRING, value, JSON.stringify(value));
  if (typeof value === 'boolean') return constVal(BOOLEAN, value, String(value));
  if (value === null) {
    s.action.diags.error('invalid_literal', `${s.who} compares with \`null\``, loc, 'a null fact reads as missing: test it with `operator: missing`');
    return undefined;
  }
  if (Array.isArray(value)) {
    const kinds = new Set(value.map((v) => typeof v));
    const item: Type = kinds.size === 1 ? ({ number: NUMBER, string: STRING, boolean: BOOLEAN } as Record<string, Type>)[[...kinds][0] as string] ?? ANY : ANY;
    return { k: 'const', slot: slot({ kind: 'array', items: { type: item, optional: false } }), value, plain: false, text: JSON.stringify(value) };
  }
  return { k: 'const', slot: slot(ANY), value, plain: false, text: JSON.stringify(value) };
}

/** A literal read as `type`; reports and returns undefined when it is not one. */
export function typedLiteral(type: Type, value: unknown, source: string | undefined, loc: Loc, s: Scope): Val | undefined {
  const bad = (what: string, help?: string) => {
    s.action.diags.error('invalid_literal', `${s.who} compares ${describe(type)} with \`${JSON.stringify(value)}\`, which is not ${what}`, loc, help);
    return undefined;
  };
  switch (type.kind) {
    case 'any':
      return untypedLiteral(value, source, loc, s);
    case 'number':
      if (typeof value !== 'number') return bad('a number', typeof value === 'string' ? 'write numbers without quotes' : undefined);
      if (!exactNumber(value, source, loc, s)) return undefined;
      if (type.enum && !type.enum.includes(value)) return enumError(type, value, loc, s);
      return constVal(NUMBER, value, source ?? String(value));
    case 'string':
      if (typeof value !== 'string') return bad('a string');
      if (type.enum && !type.enum.includes(value)) return enumError(type, value, loc, s);
      return constVal(STRING, value, JSON.stringify(value));
    case 'boolean':
      return typeof value === 'boolean' ? constVal(BOOLEAN, value, String(value)) : bad('`true` or `false`');
    case 'instant': {
      const v = typeof value === 'string' ? parseInstant(value) : undefined;
      return v ? constVal(INSTANT, v, value as string) : bad('an RFC 3339 date-time', 'write instants as `2026-01-31T09:00:00Z` or with an offset, `+02:00`');
    }
    case 'date': {
      const v = typeof value === 'string' ? parseDate(value) : undefined;
      return v !== undefined ? constVal(DATE, v, formatDate(v)) : bad('a date', 'write dates as `2026-01-31`');
    }
    case 'duration': {
      const v = typeof value === 'string' ? parseDuration(value) : undefined;
      return v ? constVal(DURATION, v, formatDuration(v)) : bad('a duration', 'write durations as `90d`, `36h`, `15m`, `30s` or `1h30m`');
    }
    // A list of plain values is read element by element; one of objects or lists stays as written.
    case 'array':
      if (!Array.isArray(value)) return bad('a list');
      return SCALARS.has(type.items.type.kind) ? typedList(type.items.type, value, loc, s) : untypedLiteral(value, source, loc, s);
    default:
      return bad(`a value of that kind`);
  }
}

const SCALARS = new Set(['number', 'string', 'boolean', 'instant', 'date', 'duration']);

/** A literal list whose elements are read as `item`; every element that is not one is reported. */
export function typedList(item: Type, values: readonly unknown[], loc: Loc, s: Scope): Val | undefined {
  const read = values.map((v) => typedLiteral(item, v, undefined, loc, s));
  if (read.some((v) => v === undefined)) return undefined;
  const vals = read as Extract<Val, { k: 'const' }>[];
  return {
    k: 'const', slot: slot({ kind: 'array', items: slot(item) }), value: vals.map((v) => v.value), plain: false,
    text: `[${vals.map((v) => v.text).join(', ')}]`,
  };
}

/** A YAML number must mean exactly the double it becomes: `0.1` does, `0.10000000000000000001` does not. */
function exactNumber(value: number, source: string | undefined, loc: Loc, s: Scope): boolean {
  if (!Number.isFinite(value)) {
    s.action.diags.error('invalid_literal', `${s.who} uses \`${source ?? value}\`, which is not a finite number`, loc);
    return false;
  }
  const written = source !== undefined ? Rational.parse(source.replace(/_/g, '')) : undefined;
  if (written && !written.equals(Rational.fromNumber(value))) {
    s.action.diags.error('invalid_literal', `${s.who} uses \`${source}\`, which a JSON number cannot hold exactly`, loc,
      `use at most 15 significant digits, or compare a decimal string field`);
    return false;
  }
  return true;
}

function enumError(type: Type & { enum?: readonly unknown[] }, value: string | number, loc: Loc, s: Scope): undefined {
  const values = (type.enum ?? []).map(String);
  const hint = didYouMean(String(value), values);
  s.action.diags.error('enum_value', `${s.who} compares with \`${value}\`, which the contract does not allow`, loc,
    hint ? `did you mean \`${hint}\`?` : `allowed values: ${values.map((v) => `\`${v}\``).join(', ')}`);
  return undefined;
}
