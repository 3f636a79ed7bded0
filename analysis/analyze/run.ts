/**
 * `arbiter analyze`'s findings for one action:
 * - never_fires (error): no input satisfies a rule's condition, given its contracts;
 * - shadowed (warning): whenever a rule fires, a rule with an equal or stronger outcome fires
 *   too, so it never changes an outcome;
 * - always_true / never_true (warning): a comparison that every value the contract allows passes
 *   (or fails); always_fires (warning): a rule that fires on every input with its facts present;
 * - overlap (info): two rules with different outcomes that can fire on the same input;
 * - gap (info): on an action with side effects that approves by default, inputs no rule fires on;
 * - exception_never_applies (warning): an exception that has expired by `now`, whose condition no
 *   input satisfies, or that holds on no input where a rule it relaxes fires.
 * Each is proven on the exact fragment (see formula.ts). Where a condition falls outside it,
 * never_fires and gap fall back to sampling inputs from the contracts, and say so; examples are
 * checked by evaluating the rules on a concrete input.
 */
import fc from 'fast-check';
import type { Cond, Rule } from '../../engine/internal.js';
import type { CompiledAction } from '../../engine/internal.js';
import { conditionStatus, requestEnv } from '../../engine/internal.js';
import { SEVERITY } from '../../engine/internal.js';
import { F, T, type Status } from '../../engine/internal.js';
import type { SourceLoc } from '../../engine/internal.js';
import { parseInstant } from '../../engine/internal.js';
import { edited, requestOf, validInput, type Input } from '../prop/input.js';
import { inputArbitrary } from '../prop/run.js';
import { getAt } from '../prop/schema.js';
import { intersect, isEmpty, Numbers, type Constraint } from './domain.js';
import { describe, EVERYTHING, Space, TooComplex, type Conj, type Region } from './formula.js';

export type Severity = 'error' | 'warning' | 'info';
export type Kind = 'never_fires' | 'always_fires' | 'always_true' | 'never_true' | 'shadowed' | 'overlap' | 'gap' | 'exception_never_applies';

export interface Finding {
  action: string;
  severity: Severity;
  kind: Kind;
  rule?: string;
  loc?: SourceLoc;
  message: string;
  /** proven on the exact fragment, or found by sampling generated inputs */
  method: 'exact' | 'sampled';
  /** facts of an input that shows it (`absent` for a missing fact) */
  example?: Record<string, unknown>;
  related?: string[];
}

export interface AnalyzeOptions { samples: number; seed: number; now: string; listed: number }

const SEVERITY_OF: Record<Kind, Severity> = {
  never_fires: 'error', shadowed: 'warning', always_true: 'warning', never_true: 'warning', always_fires: 'warning', overlap: 'info', gap: 'info',
  exception_never_applies: 'warning',
};
const HIGH_RISK = new Set(['financial', 'irreversible_write', 'external_message']);

/** Records a finding; its severity is the kind's unless given. */
type Add = (f: Omit<Finding, 'action' | 'severity'> & { severity?: Severity }) => void;

export function analyzeAction(action: CompiledAction, o: AnalyzeOptions): { findings: Finding[]; unlisted: number } {
  const space = new Space();
  const findings: Finding[] = [];
  const add: Add = (f) => findings.push({ action: action.name, severity: f.severity ?? SEVERITY_OF[f.kind], ...f });
  const rules = action.rules;
  const fires = rules.map((r) => safe(() => space.region(r.when, 'T')));
  const opaque = (r: Region | undefined) => r === undefined || r.some((c) => [...c.keys()].some((k) => space.facts.get(k)!.opaque));

  comparisons(action, space, add);

  // Sampled inputs, with every rule's status: for conditions outside the fragment. A few inputs
  // without statuses are enough to build examples on.
  let samples: { input: Input; statuses: Status[] }[] | undefined;
  const sampled = () => (samples ??= sample(action, o));
  let few: Input[] | undefined;
  const bases = () => (few ??= fc.sample(inputArbitrary(action, [], o.now), { numRuns: 20, seed: o.seed }).filter((x) => validInput(action, x)));

  rules.forEach((r, i) => {
    const t = fires[i];
    if (t && t.length === 0) {
      add({ kind: 'never_fires', rule: r.id, loc: r.loc, method: 'exact', message: `rule \`${r.id}\` can never fire: ${contradiction(space, r)}` });
    } else if (opaque(t) && !sampled().some((s) => s.statuses[i] === T)) {
      const why = [...new Set((t ?? []).flatMap((c) => [...c.keys()].map((k) => space.facts.get(k)!.opaque).filter(Boolean)))];
      add({ kind: 'never_fires', severity: 'warning', rule: r.id, loc: r.loc, method: 'sampled',
        message: `rule \`${r.id}\` did not fire on any of ${sampled().length.toLocaleString('en-US')} generated inputs; ${why.length ? `it reads ${why.join(', ')}, which` : 'its condition is too large to reason about exactly, so it'} was sampled, not proven` });
    } else if (t && !opaque(t)) {
      const f = safe(() => space.region(r.when, 'F'));
      if (f && f.length === 0) add({ kind: 'always_fires', rule: r.id, loc: r.loc, method: 'exact', message: `rule \`${r.id}\` fires on every input that has the facts it reads` });
    }
  });

  const enforced: Fired[] = rules.flatMap((r, i) => {
    const t = fires[i];
    return r.mode === 'enforce' && t && t.length > 0 ? [{ r, t, facts: new Set(t.flatMap((c) => [...c.keys()])) }] : [];
  });
  const shadowed = shadowing(space, enforced, add);

  // Rules about different facts overlap as a matter of course; rules about the same fact that
  // disagree are worth a look.
  let listed = 0, unlisted = 0;
  for (const a of enforced) {
    for (const b of enforced) {
      if (SEVERITY[a.r.outcome] <= SEVERITY[b.r.outcome] || shadowed.has(`${b.r.id} ${a.r.id}`)) continue;
      const shared = [...b.facts].filter((k) => a.facts.has(k));
      if (!shared.length) continue;
      const both = safe(() => space.and([a.t, b.t]));
      if (!both?.length) continue;
      if (listed >= o.listed && !opaque(both)) { unlisted++; continue; }
      const example = listed < o.listed ? witness(action, space, both, bases(), [a.r, b.r], (s) => s[0] === T && s[1] === T, o.now) : undefined;
      // With an opaque condition in the region, only a checked example shows the overlap is real.
      if (!example && opaque(both)) continue;
      listed++;
      add({ kind: 'overlap', rule: b.r.id, loc: b.r.loc, method: 'exact', related: [a.r.id], ...(example ? { example } : {}),
        message: `rules \`${a.r.id}\` (${a.r.outcome}) and \`${b.r.id}\` (${b.r.outcome}) both fire on some inputs, where ${a.r.outcome} wins; they both read ${shared.map((k) => `\`${space.facts.get(k)!.text}\``).join(', ')}` });
    }
  }

  if (HIGH_RISK.has(action.sideEffects) && action.default === 'approve') gap(action, space, enforced, bases(), sampled, add, o.now);
  exceptions(action, space, fires, o.now, add);
  return { findings, unlisted };
}

/** Exceptions that can never apply: expired by `now`, or (exactly, where the conditions are in the fragment) holding nowhere a rule they relax fires. */
function exceptions(action: CompiledAction, space: Space, fires: readonly (Region | undefined)[], now: string, add: Add): void {
  const at = parseInstant(now);
  for (const x of action.exceptions) {
    const found = (message: string) => add({ kind: 'exception_never_applies', rule: x.id, loc: x.loc, method: 'exact', related: x.relaxes.map((i) => action.rules[i]!.id), message });
    if (at && at.cmp(x.expires) >= 0) { found(`exception \`${x.id}\` expired at ${x.expiresText}, before ${now}`); continue; }
    const holds = safe(() => space.region(x.when, 'T'));
    if (holds?.length === 0) { found(`exception \`${x.id}\` can never apply: no input satisfies its condition`); continue; }
    const relaxed = x.relaxes.map((i) => fires[i]);
    if (!holds || relaxed.some((r) => r === undefined)) continue;
    const meets = safe(() => space.and([holds, relaxed.flatMap((r) => r!)]));
    if (meets?.length === 0) found(`exception \`${x.id}\` can never apply: its condition holds on no input where ${relaxed.length > 1 ? 'a rule it relaxes fires' : `\`${action.rules[x.relaxes[0]!]!.id}\` fires`}`);
  }
}

interface Fired { r: Rule; t: Region; facts: Set<string> }

/** Rules that never change an outcome: whenever they fire, a rule at least as strong fires too. */
function shadowing(space: Space, enforced: readonly Fired[], add: Add): Set<string> {
  const seen = new Set<string>();
  for (const b of enforced) {
    const stronger = enforced.filter((a) => a !== b && SEVERITY[a.r.outcome] >= SEVERITY[b.r.outcome]);
    // A rule of one conjunction can cover B only if it constrains nothing B leaves free.
    const one = stronger.find((a) => (a.t.length > 1 || [...a.facts].every((k) => b.facts.has(k))) && safe(() => space.minus(b.t, a.t))?.length === 0);
    let by = one ? [one] : undefined;
    if (!by) {
      // Or a few rules together, each overlapping it; past six, the search stops.
      const near: Fired[] = [];
      for (const a of stronger) {
        if (![...a.facts].some((k) => b.facts.has(k)) || !safe(() => space.and([a.t, b.t]))?.length) continue;
        near.push(a);
        if (near.length > 6) break;
      }
      if (near.length >= 2 && near.length <= 6 && safe(() => space.minus(b.t, near.flatMap((a) => a.t)))?.length === 0) by = near;
    }
    if (!by) continue;
    for (const a of by) seen.add(`${b.r.id} ${a.r.id}`);
    const names = by.map((a) => `\`${a.r.id}\` (${a.r.outcome})`).join(' and ');
    add({ kind: 'shadowed', rule: b.r.id, loc: b.r.loc, method: 'exact', related: by.map((a) => a.r.id),
      message: `rule \`${b.r.id}\` (${b.r.outcome}) is shadowed: whenever it fires, ${names} ${by.length > 1 ? 'fire' : 'fires'} too, so it never changes an outcome` });
  }
  return seen;
}

/** Inputs that no enforced rule fires on, for an action that then approves by default. */
function gap(action: CompiledAction, space: Space, enforced: readonly Fired[], bases: readonly Input[], sampled: () => { input: Input; statuses: Status[] }[],
  add: Add, now: string): void {
  const rest = safe(() => space.minus(EVERYTHING, enforced.flatMap((x) => x.t)));
  if (rest?.length === 0) return;
  const rules = enforced.map((x) => x.r);
  const example = rest ? witness(action, space, rest, bases, rules, (s) => s.every((x) => x === F), now) : undefined;
  const found = example ?? sampledExample(space, sampled(), (s) => rules.every((r) => s[r.index] === F));
  if (!found) return;
  add({ kind: 'gap', method: example ? 'exact' : 'sampled', example: found,
    message: `no rule fires on some inputs of this ${action.sideEffects.replace(/_/g, ' ')} action, which then approves by default; check that these should be approved` });
}

function safe<T>(f: () => T): T | undefined {
  try { return f(); } catch (e) { if (e instanceof TooComplex) return undefined; throw e; }
}

/** Comparisons that every allowed value passes, or none does. */
function comparisons(action: CompiledAction, space: Space, add: Add): void {
  const seen = new Set<string>();
  const visit = (c: Cond, owner: string): void => {
    if (c.k === 'all' || c.k === 'any') return c.items.forEach((x) => visit(x, owner));
    if (c.k === 'not' || c.k === 'ref') return visit(c.item, owner);
    if (c.k !== 'leaf' || c.op.name === 'exists' || c.op.name === 'missing') return;
    const lit = space.literal(c);
    const key = `${c.loc.file}:${c.loc.line}:${c.loc.col}`;
    if (lit.fact.opaque || seen.has(key)) return;
    seen.add(key);
    const allowed = lit.fact.universe.present.toString();
    if (lit.T.present.empty) add({ kind: 'never_true', rule: owner, loc: c.loc, method: 'exact', message: `\`${describe(c)}\` is never true: the contract allows \`${lit.fact.text}\` only ${allowed}` });
    else if (lit.F.present.empty) add({ kind: 'always_true', rule: owner, loc: c.loc, method: 'exact', message: `\`${describe(c)}\` is always true when \`${lit.fact.text}\` is present: the contract allows only ${allowed}` });
  };
  for (const r of action.rules) visit(r.when, r.id);
  for (const s of action.risk.signals) visit(s.when, s.id);
}

/** Why a rule's condition is empty: a fact its comparisons leave no value for, when there is one. */
function contradiction(space: Space, r: Rule): string {
  const byFact = new Map<string, { c: Constraint; texts: string[] }>();
  const visit = (c: Cond, positive: boolean): void => {
    if (c.k === 'all' && positive) return c.items.forEach((x) => visit(x, true));
    if (c.k === 'ref') return visit(c.item, positive);
    if (c.k !== 'leaf') return;
    const lit = space.literal(c);
    if (lit.fact.opaque) return;
    const prev = byFact.get(lit.fact.key);
    const next = prev ? intersect(prev.c, lit.T) : intersect(lit.fact.universe, lit.T);
    byFact.set(lit.fact.key, { c: next, texts: [...(prev?.texts ?? []), `${c.op.name}${c.right ? ` ${c.right.text}` : ''}`] });
  };
  visit(r.when, true);
  for (const [key, { c, texts }] of byFact) {
    if (isEmpty(c)) {
      const f = space.facts.get(key)!;
      return texts.length > 1 ? `\`${f.text}\` cannot be ${texts.join(' and ')} at once${boundsNote(f.universe)}` : `\`${f.text}\` is never ${texts[0]}${boundsNote(f.universe)}`;
    }
  }
  return 'every branch of its condition contradicts itself or the contract';
}

function boundsNote(u: Constraint): string {
  return u.present instanceof Numbers && u.present.ivs.some((iv) => Number.isFinite(iv.lo) || Number.isFinite(iv.hi)) ? ` (the contract allows ${u.present.toString()})` : '';
}

/** Generated inputs with every rule's status on each. */
function sample(action: CompiledAction, o: AnalyzeOptions): { input: Input; statuses: Status[] }[] {
  return fc.sample(inputArbitrary(action, [], o.now), { numRuns: o.samples, seed: o.seed }).flatMap((input) => {
    if (!validInput(action, input)) return [];
    // The generated evaluator reports every rule whose condition is not false.
    const hits: number[] = [];
    action.evaluate(requestEnv(action, requestOf(action, input, o.now)), hits);
    const statuses: Status[] = action.rules.map(() => F);
    for (let i = 0; i < hits.length; i += 2) if (hits[i]! < statuses.length) statuses[hits[i]!] = hits[i + 1] as Status;
    return [{ input, statuses }];
  });
}

/**
 * An example for a region: a generated input with the region's facts set to values inside it,
 * kept only if `rules`, evaluated on it, do what `holds` says. Undefined when no such input was made.
 */
function witness(action: CompiledAction, space: Space, region: Region, bases: readonly Input[], rules: readonly Rule[], holds: (s: Status[]) => boolean, now: string): Record<string, unknown> | undefined {
  const whens = rules.map((r) => r.when);
  for (const conj of region.slice(0, 5)) {
    for (const base of bases) {
      // An absent fact is a missing member, or null where the contract requires the member.
      for (const absent of [undefined, null]) {
        const input = assign(space, conj, base, absent);
        if (!input || !validInput(action, input)) continue;
        if (holds(conditionStatus(action, whens, requestOf(action, input, now)))) return shown(space, conj);
      }
    }
  }
  return undefined;
}

function sampledExample(space: Space, samples: { input: Input; statuses: Status[] }[], holds: (s: Status[]) => boolean): Record<string, unknown> | undefined {
  const hit = samples.find((s) => holds(s.statuses));
  if (!hit) return undefined;
  const out: Record<string, unknown> = {};
  for (const f of space.facts.values()) {
    if (!f.read) continue;
    const v = getAt(hit.input[f.read.root], f.read.steps);
    out[f.text] = v === undefined || v === null ? 'absent' : v;
  }
  return out;
}

/** The input with each fact of the conjunction set to a value its constraint allows. */
function assign(space: Space, conj: Conj, base: Input, absent: undefined | null): Input | undefined {
  let x: Input = base;
  for (const [key, c] of conj) {
    const f = space.facts.get(key)!;
    if (!f.read) continue;
    const next = edited(x, f.read.root, f.read.steps, c.present.empty ? absent : c.present.pick());
    if (!next) return undefined;
    x = next;
  }
  return x;
}

function shown(space: Space, conj: Conj): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, c] of conj) {
    const f = space.facts.get(key)!;
    if (!f.read) continue;
    out[f.text] = c.present.empty ? 'absent' : c.present.pick();
  }
  return out;
}
