/** The decision: what the engine returns for one proposal. */
import type { Outcome } from '../ast/types.js';
import type { ExplainLevel, Trace } from '../trace/types.js';

export type { Outcome };

export interface DecideRequest {
  action: string;
  proposal: unknown;
  /** facts the calling service owns; validated against the action's context contract */
  context?: unknown;
  /** the contract version the proposal is written to (`refund_order@1`); else `version`, else the action's `version_from`, else its current version */
  contract?: string;
  /** the version alone: `1`, `"1.4.0"` */
  version?: string | number;
  /** the evaluation time (RFC 3339, or a Date); the engine never reads the clock */
  now: string | Date;
  /** default `summary` */
  explain?: ExplainLevel;
}

export interface Reason {
  /** what produced it: a fired rule, a rule that could not be decided, a rule that failed, risk, the action's default, or the contract check */
  kind: 'contract' | 'rule' | 'unknown' | 'error' | 'risk' | 'default';
  rule?: string;
  outcome: Outcome;
  message: string;
}

export interface DecisionError {
  code: string;
  message: string;
  /** JSON Pointer into the request (`/proposal/amount`), for contract errors */
  pointer?: string;
  rule?: string;
}

export interface Risk {
  score: number;
  tier: string;
  signals: { id: string; points: number; result: 'fired' | 'unknown' | 'error' }[];
}

export interface Fired { enforce: string[]; shadow: string[] }

/** An exception that applied to a decision (engine/compile/exceptions.ts), and the fired rules it relaxed. */
export interface AppliedException {
  id: string;
  /** the rules that fired and were counted as not fired because of it; empty when none of its rules fired */
  relaxed: string[];
  owner: string;
  grantedBy: string;
  ticket: string;
  /** as written */
  expires: string;
  reason: string;
}

export interface Decision {
  action: string;
  outcome: Outcome;
  /** every contribution to a non-approve outcome, most severe first, then in policy order */
  reasons: Reason[];
  /** ids of every rule whose condition held, in policy order, by mode (empty after a contract reject) */
  fired: Fired;
  risk: Risk;
  errors: DecisionError[];
  /** what the outcome would be with the shadow rules enforced, and why */
  shadow: { outcome: Outcome; reasons: Reason[] };
  /** content hash of the compiled policy */
  revision: string;
  /** the proposal contract id@version the rules saw: the action's current one */
  contract: string;
  /** the proposal contract id@version the request was sent as, and checked against first; upgraded to `contract` when older */
  receivedContract: string;
  /** context contract id@version, or null when the action has none */
  context: string | null;
  engine: string;
  now: string;
  /** the exceptions that applied, when any did */
  exceptions?: AppliedException[];
  trace?: Trace;
}

export const SEVERITY: Record<Outcome, number> = { approve: 0, review: 1, reject: 2 };

export function moreSevere<O extends Outcome>(a: O, b: O): O {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

export class DecideError extends Error {
  constructor(readonly code: 'unknown_action' | 'unknown_contract_version' | 'invalid_now' | 'invalid_request', message: string) {
    super(message);
    this.name = 'DecideError';
  }
}
