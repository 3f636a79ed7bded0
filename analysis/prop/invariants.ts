/**
 * Invariant files (`*.invariants.yaml`, beside the rules): what must hold for every proposal of
 * an action, checked by `arbiter prop` on generated inputs.
 *
 * ```yaml
 * action: refund_order
 * invariants:
 *   - id: over_total_is_rejected
 *     when: { fact: proposal.amount, operator: greaterThan, value: { fact: context.order.total } }
 *     always: reject                      # the outcome is reject (a list: one of them)
 *   - id: large_refunds_need_a_person
 *     when: { fact: proposal.amount, operator: greaterThan, value: 500 }
 *     never: approve
 *   - id: larger_refunds_are_never_safer
 *     monotonic: { fact: proposal.amount, stricter_as: increases }
 * fail_closed:
 *   exempt:
 *     - { fact: proposal.cc, because: "no cc means no outside recipient in cc" }
 * ```
 *
 * `when` is a condition in the rule language, compiled in the action's scope (derived facts and
 * named conditions included); an invariant applies where it is true. `monotonic` says that moving
 * the fact in the stated direction never moves the outcome toward approve. `fail_closed.exempt`
 * names optional members whose absence may be more lenient by design (the built-in fail-closed
 * property skips them).
 */
import type { Outcome } from '../../engine/internal.js';
import type { Cond, Val } from '../../engine/internal.js';
import { conditionCompiler } from '../../engine/internal.js';
import type { CompiledPolicy } from '../../engine/internal.js';
import type { PathStep } from '../../engine/internal.js';
import { describe, isOrdered } from '../../engine/internal.js';
import { didYouMean, type Diagnostics, type SourceLoc } from '../../engine/internal.js';
import { at, locOf, readEnum, readMap, readSeq, readString, YamlFile, type At } from '../../engine/internal.js';
import type { Root } from './input.js';

const OUTCOMES = ['approve', 'review', 'reject'] as const;

interface Common { id: string; loc: SourceLoc; description?: string; when?: Cond }

export type Invariant =
  | Common & { kind: 'always' | 'never'; outcomes: Outcome[] }
  | Common & { kind: 'monotonic'; fact: Read; stricterAs: 'increases' | 'decreases' };

/** A member of the proposal or the context, as a generator can change it. */
export interface Read { root: Root; steps: readonly PathStep[]; text: string; kind: 'number' | 'instant' | 'date'; integer: boolean; decimalString: boolean }

export interface Exemption { fact: string; root: Root; steps: readonly PathStep[]; because: string; loc: SourceLoc }

export interface InvariantFile { path: string; action: string; invariants: Invariant[]; exempt: Exemption[] }

export function parseInvariantFile(path: string, text: string, policy: CompiledPolicy, files: ReadonlyMap<string, string>, diags: Diagnostics): InvariantFile | undefined {
  const file = new YamlFile(path, text, diags);
  if (!file.root) return undefined;
  const top = readMap(at(file, file.root), 'an invariant file', diags, ['action', 'invariants', 'fail_closed'], ['action']);
  if (!top) return undefined;
  const actionAt = top.get('action')!.value;
  const name = readString(actionAt, '`action`', diags);
  if (name === undefined) return undefined;
  const action = policy.actions.get(name);
  if (!action) {
    const hint = didYouMean(name, policy.actions.keys());
    diags.error('unknown_action', `invariants name action \`${name}\`, which the registry does not define`, locOf(actionAt), hint ? `did you mean \`${hint}\`?` : undefined);
    return undefined;
  }
  const compile = conditionCompiler(files, action, diags);
  const invariants: Invariant[] = [];
  const ids = new Map<string, SourceLoc>();
  for (const item of (top.get('invariants') && readSeq(top.get('invariants')!.value, '`invariants`', diags)) ?? []) {
    const m = readMap(item, 'an invariant', diags, ['id', 'description', 'when', 'always', 'never', 'monotonic'], ['id']);
    const id = m && readString(m.get('id')!.value, 'invariant `id`', diags);
    if (!m || id === undefined) continue;
    const loc = locOf(item);
    const first = ids.get(id);
    if (first) { diags.error('duplicate_id', `invariant id \`${id}\` is already used at ${first.file}:${first.line}:${first.col}`, loc); continue; }
    ids.set(id, loc);
    const kinds = (['always', 'never', 'monotonic'] as const).filter((k) => m.has(k));
    if (kinds.length !== 1) {
      diags.error(kinds.length ? 'invalid_value' : 'missing_key', `invariant \`${id}\` needs exactly one of \`always\`, \`never\`, \`monotonic\``, loc);
      continue;
    }
    const who = `invariant \`${id}\``;
    const when = m.get('when') && compile.condition(m.get('when')!.value, who);
    if (m.has('when') && !when) continue;
    const description = m.get('description') && readString(m.get('description')!.value, '`description`', diags);
    const common: Common = { id, loc, ...(description !== undefined ? { description } : {}), ...(when ? { when } : {}) };
    const kind = kinds[0]!;
    if (kind === 'monotonic') {
      const mono = readMap(m.get('monotonic')!.value, '`monotonic`', diags, ['fact', 'stricter_as'], ['fact', 'stricter_as']);
      if (!mono) continue;
      const fact = readOf(compile.fact(mono.get('fact')!.value, who), mono.get('fact')!.value, who, diags);
      const stricterAs = readEnum(mono.get('stricter_as')!.value, '`stricter_as`', ['increases', 'decreases'] as const, diags);
      if (fact && stricterAs) invariants.push({ ...common, kind, fact, stricterAs });
    } else {
      const outcomes = outcomesOf(m.get(kind)!.value, `\`${kind}\``, diags);
      if (outcomes) invariants.push({ ...common, kind, outcomes });
    }
  }
  const exempt: Exemption[] = [];
  const fc = top.get('fail_closed') && readMap(top.get('fail_closed')!.value, '`fail_closed`', diags, ['exempt'], ['exempt']);
  for (const e of (fc && readSeq(fc.get('exempt')!.value, '`exempt`', diags)) ?? []) {
    const m = readMap(e, 'an exemption', diags, ['fact', 'because'], ['fact', 'because']);
    if (!m) continue;
    const v = compile.fact(m.get('fact')!.value, 'a fail-closed exemption');
    const because = readString(m.get('because')!.value, '`because`', diags);
    if (!v || because === undefined) continue;
    if (v.k !== 'read' || v.root === 'item' || !v.slot.optional) {
      diags.error('invalid_value', `a fail-closed exemption names an optional member of the proposal or the context; \`${v.text}\` is not one`, locOf(m.get('fact')!.value));
      continue;
    }
    exempt.push({ fact: v.text, root: v.root, steps: v.steps, because, loc: locOf(e) });
  }
  return { path, action: name, invariants, exempt };
}

/** A fact that `monotonic` can move: a member of the proposal or context that orders. */
function readOf(v: Val | undefined, a: At, who: string, diags: Diagnostics): Read | undefined {
  if (!v) return undefined;
  const t = v.slot.type;
  if (v.k !== 'read' || v.root === 'item' || !isOrdered(t) || t.kind === 'duration' || t.kind === 'any' || v.steps.some((s) => typeof s === 'number')) {
    diags.error('type_mismatch', `${who}: \`monotonic\` moves a number, instant or date member of the proposal or the context; \`${v.text}\` is ${v.k === 'read' ? describe(t) : 'computed'}`,
      locOf(a), v.k === 'read' ? undefined : 'name the member it is computed from');
    return undefined;
  }
  return {
    root: v.root, steps: v.steps, text: v.text, kind: t.kind as Read['kind'],
    integer: t.kind === 'number' && t.integer === true, decimalString: t.kind === 'number' && t.decimalString === true,
  };
}

function outcomesOf(a: At, what: string, diags: Diagnostics): Outcome[] | undefined {
  const items = Array.isArray(a.node.value) ? readSeq(a, what, diags) ?? [] : [a];
  const out = items.map((x) => readEnum(x, what, OUTCOMES, diags));
  return out.length && out.every((o) => o !== undefined) ? (out as Outcome[]) : undefined;
}
