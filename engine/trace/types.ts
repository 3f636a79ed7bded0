/**
 * The trace: for each rule, the tree of its condition with, at every leaf, the fact read, the value
 * read, the operator, the expected value and the result. Conditions skipped by short-circuit are
 * marked `not_evaluated`.
 */
export type TraceResult = true | false | 'unknown' | 'error' | 'not_evaluated';

export type ExplainLevel = 'off' | 'summary' | 'full';

export type TraceNode =
  | { kind: 'all' | 'any' | 'not'; result: TraceResult; label?: string; items: TraceNode[] }
  | { kind: 'condition'; name: string; result: TraceResult; item: TraceNode }
  | {
    kind: 'leaf';
    result: TraceResult;
    label?: string;
    fact: string;
    /** the value read; absent when not evaluated, null when the fact is missing */
    value?: unknown;
    operator: string;
    /** the literal compared with, or the value of `expectedFact` */
    expected?: unknown;
    expectedFact?: string;
    error?: { code: string; message: string };
  }
  | { kind: 'some' | 'every' | 'none'; result: TraceResult; label?: string; over: string; count?: number; elements: { index: number; result: TraceResult; where: TraceNode }[] };

export interface RuleTrace {
  rule: string;
  outcome: 'reject' | 'review';
  mode: 'enforce' | 'shadow';
  result: 'fired' | 'not_fired' | 'unknown' | 'error';
  when: TraceNode;
  /** the exception that relaxed this fired rule: it did not count */
  relaxedBy?: string;
}

/** An exception whose condition was not false: `applied`, or `expired` by the decision's `now`, or undecided. */
export interface ExceptionTrace {
  exception: string;
  result: 'applied' | 'expired' | 'unknown' | 'error';
  expires: string;
  when: TraceNode;
}

export interface SignalTrace {
  signal: string;
  points: number;
  result: 'fired' | 'not_fired' | 'unknown' | 'error';
  when: TraceNode;
}

/** How a proposal sent as an older contract version was read: checked as sent, upgraded, checked as the current version. */
export type ContractStep =
  | { step: 'validate'; contract: string; result: 'valid' | 'invalid' }
  /** `changes` lists what each step that did something changed */
  | { step: 'upgrade'; from: string; to: string; result: 'applied' | 'failed'; changes: string[] };

export interface Trace {
  level: Exclude<ExplainLevel, 'off'>;
  /** present when the proposal was sent as an older version than the current one */
  contract?: ContractStep[];
  rules: RuleTrace[];
  signals: SignalTrace[];
  /** present when an exception's condition was not false */
  exceptions?: ExceptionTrace[];
}
