/** The workload's rule set as an Arbiter policy: a contract for the proposal and one rule file. */
import { dump } from 'js-yaml';
import { compilePolicy, formatDiagnostic, type CompiledPolicy } from '../../engine/index.js';
import type { Condition, Ruleset } from './types.js';

const OPERATOR: Record<Condition['op'], string> = {
  gt: 'greaterThan', gte: 'greaterThanInclusive', lt: 'lessThan', lte: 'lessThanInclusive', eq: 'equal', in: 'in',
};
const TYPE = { int: 'integer', decimal: 'number', string: 'string', bool: 'boolean' } as const;
const SCHEMA_2020 = 'https://json-schema.org/draft/2020-12/schema';

export const ACTION = 'refund';

function object(members: Record<string, object>) {
  return { type: 'object', additionalProperties: false, required: Object.keys(members), properties: members };
}

/** Every field rules read, with its type, plus the ids, timestamp and free text the proposals carry. */
export function contractOf(rs: Ruleset): object {
  const top: Record<string, object> = { proposal_id: { type: 'string' }, action: { type: 'string' }, created_at: { type: 'string', format: 'date-time' }, rationale: { type: 'string' } };
  const nested: Record<string, Record<string, object>> = { customer: { id: { type: 'string' } }, order: { id: { type: 'string' } } };
  for (const [path, t] of Object.entries(rs.fields)) {
    const [head, tail] = path.split('.') as [string, string | undefined];
    if (tail === undefined) top[head] = { type: TYPE[t] };
    else (nested[head] ??= {})[tail] = { type: TYPE[t] };
  }
  for (const [k, v] of Object.entries(nested)) top[k] = object(v);
  return { $schema: SCHEMA_2020, ...object(top) };
}

export function ruleFileOf(rs: Ruleset): string {
  return dump({
    version: 1,
    rules: rs.rules.map((r) => ({
      id: r.id, outcome: r.outcome,
      when: { all: r.when.map((c) => ({ fact: `proposal.${c.field}`, operator: OPERATOR[c.op], value: c.value })) },
    })),
  });
}

export function filesOf(rs: Ruleset): Map<string, string> {
  return new Map([
    ['rules.registry.yaml', dump({ version: 1, actions: { [ACTION]: { contract: 'refund_gate@1', rules: ['rules/refund.yaml'], side_effects: 'financial', default: 'approve' } } })],
    ['schemas/refund_gate/1.schema.json', JSON.stringify(contractOf(rs))],
    ['rules/refund.yaml', ruleFileOf(rs)],
  ]);
}

export function compileWorkload(rs: Ruleset): CompiledPolicy {
  const r = compilePolicy(filesOf(rs));
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return r.policy;
}
