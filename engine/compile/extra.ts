/**
 * Conditions written outside an action's rule files (the invariants of `arbiter prop`), resolved
 * in the action's own scope: the same contracts, derived facts, named conditions and tables its
 * rules see, type-checked the same way, with errors at their own `file:line:col`.
 */
import { parseCondition } from '../ast/conditions.js';
import { parseRuleFile } from '../ast/rules.js';
import type { RuleFileAst } from '../ast/types.js';
import { Diagnostics } from '../errors.js';
import { at, locOf, readString, YamlFile, type At } from '../source/yaml.js';
import { resolveCondition } from './conditions.js';
import { checkGuards } from './guards.js';
import { resolveFact } from './facts.js';
import type { Cond, Val } from './ir.js';
import type { CompiledAction } from './policy.js';
import type { ActionScope, Scope } from './scope.js';

/** Ids of conditions compiled here start far above any rule's, so coverage never mixes them. */
const FIRST_ID = 1_000_000;

export interface ConditionCompiler {
  /** a condition, as a rule's `when` */
  condition(node: At, who: string): Cond | undefined;
  /** a fact name (`proposal.amount`, a derived fact), as a leaf's `fact` */
  fact(node: At, who: string): Val | undefined;
}

/** `files` is the policy the action was compiled from; errors and warnings go to `diags`. */
export function conditionCompiler(files: ReadonlyMap<string, string>, action: CompiledAction, diags: Diagnostics): ConditionCompiler {
  const ruleFiles = action.ruleFiles.map((path) => {
    const f = new YamlFile(path, files.get(path) ?? '', new Diagnostics());
    return f.root ? parseRuleFile(at(f, f.root), new Diagnostics()) : undefined;
  }).filter((f): f is RuleFileAst => f !== undefined);
  const byName = <T extends { name: string }>(defs: T[]) => new Map(defs.map((d) => [d.name, d]));
  let next = FIRST_ID;
  const scope: ActionScope = {
    action: action.name, diags,
    proposal: { name: action.contract.ref, slot: action.contract.slot },
    ...(action.context ? { context: { name: action.context.ref, slot: action.context.slot } } : {}),
    deriveAst: byName(ruleFiles.flatMap((f) => f.derive)),
    // Already resolved: a condition that reads a derived fact gets the compiled one, same index.
    derived: new Map(action.derived.map((d) => [d.name, d])),
    conditions: byName(ruleFiles.flatMap((f) => f.conditions)),
    tables: byName(ruleFiles.flatMap((f) => f.tables)),
    resolving: [], failed: new Set(), used: new Set(),
    nextId: () => next++,
  };
  const scoped = (who: string): Scope => ({ action: scope, who, items: [], expanding: [] });
  return {
    condition(node, who) {
      const ast = parseCondition(node, diags);
      const cond = ast && resolveCondition(ast, scoped(who));
      if (ast && cond) checkGuards(who, cond, ast.loc, { invariant: true }, diags);
      return cond;
    },
    fact(node, who) {
      const name = readString(node, '`fact`', diags);
      return name === undefined ? undefined : resolveFact({ name, loc: locOf(node) }, scoped(who));
    },
  };
}
