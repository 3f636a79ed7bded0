/**
 * A proposal the model never got right. The adapter asked, re-asked with the contract's errors,
 * and the last answer still breaks the contract: the gate records it and sends it to a person,
 * with every attempt's report, instead of rejecting it and losing the work the input holds.
 *
 * Such a review can never be approved as it is (decideReview refuses): a reviewer edits it into
 * a proposal that the contract and every rule then decide afresh, or rejects it. So routing to
 * review instead of reject opens no way to `approve`; and a proposal that a rule rejects stays
 * rejected, since the model's trouble is never a reason to lower a rule's outcome.
 */
import type { Decision, Outcome } from '../engine/index.js';

export const MODEL_INVALID = 'model.invalid_proposal';

export interface ModelFailure {
  code: typeof MODEL_INVALID;
  message?: string;
  reports: { attempt: number; errors: { code: string; pointer: string; message: string }[] }[];
}

type Reason = Decision['reasons'][number];

export function routeModelFailure(decision: Decision, failure: ModelFailure): Decision {
  const n = failure.reports.length;
  const said: Reason[] = failure.reports.map((r) => ({
    kind: 'contract', outcome: 'review',
    message: `${MODEL_INVALID}: attempt ${r.attempt} of ${n} broke the contract: ${r.errors.map((e) => e.message).join('; ') || 'no errors reported'}`,
  }));
  const route = (outcome: Outcome, reasons: Reason[]) => {
    const rules = reasons.filter((r) => r.kind !== 'contract');
    const ruleReject = outcome === 'reject' && rules.some((r) => r.outcome === 'reject');
    return { outcome: ruleReject ? outcome : 'review' as const, reasons: ruleReject ? [...rules, ...said] : [...said, ...rules] };
  };
  const live = route(decision.outcome, decision.reasons);
  return {
    ...decision, ...live,
    shadow: decision.shadow.reasons === decision.reasons ? live : route(decision.shadow.outcome, decision.shadow.reasons),
    errors: [{ code: MODEL_INVALID, pointer: '/model/failure', message: failure.message ?? `the model gave no proposal that matches the contract in ${n} attempt${n === 1 ? '' : 's'}` }, ...decision.errors],
  };
}

/** Whether a decision is one routeModelFailure made: a review that no one may approve as it is. */
export function isModelFailure(decision: Pick<Decision, 'errors'>): boolean {
  return decision.errors.some((e) => e.code === MODEL_INVALID);
}
