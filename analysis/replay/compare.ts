/**
 * One recorded decision against the candidate policy's: whether the outcome moved, which way,
 * and what made it move. Shared by replay and diff, which both compare two decisions of one input.
 */
import type { Decision, Outcome } from '../../engine/index.js';
import { SEVERITY } from '../../engine/internal.js';

export type Direction = 'toward-approve' | 'toward-reject';

/** `approve→review` */
export const flipKind = (from: Outcome, to: Outcome): string => `${from}→${to}`;

export function direction(from: Outcome, to: Outcome): Direction | undefined {
  if (from === to) return undefined;
  return SEVERITY[to] < SEVERITY[from] ? 'toward-approve' : 'toward-reject';
}

/**
 * What made a decision move: the contributions (rules, risk, contract, default) present in one
 * decision's reasons and not in the other's, named `rule id`, `risk tier high`, `contract`,
 * `default review`, `unknown rule id`, `error rule id`.
 */
export function responsible(before: Decision, after: Decision): { added: string[]; removed: string[] } {
  const a = new Set(before.reasons.map(reasonKey)), b = new Set(after.reasons.map(reasonKey));
  return { added: [...b].filter((k) => !a.has(k)), removed: [...a].filter((k) => !b.has(k)) };
}

function reasonKey(r: Decision['reasons'][number]): string {
  switch (r.kind) {
    case 'rule': return `${r.rule} (${r.outcome})`;
    case 'unknown': case 'error': return `${r.rule ?? 'a rule'} ${r.kind} (${r.outcome})`;
    case 'risk': return `risk: ${r.message}`;
    case 'contract': return `contract (${r.outcome})`;
    case 'default': return `default ${r.outcome}`;
  }
}

/** Rules that fired in one decision and not in the other, enforced and shadow alike. */
export function firingChanges(before: Decision['fired'], after: Decision['fired']): { started: string[]; stopped: string[] } {
  const a = new Set([...before.enforce, ...before.shadow]), b = new Set([...after.enforce, ...after.shadow]);
  return { started: [...b].filter((r) => !a.has(r)), stopped: [...a].filter((r) => !b.has(r)) };
}
