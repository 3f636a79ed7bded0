/**
 * Mutants of a rule set: small, plausible mistakes planted one at a time, each of which a good
 * test suite notices.
 * - a comparison flipped: `>` ↔ `>=`, `<` ↔ `<=`, `=` ↔ `≠`, `in` ↔ `notIn`, `contains` ↔
 *   `doesNotContain`, `exists` ↔ `missing`;
 * - a numeric literal moved one unit down and up, and one step of the compared member (its
 *   `multipleOf`; 0.01 when it has none) when that is smaller; a duration moved by one unit;
 * - one condition dropped from an `all` or an `any` of two or more;
 * - an outcome weakened: reject → review, and review → shadow (no longer applied).
 * Mutants are made on the parsed rule file and written back as YAML; their positions are those of
 * the original file.
 */
import { CORE_SCHEMA, dump } from 'js-yaml';
import type { Cond } from '../../engine/internal.js';
import type { CompiledAction } from '../../engine/internal.js';
import { Diagnostics, type SourceLoc } from '../../engine/internal.js';
import { YamlFile, type Span } from '../../engine/internal.js';
import { isObject } from '../../engine/internal.js';
import { memberStep } from '../prop/input.js';
import { placesOf } from '../prop/schema.js';

export interface Mutant {
  file: string;
  loc: SourceLoc;
  /** the rule (or named condition) it changes */
  owner: string;
  change: string;
  /** the rule file's text with the mutation */
  text: string;
}

const FLIP: Record<string, string> = {
  greaterThan: 'greaterThanInclusive', greaterThanInclusive: 'greaterThan', lessThan: 'lessThanInclusive', lessThanInclusive: 'lessThan',
  equal: 'notEqual', notEqual: 'equal', in: 'notIn', notIn: 'in', contains: 'doesNotContain', doesNotContain: 'contains', exists: 'missing', missing: 'exists',
};

type Path = (string | number)[];

/** Every mutant of the rule files the actions use. */
export function mutantsOf(files: ReadonlyMap<string, string>, actions: readonly CompiledAction[]): Mutant[] {
  const out: Mutant[] = [];
  const steps = stepsByLeaf(actions);
  for (const path of [...new Set(actions.flatMap((a) => a.ruleFiles))]) {
    const file = new YamlFile(path, files.get(path) ?? '', new Diagnostics());
    if (!file.root) continue;
    const doc = file.root.value;
    const make = (owner: string, at: Span, change: string, edit: (d: unknown) => void) => {
      const copy = structuredClone(doc);
      edit(copy);
      out.push({ file: path, loc: file.loc(at.start), owner, change, text: dump(copy, { schema: CORE_SCHEMA, lineWidth: -1, noRefs: true }) });
    };
    const rules = child(file.root, 'rules');
    rules?.kids.forEach((rule, i) => {
      const id = String(child(rule, 'id')?.value ?? `#${i + 1}`);
      const outcome = child(rule, 'outcome');
      if (outcome?.value === 'reject') make(id, outcome, 'reject → review', (d) => { at(d, ['rules', i])!.outcome = 'review'; });
      if (outcome?.value === 'review' && child(rule, 'mode')?.value !== 'shadow') make(id, outcome, 'review → shadow (not applied)', (d) => { at(d, ['rules', i])!.mode = 'shadow'; });
      const when = child(rule, 'when');
      if (when) conditions(when, ['rules', i, 'when'], id, file, steps, make);
    });
    const named = child(file.root, 'conditions');
    for (let k = 0; named && k + 1 < named.kids.length; k += 2) {
      const name = String(named.kids[k]!.value);
      conditions(named.kids[k + 1]!, ['conditions', name], `condition \`${name}\``, file, steps, make);
    }
  }
  return out;
}

type Make = (owner: string, at: Span, change: string, edit: (d: unknown) => void) => void;

function conditions(span: Span, path: Path, owner: string, file: YamlFile, steps: Map<string, number>, make: Make): void {
  const v = span.value;
  if (!isObject(v)) return;
  for (const form of ['all', 'any'] as const) {
    const list = child(span, form);
    if (!list) continue;
    list.kids.forEach((item, j) => {
      if (list.kids.length >= 2) make(owner, item, `drops a condition from \`${form}\``, (d) => { (at(d, [...path, form]) as unknown as unknown[]).splice(j, 1); });
      conditions(item, [...path, form, j], owner, file, steps, make);
    });
  }
  for (const key of ['not', 'where']) {
    const inner = child(span, key);
    if (inner) conditions(inner, [...path, key], owner, file, steps, make);
  }
  const op = child(span, 'operator');
  if (typeof op?.value === 'string' && FLIP[op.value]) {
    const to = FLIP[op.value]!;
    make(owner, op, `${op.value} → ${to}`, (d) => { at(d, path)!.operator = to; });
  }
  const value = child(span, 'value');
  if (typeof value?.value === 'number') {
    const n = value.value;
    const loc = file.loc(span.start);
    const step = steps.get(`${loc.file}:${loc.line}:${loc.col}`) ?? 0.01;
    const moves = new Set([1, -1, ...(step < 1 ? [step, -step] : [])]);
    for (const d of moves) {
      const to = Number((n + d).toFixed(Math.max(placesOf(Math.abs(d)), placesOf(step))));
      make(owner, value, `${n} → ${to}`, (doc) => { at(doc, path)!.value = to; });
    }
  }
  const duration = value && child(value, 'duration');
  const m = typeof duration?.value === 'string' ? /^(\d+)([dhms])$/.exec(duration.value) : null;
  if (duration && m) {
    for (const d of [1, -1]) {
      const to = `${Number(m[1]) + d}${m[2]}`;
      if (Number(m[1]) + d >= 0) make(owner, duration, `${duration.value as string} → ${to}`, (doc) => { (at(doc, [...path, 'value']) as Record<string, unknown>).duration = to; });
    }
  }
}

/** The step of the member each leaf compares, by the leaf's position. */
function stepsByLeaf(actions: readonly CompiledAction[]): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (a: CompiledAction, c: Cond): void => {
    switch (c.k) {
      case 'all': case 'any': c.items.forEach((x) => visit(a, x)); return;
      case 'not': case 'ref': visit(a, c.item); return;
      case 'quant': visit(a, c.where); return;
      case 'leaf': {
        const left = c.left, t = left.slot.type;
        if (t.kind !== 'number') return;
        const step = left.k === 'read' && left.root !== 'item' ? memberStep(a, left.root, left.steps.map(String)) : t.integer ? 1 : 0.01;
        out.set(`${c.loc.file}:${c.loc.line}:${c.loc.col}`, step);
      }
    }
  };
  for (const a of actions) for (const r of a.rules) visit(a, r.when);
  return out;
}

function child(span: Span, key: string): Span | undefined {
  if (!isObject(span.value)) return undefined;
  for (let i = 0; i + 1 < span.kids.length; i += 2) if (span.kids[i]!.value === key) return span.kids[i + 1];
  return undefined;
}

function at(doc: unknown, path: Path): Record<string, unknown> | undefined {
  let o = doc;
  for (const p of path) o = (o as Record<string | number, unknown> | undefined)?.[p];
  return isObject(o) || Array.isArray(o) ? (o as Record<string, unknown>) : undefined;
}

