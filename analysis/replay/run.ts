/**
 * `arbiter replay`'s engine: every recorded decision decided again under a candidate policy, in
 * one pass over the log, nothing executed and nothing recorded.
 *
 * Each decision is decided as it was: its proposal and context as sent, at its `now`, as the
 * contract version it was sent as (`receivedContract`), which the candidate checks and upgrades
 * the way the gate would. A decision the candidate cannot decide (an action or a contract version
 * it no longer serves, an upgrade that now fails) is listed as unevaluable, never dropped.
 *
 * Memory stays flat in the log's length: counts, at most `examples` examples per kind of flip,
 * and the ids of flipped review decisions, whose verdicts arrive later in the log.
 */
import { decide, DecideError, type CompiledPolicy, type Decision, type Outcome } from '../../engine/index.js';
import { SEVERITY } from '../../engine/internal.js';
import { direction, firingChanges, flipKind, responsible, type Direction } from './compare.js';

/** A decision as the log keeps it (adapters/stores/store.ts `DecisionRecord`), what replay reads of it. */
export interface RecordedDecision {
  id: string;
  action: string;
  recordedAt: string;
  request: { proposal: unknown; context: unknown };
  decision: Decision;
  kind?: undefined;
}

/** A reviewer's verdict in the log (`ReviewRecord`), what replay reads of it. */
export interface RecordedVerdict {
  kind: 'review';
  decisionId: string;
  recordedAt: string;
  caller: string;
  review: { verdict: string };
}

/** A delivery's replay or purge, or an exception's grant or revoke: records replay passes over. */
export interface RecordedOther { kind: 'delivery' | 'exception' }

export type Recorded = RecordedDecision | RecordedVerdict | RecordedOther;

export interface ReplayOptions {
  /** ISO instants: only decisions recorded at or after `since`, before `until` */
  since?: string;
  until?: string;
  action?: string;
  /** examples kept per kind of flip */
  examples: number;
  /** called every `progressEvery` decisions read */
  progress?: (read: number) => void;
  progressEvery?: number;
}

export interface Example {
  id: string;
  recordedAt: string;
  /** reasons the candidate has and the recorded decision lacked, and the other way round */
  responsible: { added: string[]; removed: string[] };
  /** the decision as recorded (with the trace it was recorded with) and as the candidate decides it, with a summary trace */
  recorded: Decision;
  candidate: Decision;
  /** the reviewer's verdict on the recorded decision, when it went to review and was decided */
  verdict?: { verdict: string; by: string; at: string };
}

export interface Flip {
  action: string;
  from: Outcome;
  to: Outcome;
  direction: Direction;
  count: number;
  /** verdicts reviewers gave the flipped decisions that were recorded as review */
  verdicts: Record<string, number>;
  examples: Example[];
}

export interface Firing { action: string; rule: string; started: number; stopped: number }

export interface Unevaluable { action: string; code: string; message: string; ids: string[] }

export interface ReplayReport {
  candidate: string;
  /** decision records read, and those inside the filters */
  read: number;
  replayed: number;
  unchanged: number;
  /** the policy revisions the replayed decisions were recorded under, with counts */
  recordedUnder: Record<string, number>;
  /** toward approve first, then by count */
  flips: Flip[];
  firing: Firing[];
  unevaluable: Unevaluable[];
  verdictsRead: number;
}

export async function replay(candidate: CompiledPolicy, log: AsyncIterable<Recorded> | Iterable<Recorded>, o: ReplayOptions): Promise<ReplayReport> {
  const flips = new Map<string, Flip>();
  const firing = new Map<string, Firing>();
  const unevaluable = new Map<string, Unevaluable>();
  const recordedUnder: Record<string, number> = {};
  // Flipped decisions that went to review: their verdicts come later in the log.
  const awaiting = new Map<string, { flip: Flip; example?: Example }>();
  const every = o.progressEvery ?? 10_000;
  let read = 0, replayed = 0, unchanged = 0, verdictsRead = 0;

  for await (const r of log) {
    if (r.kind === 'review') {
      const waiting = awaiting.get(r.decisionId);
      if (!waiting) continue;
      const v = r.review.verdict;
      // An extension keeps the item open; the verdict that closes it is what counts.
      if (v === 'extend') continue;
      verdictsRead++;
      waiting.flip.verdicts[v] = (waiting.flip.verdicts[v] ?? 0) + 1;
      if (waiting.example) waiting.example.verdict = { verdict: v, by: r.caller, at: r.recordedAt };
      awaiting.delete(r.decisionId);
      continue;
    }
    if (r.kind !== undefined) continue;
    if (++read % every === 0) o.progress?.(read);
    if ((o.action !== undefined && r.action !== o.action) || (o.since !== undefined && r.recordedAt < o.since) || (o.until !== undefined && r.recordedAt >= o.until)) continue;
    replayed++;
    const was = r.decision;
    recordedUnder[was.revision] = (recordedUnder[was.revision] ?? 0) + 1;

    const got = decideAgain(candidate, r, 'off');
    if ('code' in got) {
      const key = `${r.action}\0${got.code}\0${got.message}`;
      let u = unevaluable.get(key);
      if (!u) unevaluable.set(key, (u = { action: r.action, code: got.code, message: got.message, ids: [] }));
      u.ids.push(r.id);
      continue;
    }
    // Records from before `fired` was kept have nothing to compare firing with.
    if (was.fired) {
      const f = firingChanges(was.fired, got.fired);
      for (const rule of f.started) firingOf(firing, r.action, rule).started++;
      for (const rule of f.stopped) firingOf(firing, r.action, rule).stopped++;
    }
    const dir = direction(was.outcome, got.outcome);
    if (!dir) { unchanged++; continue; }
    const kind = `${r.action}\0${flipKind(was.outcome, got.outcome)}`;
    let flip = flips.get(kind);
    if (!flip) flips.set(kind, (flip = { action: r.action, from: was.outcome, to: got.outcome, direction: dir, count: 0, verdicts: {}, examples: [] }));
    flip.count++;
    let example: Example | undefined;
    if (flip.examples.length < o.examples) {
      // Decided again with its trace, only for the few decisions shown.
      const traced = decideAgain(candidate, r, 'summary') as Decision;
      example = {
        id: r.id, recordedAt: r.recordedAt, responsible: responsible(was, traced),
        recorded: was, candidate: traced,
      };
      flip.examples.push(example);
    }
    if (was.outcome === 'review') awaiting.set(r.id, example ? { flip, example } : { flip });
  }

  return {
    candidate: candidate.revision, read, replayed, unchanged, recordedUnder,
    flips: [...flips.values()].sort((a, b) => rank(a) - rank(b) || b.count - a.count || a.action.localeCompare(b.action)),
    firing: [...firing.values()].sort((a, b) => a.action.localeCompare(b.action) || a.rule.localeCompare(b.rule)),
    unevaluable: [...unevaluable.values()],
    verdictsRead,
  };
}

/** The recorded request decided by the candidate, or why it cannot be. */
function decideAgain(candidate: CompiledPolicy, r: RecordedDecision, explain: 'off' | 'summary'): Decision | { code: string; message: string } {
  const { proposal, context } = r.request;
  let d: Decision;
  try {
    d = decide(candidate, {
      action: r.action, proposal, ...(context === null || context === undefined ? {} : { context }),
      contract: r.decision.receivedContract, now: r.decision.now, explain,
    });
  } catch (e) {
    if (e instanceof DecideError) return { code: e.code, message: e.message };
    throw e;
  }
  // The recorded proposal upgraded once; if the candidate's upgrade cannot, the change is the
  // candidate's contract, not a decision about the proposal.
  const failed = d.errors.find((e) => e.code === 'contract.upgrade_failed');
  if (failed && !r.decision.errors.some((e) => e.code === 'contract.upgrade_failed')) {
    return { code: 'upgrade_failed', message: `the candidate cannot upgrade a proposal sent as \`${r.decision.receivedContract}\`: ${failed.message}` };
  }
  return d;
}

const rank = (f: Flip) => (f.direction === 'toward-approve' ? 0 : 1) * 10 + (2 - SEVERITY[f.from]);

function firingOf(m: Map<string, Firing>, action: string, rule: string): Firing {
  const key = `${action}\0${rule}`;
  let f = m.get(key);
  if (!f) m.set(key, (f = { action, rule, started: 0, stopped: 0 }));
  return f;
}

/** Whether the report should fail the run: any toward-approve flip, or (with `any`) any flip or unevaluable decision. */
export function failed(r: ReplayReport, on: 'toward-approve' | 'any' | undefined): boolean {
  if (on === 'toward-approve') return r.flips.some((f) => f.direction === 'toward-approve');
  if (on === 'any') return r.flips.length > 0 || r.unevaluable.length > 0;
  return false;
}
