/**
 * A compiled policy as data that can cross to another thread, and back: a reload's worker thread
 * compiles and tests the candidate and sends it in this form, and the gate's event loop only
 * rebuilds what a structured clone cannot carry, instead of compiling the policy again.
 *
 * A compiled action is plain data (objects, arrays, Maps, Sets, patterns) except for four kinds of
 * value. Operator and function definitions travel by name, exact numbers by numerator and
 * denominator: each is replaced by a Ref, and `places` lists every member that holds one. A
 * structured clone keeps object identity within a message, so the receiver puts the values back
 * in those members without walking the whole policy, and no literal a policy writes
 * (`{ value: { operator: equal } }`) can pass for a Ref. Contract validators are compiled again by
 * ajv from their schemas, in the order compilePolicy compiled them, and the evaluator is
 * instantiated from the generated source and its constants (instantiate.ts). Any other kind of
 * object is refused, so a new one in the compiled form fails here instead of arriving changed.
 */
import { contractAjv } from '../contracts/load.js';
import { compileValidator } from '../contracts/validate.js';
import { FUNCTIONS } from '../functions/index.js';
import { OPERATORS } from '../operators/index.js';
import { Rational } from '../values/rational.js';
import { ENGINE_VERSION } from '../version.js';
import { instantiateAction, type ActionParts } from './instantiate.js';
import type { CompiledAction, CompiledPolicy, ContractUse, ServedContract } from './policy.js';

type Ref = { operator: string } | { function: string } | { rational: readonly [bigint, bigint] };
/** A member that holds a Ref: an object or array and its key, or a Map and its key. */
type Place = readonly [object, string | number, Ref];

export interface PortablePolicy {
  readonly revision: string;
  readonly engineVersion: string;
  /** each action without its evaluator, with its contracts (every version served) without their validators */
  readonly actions: readonly object[];
  readonly places: readonly Place[];
}

type ContractData = Omit<ContractUse, 'validate'>;
type ActionData = Omit<ActionParts, 'contract' | 'context' | 'versions'> & { contract: ContractData; context?: ContractData; versions: Map<string, Omit<ServedContract, 'use'> & { use: ContractData }> };

const DEFS = new Map<object, Ref>([
  ...[...OPERATORS.values()].map((d): [object, Ref] => [d, { operator: d.name }]),
  ...[...FUNCTIONS.values()].map((d): [object, Ref] => [d, { function: d.name }]),
]);

export function toPortable(policy: CompiledPolicy): PortablePolicy {
  const copier = new Copier();
  // Actions share contracts; each is copied once, so the receiver compiles each once.
  const bare = new Map<ContractUse, Record<string, unknown>>();
  const strip = (c: ContractUse) => {
    if (!bare.has(c)) bare.set(c, without(c, 'validate'));
    return bare.get(c);
  };
  const actions = [...policy.actions.values()].map((a) => {
    const data = without(a, 'evaluate');
    data.contract = strip(a.contract);
    if (a.context) data.context = strip(a.context);
    data.versions = new Map([...a.versions].map(([ref, v]) => [ref, { ...v, use: strip(v.use) }]));
    return copier.copy(data) as object;
  });
  return { revision: policy.revision, engineVersion: policy.engineVersion, actions, places: copier.places };
}

/** Consumes `p`: the objects it holds become parts of the policy. */
export function fromPortable(p: PortablePolicy): CompiledPolicy {
  if (p.engineVersion !== ENGINE_VERSION) throw new Error(`the policy was compiled by engine ${p.engineVersion}, not ${ENGINE_VERSION}`);
  const values = new Map<Ref, unknown>();
  for (const [holder, key, ref] of p.places) {
    if (!values.has(ref)) values.set(ref, valueOf(ref));
    // defineProperty, not assignment: a member named `__proto__` must stay a member.
    if (holder instanceof Map) holder.set(key, values.get(ref));
    else Object.defineProperty(holder, key, { value: values.get(ref) });
  }
  const ajv = contractAjv();
  const contracts = new Map<ContractData, ContractUse>();
  const contract = (c: ContractData): ContractUse => {
    if (!contracts.has(c)) contracts.set(c, { ...c, validate: compileValidator(ajv, c.schema) });
    return contracts.get(c)!;
  };
  const actions = new Map<string, CompiledAction>();
  for (const data of p.actions) {
    const a = data as ActionData;
    // Spread first, so the contracts keep their places among the members.
    const versions = new Map([...a.versions].map(([ref, v]) => [ref, { ...v, use: contract(v.use) }]));
    const { context, ...rest } = a;
    const parts: ActionParts = { ...rest, contract: contract(a.contract), versions, ...(context ? { context: contract(context) } : {}) };
    actions.set(a.name, instantiateAction(parts));
  }
  return Object.freeze({ revision: p.revision, engineVersion: p.engineVersion, actions });
}

/** A deep copy that keeps shared objects shared and puts a Ref where a definition or an exact number was. */
class Copier {
  readonly places: Place[] = [];
  private readonly copies = new Map<object, unknown>();
  private readonly refs = new Set<unknown>();

  copy(v: unknown): unknown {
    if (typeof v === 'function') throw new TypeError(`a compiled policy cannot be transferred with the function \`${v.name}\``);
    if (typeof v !== 'object' || v === null) return v;
    if (!this.copies.has(v)) this.copies.set(v, this.copyOf(v));
    return this.copies.get(v);
  }

  private copyOf(v: object): unknown {
    const def = DEFS.get(v);
    const ref = def ? { ...def } : v instanceof Rational ? { rational: [v.n, v.d] as const } : undefined;
    if (ref) {
      this.refs.add(ref);
      return ref;
    }
    // A structured clone copies a pattern's source and flags; `lastIndex` is not used (no `g` or `y`).
    if (v instanceof RegExp) return v;
    if (v instanceof Map) {
      if ([...v.keys()].some((k) => typeof k !== 'string' && typeof k !== 'number')) throw new TypeError('a compiled policy cannot be transferred with a Map keyed by other than strings and numbers');
      const out = new Map([...v].map(([k, x]) => [k, this.copy(x)]));
      for (const [k, c] of out) this.mark(out, k as string | number, c);
      return out;
    }
    if (v instanceof Set) {
      const out = new Set([...v].map((x) => this.copy(x)));
      if ([...out].some((c) => this.refs.has(c))) throw new TypeError('a compiled policy cannot be transferred with a Set of definitions or exact numbers');
      return out;
    }
    if (Array.isArray(v)) {
      const out = v.map((x) => this.copy(x));
      out.forEach((c, i) => this.mark(out, i, c));
      return out;
    }
    if (Object.getPrototypeOf(v) === Object.prototype) {
      const out = Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.copy(x)]));
      for (const [k, c] of Object.entries(out)) this.mark(out, k, c);
      return out;
    }
    throw new TypeError(`a compiled policy cannot be transferred with a \`${(v as { constructor?: { name?: string } }).constructor?.name ?? 'null-prototype object'}\``);
  }

  private mark(holder: object, key: string | number, c: unknown): void {
    if (this.refs.has(c)) this.places.push([holder, key, c as Ref]);
  }
}

function valueOf(r: Ref): unknown {
  if ('rational' in r) return Rational.of(r.rational[0], r.rational[1]);
  const def = 'operator' in r ? OPERATORS.get(r.operator) : FUNCTIONS.get(r.function);
  if (!def) throw new Error(`the transferred policy names \`${'operator' in r ? r.operator : r.function}\`, which this engine does not define`);
  return def;
}

function without<T extends object>(o: T, key: keyof T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
}
