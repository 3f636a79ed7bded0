/**
 * Parses an upgrade file, `schemas/<id>/<version>.upgrade.yaml`: how a proposal of an older
 * contract version becomes one of the next. A small vocabulary, declared rather than coded, so
 * `arbiter check` can prove what an upgrade produces from the two schemas alone.
 *
 * ```yaml
 * to: refund_order@2
 * steps:
 *   - rename: { at: /comment, to: note }
 *   - default: { at: /refund_method, value: original_payment }
 *   - map: { at: /reason, values: { broken: damaged } }
 *   - move: { from: /customer_email, to: /customer/email }
 *   - drop: /legacy_flag
 * ```
 */
import type { Diagnostics } from '../errors.js';
import { isScalarNode, locOf, plain, readMap, readSeq, readString, type At } from '../source/yaml.js';
import { contractRef } from './registry.js';
import type { UpgradeAst, UpgradeStepAst } from './types.js';

const TOP_KEYS = ['to', 'steps'] as const;
const ARGS: Record<string, readonly string[]> = { rename: ['at', 'to'], move: ['from', 'to'], default: ['at', 'value'], map: ['at', 'values'] };
const OPS = [...Object.keys(ARGS), 'drop'];
const MEMBER_NAME = /^[^/]+$/;

export function parseUpgrade(root: At, diags: Diagnostics): UpgradeAst | undefined {
  const top = readMap(root, 'an upgrade file', diags, TOP_KEYS, ['to', 'steps']);
  if (!top) return undefined;
  const to = contractRef(top.get('to')!.value, diags);
  const steps: UpgradeStepAst[] = [];
  for (const s of readSeq(top.get('steps')!.value, 'upgrade `steps`', diags) ?? []) {
    const step = parseStep(s, diags);
    if (step) steps.push(step);
  }
  return to && { path: root.file.path, to, steps };
}

function parseStep(a: At, diags: Diagnostics): UpgradeStepAst | undefined {
  const m = readMap(a, 'an upgrade step', diags, OPS);
  if (!m) return undefined;
  if (m.size !== 1) {
    if (m.size > 1) diags.error('invalid_value', `an upgrade step does one thing: \`${[...m.keys()].join('`, `')}\` are separate steps`, locOf(a));
    // A step whose only key is unknown has had its error.
    else if (a.node.kids.length === 0) diags.error('missing_key', `an upgrade step needs one of ${OPS.map((o) => `\`${o}\``).join(', ')}`, locOf(a));
    return undefined;
  }
  const [op, entry] = [...m][0]!;
  const loc = locOf(entry.keyAt);
  if (op === 'drop') {
    const at = pointer(entry.value, '`drop`', diags);
    return at === undefined ? undefined : { op, at, loc };
  }
  const args = readMap(entry.value, `\`${op}\``, diags, ARGS[op], ARGS[op]);
  if (!args) return undefined;
  const arg = (k: string) => args.get(k)!.value;
  switch (op) {
    case 'rename': {
      const at = pointer(arg('at'), '`rename` `at`', diags);
      const to = readString(arg('to'), '`rename` `to`', diags);
      if (to !== undefined && !MEMBER_NAME.test(to)) {
        diags.error('invalid_value', `\`rename\` \`to\` is the member's new name, such as \`note\`, not \`${to}\``, locOf(arg('to')), 'to move a member elsewhere, use `move: { from: …, to: … }`');
        return undefined;
      }
      return at === undefined || to === undefined ? undefined : { op, at, to, loc };
    }
    case 'move': {
      const from = pointer(arg('from'), '`move` `from`', diags);
      const to = pointer(arg('to'), '`move` `to`', diags);
      return from === undefined || to === undefined ? undefined : { op, from, to, loc };
    }
    case 'default': {
      const at = pointer(arg('at'), '`default` `at`', diags);
      return at === undefined ? undefined : { op, at, value: plain(arg('value')), loc };
    }
    default: {
      const at = pointer(arg('at'), '`map` `at`', diags);
      const pairs = readMap(arg('values'), '`map` `values`', diags);
      if (!pairs) return undefined;
      const values = new Map<string, unknown>();
      for (const [from, e] of pairs) {
        if (!isScalarNode(e.value)) diags.error('invalid_value', `\`map\` turns one value into another: \`${from}\` maps to a list or mapping`, locOf(e.value));
        else values.set(from, plain(e.value));
      }
      return at === undefined ? undefined : { op: 'map', at, values, loc };
    }
  }
}

/** A JSON Pointer to a member: not the whole document. */
function pointer(a: At, what: string, diags: Diagnostics): string | undefined {
  const p = readString(a, what, diags);
  if (p !== undefined && (!p.startsWith('/') || p === '/')) {
    diags.error('invalid_pointer', `${what} must be a JSON Pointer to a member, such as \`/refund_method\`, not \`${p}\``, locOf(a));
    return undefined;
  }
  return p;
}
