/**
 * What an action's side-effect class implies, checked and applied at compile time:
 *
 * - `financial` and `irreversible_write` actions route risk tier `medium` and every tier above it
 *   to review when their rule files write no `risk.route` of their own. A mistake there costs
 *   money or cannot be undone, so a person looks at anything the risk model already calls
 *   unusual. A rule set that writes `route` (even `route: {}`) has said what it wants.
 * - `read` actions never queue: a person asked to approve a read is a queue that trains people to
 *   click approve. A review rule, a route to review, `default: review`, or `on_unknown`/`on_error:
 *   review` on a read action is an error (`read_action_review`); what a read cannot decide, it
 *   rejects.
 * - An action that delivers its final decisions needs an idempotency key read from the proposal
 *   (`delivery_without_key`, an error): without one, a caller's retry after a lost answer records
 *   a second decision, and the receiver is sent two events it cannot tell apart, so the action
 *   runs twice. Delivery is at least once; the key is what makes it safe.
 * - A `financial` action that approves by default and has no enforced reject rule approves every
 *   refund or charge its review rules let through, whatever the amount: a warning
 *   (`financial_without_reject`), since a pack may reject elsewhere (risk routes to `reject`).
 */
import type { ActionAst } from '../ast/types.js';
import type { Diagnostics } from '../errors.js';
import type { RiskModel, Rule } from './ir.js';

const GUARDED = new Set(['financial', 'irreversible_write']);
export const DEFAULT_ROUTE_FROM = 'medium';

/** The risk routes to apply: the rule set's own when it wrote any, else the side-effect default. */
export function routeFor(ast: ActionAst, risk: RiskModel, written: boolean): RiskModel['route'] {
  if (written || !GUARDED.has(ast.sideEffects)) return risk.route;
  const from = risk.tiers.findIndex((t) => t.name === DEFAULT_ROUTE_FROM);
  if (from < 0) return risk.route;
  return new Map(risk.tiers.slice(from).map((t) => [t.name, 'review' as const]));
}

export function checkSideEffects(ast: ActionAst, rules: readonly Rule[], route: RiskModel['route'], diags: Diagnostics): void {
  if (ast.deliver && !ast.idempotency.key) {
    diags.error('delivery_without_key', `action \`${ast.name}\` delivers its decisions but reads no idempotency key from the proposal`, ast.deliver.loc,
      'add `idempotency: { key: /proposal_id }` (a member every proposal carries): without it a retried request records a second decision, and the receiver runs the action twice');
  }
  if (ast.sideEffects === 'read') {
    const why = [
      ...rules.filter((r) => r.outcome === 'review' && r.mode === 'enforce').map((r) => `rule \`${r.id}\` has outcome review`),
      ...[...route].filter(([, o]) => o === 'review').map(([tier]) => `risk tier \`${tier}\` routes to review`),
      ...(ast.default === 'review' ? ['`default` is review'] : []),
      ...(ast.onUnknown === 'review' ? ['`on_unknown` is review'] : []),
      ...(ast.onError === 'review' ? ['`on_error` is review'] : []),
    ];
    if (why.length) {
      diags.error('read_action_review', `action \`${ast.name}\` has side effects \`read\`, which never go to review, but ${why.join(', ')}`, ast.loc,
        'a read either runs or is refused: use outcome `reject`, or give the action the side effects it really has');
    }
  }
  if (ast.sideEffects === 'financial' && ast.default === 'approve' && !rules.some((r) => r.outcome === 'reject' && r.mode === 'enforce') && ![...route.values()].includes('reject')) {
    diags.warn('financial_without_reject', `financial action \`${ast.name}\` approves by default and no rule rejects anything`, ast.loc,
      'add a reject rule for what must never be paid (more than the order total, a closed account), or make `default: review`');
  }
}
