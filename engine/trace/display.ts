/** JSON-friendly renderings of runtime values for traces and reason messages. */
import type { Type } from '../contracts/types.js';
import { EvalError } from '../eval/runtime.js';
import { Rational } from '../values/rational.js';
import { formatDate, formatDuration, formatInstant } from '../values/time.js';

export function toJson(v: unknown, type: Type): unknown {
  if (v === undefined || v === null) return null;
  if (v instanceof EvalError) return { error: v.code };
  if (v instanceof Rational) {
    if (type.kind === 'instant') return formatInstant(v);
    if (type.kind === 'duration') return formatDuration(v);
    // Exact when the decimal expansion ends; otherwise rounded and marked, as `10.7708333333…`.
    return v.toDecimal(10).exact ? v.toJSON() : v.toString();
  }
  if (type.kind === 'date' && typeof v === 'number') return formatDate(v);
  if (v instanceof RegExp) return String(v);
  if (v instanceof Map) return Object.fromEntries(v);
  if (v instanceof Set) return [...v];
  if (Array.isArray(v)) return v.map((x) => toJson(x, type.kind === 'array' ? type.items.type : type));
  return v;
}

/** Text for a reason: strings as they are, everything else as compact JSON. */
export function toText(v: unknown, type: Type): string {
  if (v === undefined || v === null) return '<missing>';
  if (v instanceof Rational && type.kind === 'number') return v.toString();
  const j = toJson(v, type);
  return typeof j === 'string' ? j : JSON.stringify(j);
}
