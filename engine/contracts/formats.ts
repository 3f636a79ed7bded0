/**
 * The string formats that type contract members (`date`, `date-time` and Arbiter's `decimal`), each
 * as one reader used both for members the contract types and by the conversion functions. A
 * reader accepts exactly the strings that the contract's validator accepts for its format: ajv's
 * own validator decides for `date` and `date-time` (it allows any whitespace between date and
 * time, and a leap second only at 23:59 UTC), and values/time.ts only computes the value. So a
 * member the contract accepts is always read, and a conversion never accepts what the format
 * refuses.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { Rational } from '../values/rational.js';
import { parseDate, parseInstant } from '../values/time.js';

type Check = (s: string) => boolean;

const formatCheck = (name: 'date' | 'date-time'): Check => (fullFormats[name] as { validate: Check }).validate;
const isDate = formatCheck('date');
const isDateTime = formatCheck('date-time');
const SEPARATOR = /[Tt\s]/;
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/** Days since the epoch of a `date`, or undefined when the format refuses the string. */
export function readDate(s: string): number | undefined {
  return isDate(s) ? parseDate(s) : undefined;
}

/** Seconds since the epoch of a `date-time`, or undefined when the format refuses the string. */
export function readInstant(s: string): Rational | undefined {
  return isDateTime(s) ? parseInstant(s.replace(SEPARATOR, 'T')) : undefined;
}

/** The exact value of a `decimal` (`-0.5`, `1017.50`), or undefined when the format refuses the string. */
export function readDecimal(s: string): Rational | undefined {
  return Rational.parseDecimalString(s);
}

/** A `decimal` written without a fraction (`-12`, `0`; not `12.0`), or undefined. */
export function readInteger(s: string): Rational | undefined {
  return INTEGER.test(s) ? Rational.parseDecimalString(s) : undefined;
}
