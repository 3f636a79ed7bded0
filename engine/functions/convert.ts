/**
 * Explicit conversions: `{ date: proposal.value }` reads a string as its JSON Schema format would
 * accept it (contracts/formats.ts). A value the format refuses, or one that is not a string, is
 * missing rather than an error or false, so the condition is unknown and counts as the more severe
 * of the rule's outcome and `on_unknown`: a conversion that fails never lowers a reject.
 */
import { DATE, INSTANT, NUMBER, describe, type Type } from '../contracts/types.js';
import { readDate, readDecimal, readInstant, readInteger } from '../contracts/formats.js';
import type { FunctionDef } from './function.js';

const READS_TEXT = new Set(['string', 'any', 'union']);

function conversion(name: string, type: Type, what: string, parse: (s: string) => unknown): FunctionDef {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    parses: true,
    check([a]) {
      if (READS_TEXT.has(a!.type.kind)) return { type, optional: true };
      const error = `\`${name}\` reads ${what} from a string, but \`${a!.text}\` is ${describe(a!.type)}`;
      return a!.type.kind === type.kind ? { error, help: `\`${a!.text}\` is already typed ${describe(a!.type)}: compare it without converting` } : { error };
    },
    apply: ([a]) => (typeof a === 'string' ? parse(a) : undefined),
  };
}

export const toDate = conversion('date', DATE, 'a `date`', readDate);
export const toInstant = conversion('instant', INSTANT, 'a `date-time`', readInstant);
export const toDecimal = conversion('decimal', NUMBER, 'a `decimal`', readDecimal);
export const toInteger = conversion('integer', { kind: 'number', integer: true }, 'a `decimal` without a fraction', readInteger);
