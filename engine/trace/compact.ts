/**
 * A trace as positional arrays, for the decision log: a summary trace is most of a record's
 * decision, and most of its text is member names. Each node is `[kind, present, ...members]`
 * with its members in a fixed order per kind and `present` a bit mask of which ones it has, so
 * an absent member (a value short-circuit never read) stays absent and `expandTrace` gives back
 * exactly the trace that was compacted. Values read and compared are kept as they are.
 */
import type { ExceptionTrace, RuleTrace, SignalTrace, Trace, TraceNode } from './types.js';

/** The contract steps of an upgraded proposal, when there were some, are kept as they are. */
export type CompactTrace = [level: Trace['level'], rules: unknown[], signals: unknown[], contract?: Trace['contract'] | null, exceptions?: unknown[]];
type Compact = unknown[];

/** The members of each kind of node, in the order they are packed. */
const MEMBERS: Record<TraceNode['kind'], readonly string[]> = {
  all: ['result', 'label', 'items'],
  any: ['result', 'label', 'items'],
  not: ['result', 'label', 'items'],
  condition: ['name', 'result', 'item'],
  leaf: ['result', 'label', 'fact', 'value', 'operator', 'expectedFact', 'expected', 'error'],
  some: ['result', 'label', 'over', 'count', 'elements'],
  every: ['result', 'label', 'over', 'count', 'elements'],
  none: ['result', 'label', 'over', 'count', 'elements'],
};

export function compactTrace(t: Trace): CompactTrace {
  const packed: CompactTrace = [
    t.level,
    t.rules.map((r) => [r.rule, r.outcome, r.mode, r.result, compactNode(r.when), ...(r.relaxedBy ? [r.relaxedBy] : [])]),
    t.signals.map((s) => [s.signal, s.points, s.result, compactNode(s.when)]),
  ];
  if (t.contract || t.exceptions) packed.push(t.contract ?? null);
  if (t.exceptions) packed.push(t.exceptions.map((x) => [x.exception, x.result, x.expires, compactNode(x.when)]));
  return packed;
}

export function expandTrace(c: CompactTrace): Trace {
  const [level, rules, signals, contract, exceptions] = c;
  return {
    level,
    ...(contract ? { contract } : {}),
    rules: (rules as Compact[]).map(([rule, outcome, mode, result, when, relaxedBy]) =>
      ({ rule, outcome, mode, result, when: expandNode(when as Compact), ...(relaxedBy !== undefined ? { relaxedBy } : {}) }) as RuleTrace),
    signals: (signals as Compact[]).map(([signal, points, result, when]) => ({ signal, points, result, when: expandNode(when as Compact) }) as SignalTrace),
    ...(exceptions ? { exceptions: (exceptions as Compact[]).map(([exception, result, expires, when]) => ({ exception, result, expires, when: expandNode(when as Compact) }) as ExceptionTrace) } : {}),
  };
}

function compactNode(node: TraceNode): Compact {
  const n = node as unknown as Record<string, unknown>;
  const members = MEMBERS[node.kind];
  const out: Compact = [node.kind, 0];
  let present = 0;
  for (let bit = 0; bit < members.length; bit++) {
    const v = n[members[bit]!];
    if (v === undefined) continue;
    present |= 1 << bit;
    out.push(packMember(members[bit]!, v));
  }
  out[1] = present;
  return out;
}

function expandNode(c: Compact): TraceNode {
  const kind = c[0] as TraceNode['kind'];
  const present = c[1] as number;
  const node: Record<string, unknown> = { kind };
  let k = 2;
  MEMBERS[kind].forEach((m, bit) => {
    if (present & (1 << bit)) node[m] = unpackMember(m, c[k++]);
  });
  return node as unknown as TraceNode;
}

type Element = { index: number; result: unknown; where: TraceNode };

/** Child nodes are packed too; every other member is kept as it is. */
function packMember(m: string, v: unknown): unknown {
  if (m === 'items') return (v as TraceNode[]).map(compactNode);
  if (m === 'item') return compactNode(v as TraceNode);
  if (m === 'elements') return (v as Element[]).map((e) => [e.index, e.result, compactNode(e.where)]);
  return v;
}

function unpackMember(m: string, v: unknown): unknown {
  if (m === 'items') return (v as Compact[]).map(expandNode);
  if (m === 'item') return expandNode(v as Compact);
  if (m === 'elements') return (v as Compact[]).map(([index, result, where]) => ({ index, result, where: expandNode(where as Compact) }));
  return v;
}
