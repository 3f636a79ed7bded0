/** String functions: case, trimming, and the part after a separator (an e-mail domain, a file extension). */
import { describe } from '../contracts/types.js';
import { asciiLowercase, asciiUppercase } from '../values/ascii.js';
import type { FunctionDef } from './function.js';

function unary(name: string, f: (s: string) => string): FunctionDef {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    check: ([a]) => (a!.type.kind === 'string' || a!.type.kind === 'any' ? { type: { kind: 'string' } } : { error: `\`${name}\` needs a string, not ${describe(a!.type)}` }),
    apply: ([a]) => f(a as string),
  };
}

/** Unicode default case mapping, no locale: `K` (Kelvin) → `k`, `İ` → `i̇`; `ß` uppercases to `SS`. */
export const lowercase = unary('lowercase', (s) => s.toLowerCase());
export const uppercase = unary('uppercase', (s) => s.toUpperCase());
export const asciiLower = unary('ascii_lowercase', asciiLowercase);
export const asciiUpper = unary('ascii_uppercase', asciiUppercase);
export const trim = unary('trim', (s) => s.trim());

/** `{ after_first: [proposal.to, "@"] }`; empty when the separator does not occur (`README` has extension ``). */
function after(name: string, find: (s: string, sep: string) => number): FunctionDef {
  return {
    name,
    minArgs: 2,
    maxArgs: 2,
    bare: (i) => (i === 1 ? 'string' : 'fact'),
    check([a, sep]) {
      if (a!.type.kind !== 'string' && a!.type.kind !== 'any') return { error: `\`${name}\` needs a string, not ${describe(a!.type)}` };
      if (typeof sep!.literal !== 'string' || sep!.literal === '') return { error: `\`${name}\` takes a literal, non-empty separator` };
      return { type: { kind: 'string' } };
    },
    apply([a, sep]) {
      const s = a as string, p = sep as string;
      const i = find(s, p);
      return i < 0 ? '' : s.slice(i + p.length);
    },
  };
}

export const afterFirst = after('after_first', (s, p) => s.indexOf(p));
export const afterLast = after('after_last', (s, p) => s.lastIndexOf(p));

/** Characters (Unicode code points) in a string, or elements in a list. */
export const length: FunctionDef = {
  name: 'length',
  minArgs: 1,
  maxArgs: 1,
  check: ([a]) => (['string', 'array', 'any'].includes(a!.type.kind) ? { type: { kind: 'number', integer: true } } : { error: `\`length\` needs a string or a list, not ${describe(a!.type)}` }),
  apply: ([a]) => (typeof a === 'string' ? [...a].length : (a as unknown[]).length),
};
