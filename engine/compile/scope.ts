/**
 * What a name can refer to while compiling one action: the proposal and context contracts,
 * derived facts (resolved on first use, so their order in the file does not matter), named
 * conditions, tables, and the list elements bound by enclosing quantifiers.
 */
import type { DeriveAst, NamedCondition, TableAst } from '../ast/types.js';
import type { Diagnostics } from '../errors.js';
import type { Scalar, Slot } from '../contracts/types.js';
import type { Derived } from './ir.js';

export interface ContractInfo { name: string; slot: Slot }

export interface ActionScope {
  action: string;
  diags: Diagnostics;
  proposal: ContractInfo;
  context?: ContractInfo;
  deriveAst: ReadonlyMap<string, DeriveAst>;
  derived: Map<string, Derived>;
  /** derived facts being resolved, to report cycles */
  resolving: string[];
  /** derived facts that failed to resolve, reported once */
  failed: Set<string>;
  conditions: ReadonlyMap<string, NamedCondition>;
  tables: ReadonlyMap<string, TableAst>;
  used: Set<string>;
  nextId(): number;
}

/** The scope of one rule, signal or derived fact: who is reading (for messages) and bound elements. */
export interface Scope {
  action: ActionScope;
  /** `rule \`refund.large\``, for messages */
  who: string;
  items: readonly { name: string; slot: Slot }[];
  /** named conditions being expanded, to report cycles */
  expanding: readonly string[];
  /** discriminators known to hold one of these values here, by read key (compile/facts.ts `readKey`) */
  known?: ReadonlyMap<string, readonly Scalar[]>;
}

export function withItem(s: Scope, name: string, slot: Slot): Scope {
  return { ...s, items: [...s.items, { name, slot }] };
}
