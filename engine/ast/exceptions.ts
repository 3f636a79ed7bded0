/**
 * Parses an exceptions file: time-boxed, owned overrides of named rules, kept beside the rules
 * and reviewed like them.
 *
 *   exceptions:
 *     - id: refund.c19_above_limit
 *       relaxes: [refund.large_needs_person]
 *       when: { fact: proposal.order_id, operator: equal, value: o-8812 }
 *       expires: "2026-12-31T23:59:59Z"
 *       owner: payments
 *       granted_by: j.doe
 *       ticket: FIN-221
 *       reason: the customer's contract allows larger refunds until the year ends
 *
 * Every member is required: an exception nobody owns, or that never ends, is a rule change.
 */
import type { Diagnostics } from '../errors.js';
import { isScalarNode, locOf, readMap, readSeq, readString, type At } from '../source/yaml.js';
import { parseCondition } from './conditions.js';
import type { ExceptionAst, ExceptionFileAst } from './types.js';

const TOP_KEYS = ['version', 'description', 'exceptions'] as const;
const EXCEPTION_KEYS = ['id', 'relaxes', 'when', 'expires', 'owner', 'granted_by', 'ticket', 'reason'] as const;
const ID = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

export function parseExceptionFile(root: At, diags: Diagnostics): ExceptionFileAst | undefined {
  const top = readMap(root, 'an exceptions file', diags, TOP_KEYS, ['exceptions']);
  if (!top) return undefined;
  const out: ExceptionFileAst = { path: root.file.path, exceptions: [] };
  for (const e of readSeq(top.get('exceptions')!.value, '`exceptions`', diags) ?? []) {
    const x = parseException(e, diags);
    if (x) out.exceptions.push(x);
  }
  return out;
}

function parseException(a: At, diags: Diagnostics): ExceptionAst | undefined {
  const m = readMap(a, 'an exception', diags, EXCEPTION_KEYS, EXCEPTION_KEYS);
  if (!m) return undefined;
  const text = (key: (typeof EXCEPTION_KEYS)[number]) => readString(m.get(key)!.value, `exception \`${key}\``, diags);
  const id = text('id');
  if (id !== undefined && !ID.test(id)) diags.error('invalid_value', `id \`${id}\` may hold letters, digits, \`_\`, \`.\` and \`-\` only`, locOf(m.get('id')!.value));
  const relaxesAt = m.get('relaxes')!.value;
  const items = isScalarNode(relaxesAt) ? [relaxesAt] : readSeq(relaxesAt, 'exception `relaxes`', diags);
  const relaxes = (items ?? []).flatMap((r) => {
    const rule = readString(r, 'each of exception `relaxes`', diags);
    return rule === undefined ? [] : [{ id: rule, loc: locOf(r) }];
  });
  if (items && items.length === 0) diags.error('invalid_value', 'exception `relaxes` names no rule', locOf(relaxesAt), 'name the rules the exception relaxes, by id');
  const when = parseCondition(m.get('when')!.value, diags);
  const expires = text('expires');
  const owner = text('owner'), grantedBy = text('granted_by'), ticket = text('ticket'), reason = text('reason');
  if (id === undefined || !ID.test(id) || !items?.length || !when || expires === undefined || owner === undefined || grantedBy === undefined || ticket === undefined || reason === undefined) return undefined;
  return { id, loc: locOf(m.get('id')!.value), relaxes, when, expires: { text: expires, loc: locOf(m.get('expires')!.value) }, owner, grantedBy, ticket, reason };
}
