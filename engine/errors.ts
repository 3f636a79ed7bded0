/**
 * The catalogue of diagnostic codes. Every code the compiler, the evaluator or the contract check
 * can emit is listed here with one line of meaning; `docs/errors.md` is kept in step by a test.
 */
export const COMPILE_CODES = {
  yaml_syntax: 'a file is not valid YAML (or has a duplicate key)',
  yaml_too_large: 'a YAML file expands, through its aliases, to more nodes than a policy file may hold (100,000)',
  invalid_json: 'a contract file is not valid JSON',
  unknown_key: 'a key that the file format does not define',
  missing_key: 'a key that the file format requires is absent',
  invalid_value: 'a value has the wrong shape or type for its key',
  unknown_file: 'a file named in the registry does not exist',
  path_outside_policy: 'the registry names a file outside the policy directory (`../x.yaml`, an absolute path)',
  empty_rule_file: 'a rule file the registry names holds no rules (empty, truncated, or only shared definitions)',
  unknown_contract: 'a contract id@version has no schema file',
  invalid_contract: 'a contract is not a valid JSON Schema 2020-12 document in strict mode',
  invalid_pointer: 'an idempotency key pointer does not name a required member of every contract version served, or a `version_from` or upgrade pointer is not a JSON Pointer to a member',
  invalid_upgrade: 'an upgrade file does not lead to the current contract, or a step names a member its contract does not define',
  upgrade_incompatible: 'a declared upgrade turns valid proposals of its version into ones the next version refuses (a required member no step sets, a member the target forbids, a type it never takes, a default it refuses)',
  upgrade_unproven: 'warning: the check cannot guarantee that an upgraded member satisfies the next version (an enum value not mapped, a constraint the source does not state); such proposals are rejected after the upgrade',
  duplicate_id: 'two rules, signals, conditions or derived facts share an id',
  unknown_operator: 'an operator that the rule language does not define',
  unknown_function: 'a derived-fact function that the rule language does not define',
  unknown_condition: 'a `condition:` reference names no condition',
  condition_cycle: 'named conditions refer to each other in a cycle',
  derive_cycle: 'derived facts depend on each other in a cycle',
  unknown_fact: 'a fact or path that neither contract, nor the derived facts, define',
  ambiguous_fact: 'a bare fact name that both the proposal and the context define',
  unsupported_path: 'a JSONPath feature beyond plain member and index steps',
  unknown_table: 'a lookup names no table',
  lookup_incomplete: 'a lookup over an enum lacks entries for some of its values',
  type_mismatch: 'an operator or function applied to operands of the wrong type',
  enum_value: 'a literal that the contract enum does not allow',
  invalid_literal: 'a literal that is not a valid number, instant, date, duration or regex',
  unsafe_regex: 'a pattern whose matching time can grow super-linearly (catastrophic backtracking)',
  unknown_placeholder: 'a `{placeholder}` in a reason names no fact',
  risk_config: 'risk tiers or routes are defined twice, or a route names no tier',
  delivery_without_key: 'an action that delivers its final decisions reads no idempotency key from the proposal, so a retried request would be delivered, and executed, twice',
  read_action_review: 'an action with side effects `read` could go to review (a review rule or route, `default`, `on_unknown` or `on_error` review); reads never queue',
  financial_without_reject: 'warning: a `financial` action approves by default and nothing rejects (no enforced reject rule, no route to reject)',
  unknown_action: 'a test or invariant names an action the registry does not define',
  unknown_rule: 'an exception relaxes a rule id that its action does not define',
  unguarded_optional: 'warning: a rule reads an optional or nullable member without an `exists` guard',
  unused: 'warning: a named condition, table or derived fact is never used',
  unguarded_divide: 'warning: a rule divides by a value the contract allows to be zero without a guard that it is not',
} as const;

export const RUNTIME_CODES = {
  unknown_action: 'the request names an action the policy does not define',
  invalid_now: 'the evaluation time is not an RFC 3339 date-time',
  unknown_contract_version: 'the request names a contract version the action does not serve',
  division_by_zero: 'a derived fact divided by zero',
  invalid_value: 'a fact value could not be read as its contract type',
  internal_error: 'the evaluator failed unexpectedly; the decision fails closed',
} as const;

export type CompileCode = keyof typeof COMPILE_CODES;

export interface SourceLoc { file: string; line: number; col: number }

export interface Diagnostic {
  code: CompileCode;
  severity: 'error' | 'warning';
  message: string;
  help?: string;
  loc?: SourceLoc;
}

/** `rules/refund.yaml:14:9: unknown_fact: message` followed by an indented `help:` line. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.loc ? `${d.loc.file}:${d.loc.line}:${d.loc.col}: ` : '';
  const level = d.severity === 'warning' ? 'warning: ' : '';
  return `${where}${level}${d.code}: ${d.message}${d.help ? `\n  help: ${d.help}` : ''}`;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.loc?.file ?? '', fb = b.loc?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  return (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
}

/** Collects diagnostics across compile stages; stages keep going after an error. */
export class Diagnostics {
  readonly list: Diagnostic[] = [];
  error(code: CompileCode, message: string, loc?: SourceLoc, help?: string): void {
    this.list.push({ code, severity: 'error', message, ...(loc ? { loc } : {}), ...(help ? { help } : {}) });
  }
  warn(code: CompileCode, message: string, loc?: SourceLoc, help?: string): void {
    this.list.push({ code, severity: 'warning', message, ...(loc ? { loc } : {}), ...(help ? { help } : {}) });
  }
  get errorCount(): number {
    return this.list.filter((d) => d.severity === 'error').length;
  }
  sorted(): Diagnostic[] {
    return [...this.list].sort(compareDiagnostics);
  }
}

/** The suggestion for a misspelt name: the closest candidate within a third of its length. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDist = Infinity;
  const limit = Math.max(2, Math.floor(name.length / 3));
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDist || (d === bestDist && best !== undefined && c < best)) { best = c; bestDist = d; }
  }
  return best !== undefined && bestDist <= limit ? best : undefined;
}

/** Optimal string alignment distance: Levenshtein plus transpositions. */
function distance(a: string, b: string): number {
  const rows = a.length + 1, cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((d[(i - 1) * cols + j] as number) + 1, (d[i * cols + j - 1] as number) + 1, (d[(i - 1) * cols + j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (d[(i - 2) * cols + j - 2] as number) + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1] as number;
}
