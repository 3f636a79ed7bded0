/**
 * The engines measured side by side, each behind one adapter: `compile` once (timed), then
 * `decide` per proposal, returning the outcome and the ids of the rules that fired.
 * - ceiling: hand-written closures (the peer benchmark's baseline)
 * - js-codegen: the whole rule set generated into one JavaScript function (no chunking)
 * - json-rules-engine: the library, used as documented (JSONPath facts, awaited per proposal)
 * - arbiter: Arbiter's generated code for the rules, the fired set and the outcome
 * - arbiter-interpreted: the same through Arbiter's reference interpreter
 * - arbiter-decide-{off,summary,full}: the whole decide(): contract check, rules, risk, decision
 *   object and the trace at that level
 */
import type { RuleProperties } from 'json-rules-engine';
import { jreRunner } from '../../adapters/json-rules-engine/reference.js';
import type { CompiledAction } from '../../engine/compile/policy.js';
import { decide, compilePolicy, formatDiagnostic, type ExplainLevel } from '../../engine/index.js';
import { evalCond, type Env } from '../../engine/eval/interpret.js';
import { Rational } from '../../engine/values/rational.js';
import { ACTION, filesOf } from './policy.js';
import { combine, outcomeMap, type Condition, type Decision, type Proposal, type Ruleset, type Scalar } from './types.js';

export interface Decider { kind: 'sync' | 'async'; decide(p: Proposal): Decision | Promise<Decision> }

export interface Engine {
  name: string;
  /** work done before timing: rendering the rule set in the engine's own format */
  prepare?(rs: Ruleset): void;
  compile(rs: Ruleset): Decider;
}

const NOW = '2026-11-21T10:00:00Z';
const EMPTY = Object.freeze({});
const NONE: unknown[] = [];

// The peer benchmark's hand-written closures, as they are there: getters specialised to the path
// depth, comparators specialised to the operator and list length, conjunctions to the arity.
type Pred = (p: Proposal) => boolean;
type Get = (p: Proposal) => unknown;
type Obj = Record<string, unknown> | undefined;

function getter(path: string): Get {
  const k = path.split('.');
  if (k.length === 1) { const a = k[0]!; return (p) => p[a]; }
  if (k.length === 2) { const [a, b] = k as [string, string]; return (p) => (p[a] as Obj)?.[b]; }
  return (p) => { let o: unknown = p; for (const x of k) o = (o as Obj)?.[x]; return o; };
}

function closure(c: Condition): Pred {
  const g = getter(c.field);
  const v = c.value as number;
  switch (c.op) {
    case 'gt': return (p) => (g(p) as number) > v;
    case 'gte': return (p) => (g(p) as number) >= v;
    case 'lt': return (p) => (g(p) as number) < v;
    case 'lte': return (p) => (g(p) as number) <= v;
    case 'eq': return (p) => g(p) === c.value;
    case 'in': {
      const xs = c.value as Scalar[];
      if (xs.length === 2) { const [a, b] = xs; return (p) => { const x = g(p); return x === a || x === b; }; }
      if (xs.length === 3) { const [a, b, d] = xs; return (p) => { const x = g(p); return x === a || x === b || x === d; }; }
      return (p) => xs.includes(g(p) as Scalar);
    }
  }
}

function conjunction(conds: Condition[]): Pred {
  const ps = conds.map(closure);
  switch (ps.length) {
    case 1: return ps[0]!;
    case 2: { const [a, b] = ps as [Pred, Pred]; return (p) => a(p) && b(p); }
    case 3: { const [a, b, c] = ps as [Pred, Pred, Pred]; return (p) => a(p) && b(p) && c(p); }
    case 4: { const [a, b, c, d] = ps as [Pred, Pred, Pred, Pred]; return (p) => a(p) && b(p) && c(p) && d(p); }
    default: return (p) => ps.every((f) => f(p));
  }
}

const ceiling: Engine = {
  name: 'ceiling',
  compile(rs) {
    const ids = rs.rules.map((r) => r.id);
    const tests = rs.rules.map((r) => conjunction(r.when));
    const outcomes = outcomeMap(rs);
    const n = tests.length;
    return { kind: 'sync', decide(p) { const fired: string[] = []; for (let i = 0; i < n; i++) if (tests[i]!(p)) fired.push(ids[i]!); return combine(fired, outcomes); } };
  },
};

const jsCodegen: Engine = {
  name: 'js-codegen',
  compile(rs) {
    const locals = new Map<string, string>();
    const local = (path: string) => { let v = locals.get(path); if (!v) { v = `v${locals.size}`; locals.set(path, v); } return v; };
    const lit = (v: unknown) => JSON.stringify(v);
    const expr = (c: Condition) => {
      const x = local(c.field);
      const op = { gt: '>', gte: '>=', lt: '<', lte: '<=', eq: '===' } as const;
      return c.op === 'in' ? `(${(c.value as Scalar[]).map((v) => `${x} === ${lit(v)}`).join(' || ')})` : `${x} ${op[c.op]} ${lit(c.value)}`;
    };
    const body = rs.rules.map((r) => `if (${r.when.map(expr).join(' && ')}) f.push(${lit(r.id)});`);
    const head = ['const f = [];'];
    const parents = new Set<string>();
    for (const [path, v] of locals) {
      const [a, b] = path.split('.') as [string, string | undefined];
      if (b === undefined) head.push(`const ${v} = p[${lit(a)}];`);
      else {
        if (!parents.has(a)) { parents.add(a); head.push(`const o_${a} = p[${lit(a)}] || {};`); }
        head.push(`const ${v} = o_${a}[${lit(b)}];`);
      }
    }
    const fn = new Function('p', [...head, ...body, 'return f;'].join('\n')) as (p: Proposal) => string[];
    const outcomes = outcomeMap(rs);
    return { kind: 'sync', decide: (p) => combine(fn(p), outcomes) };
  },
};

const JRE_OPS: Record<Condition['op'], string> = { gt: 'greaterThan', gte: 'greaterThanInclusive', lt: 'lessThan', lte: 'lessThanInclusive', eq: 'equal', in: 'in' };

const jre: Engine = {
  name: 'json-rules-engine',
  compile(rs) {
    const rules: RuleProperties[] = rs.rules.map((r) => ({
      name: r.id,
      conditions: { all: r.when.map((c) => { const [fact, ...rest] = c.field.split('.'); return { fact: fact!, operator: JRE_OPS[c.op], value: c.value as never, ...(rest.length ? { path: `$.${rest.join('.')}` } : {}) }; }) },
      event: { type: r.outcome, params: { id: r.id } },
    }));
    const runner = jreRunner(rules);
    const outcomes = outcomeMap(rs);
    return { kind: 'async', decide: async (p) => combine(await runner.fired(p), outcomes) };
  },
};

const files = new Map<string, Map<string, string>>();
const prepare = (rs: Ruleset) => { if (!files.has(rs.name)) files.set(rs.name, filesOf(rs)); };

function compileAction(rs: Ruleset) {
  prepare(rs);
  const r = compilePolicy(files.get(rs.name)!);
  if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join('\n'));
  return { policy: r.policy, action: r.policy.actions.get(ACTION)! };
}

/** Rules only: the generated evaluator, then the fired ids and the outcome, as the baselines return them. */
function rulesOnly(name: string, run: (a: CompiledAction, env: Env, hits: number[]) => void): Engine {
  return {
    name, prepare,
    compile(rs) {
      const { action } = compileAction(rs);
      const ids = action.rules.map((r) => r.id);
      const reject = action.rules.map((r) => r.outcome === 'reject');
      const now = Rational.of(1_795_255_200n);
      return {
        kind: 'sync',
        decide(p) {
          const env: Env = { p, c: EMPTY, now, today: 20_778, d: NONE };
          const hits: number[] = [];
          run(action, env, hits);
          const fired: string[] = [];
          let outcome: Decision['outcome'] = 'approve';
          for (let i = 0; i < hits.length; i += 2) {
            const k = hits[i]!;
            fired.push(ids[k]!);
            if (reject[k]) outcome = 'reject';
            else if (outcome === 'approve') outcome = 'review';
          }
          return { outcome, fired };
        },
      };
    },
  };
}

function wholeDecide(level: ExplainLevel): Engine {
  return {
    name: `arbiter-decide-${level}`, prepare,
    compile(rs) {
      const { policy } = compileAction(rs);
      return {
        kind: 'sync',
        decide(p) {
          const d = decide(policy, { action: ACTION, proposal: p, now: NOW, explain: level });
          return { outcome: d.outcome, fired: d.fired.enforce };
        },
      };
    },
  };
}

export const ENGINES: Engine[] = [
  ceiling, jsCodegen, jre,
  rulesOnly('arbiter', (a, env, hits) => a.evaluate(env, hits)),
  rulesOnly('arbiter-interpreted', (a, env, hits) => { for (const r of a.rules) { const s = evalCond(r.when, env); if (s !== 0) hits.push(r.index, s); } }),
  wholeDecide('off'), wholeDecide('summary'), wholeDecide('full'),
];

export function engine(name: string): Engine {
  const e = ENGINES.find((x) => x.name === name);
  if (!e) throw new Error(`unknown engine ${name}; known: ${ENGINES.map((x) => x.name).join(', ')}`);
  return e;
}
