/**
 * Usage errors (exit 2) and the value conversions commands share. `parse` and `choice` serve
 * commands not yet defined with `command()` (cli/command.ts says how to convert one).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseInstant } from '../engine/internal.js';

type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: boolean; strict: true }>>;

export class UsageError extends Error {}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<O extends Options>(argv: string[], options: O, positionals = false): Parsed<O> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: positionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

export function choice<T extends string>(value: string | undefined, name: string, allowed: readonly T[], dflt: T): T {
  if (value === undefined) return dflt;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not \`${value}\``);
  return value as T;
}

export function number(value: string | undefined, name: string, dflt: number): number {
  if (value === undefined) return dflt;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} takes a number, not \`${value}\``);
  return n;
}

/** A date-time option (`--now`): an RFC 3339 instant; by default the current second, in UTC. */
export function instant(value: string | undefined, name: string): string {
  const v = value ?? new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  if (!parseInstant(v)) throw new UsageError(`--${name} takes an RFC 3339 date-time such as 2026-11-21T10:00:00Z, not \`${v}\``);
  return v;
}
