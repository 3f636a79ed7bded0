/**
 * A derived-fact function: a type rule checked when compiling and the computation on present,
 * normalised values. Missing arguments make the result missing unless the function says it
 * handles them (coalesce); a computation that cannot be done returns an EvalError.
 */
import type { Kind, Type } from '../contracts/types.js';

export interface ArgInfo {
  type: Type;
  optional: boolean;
  /** the value when the argument is a literal */
  literal?: unknown;
  /** as written, for messages */
  text: string;
}

export type Checked = { type: Type; optional?: boolean } | { error: string; help?: string };

/** What a bare string means in an argument position: a fact, a literal string, or a table name. */
export type BareName = 'fact' | 'string' | 'table';

export interface FunctionDef {
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  bare?(index: number): BareName;
  readonly handlesMissing?: boolean;
  /** Its arguments are of one type and its result is made of their values (coalesce, concat), so a literal among them is read as the type of the others. */
  readonly oneType?: boolean;
  /**
   * Missing on present arguments means the text did not parse (a conversion): unknown by design,
   * the fail-closed answer, so `unguarded_optional` does not ask for a guard that would make it false.
   */
  readonly parses?: boolean;
  check(args: readonly ArgInfo[]): Checked;
  /** `kinds` are the static kinds of the arguments, fixed when compiling. */
  apply(args: readonly unknown[], kinds: readonly Kind[], extra: unknown): unknown;
  /** Aggregate form over a list's values (`{ sum: { over: …, of: … } }`). */
  aggregate?: { check(item: Type): Checked; apply(values: readonly unknown[], kind: Kind): unknown };
}

export const INF = Number.POSITIVE_INFINITY;
