/** Proposals the bundled pack sends to review: for the review benchmark, the review tests and the browser tests. */
import { randomUUID } from 'node:crypto';

let n = 0;

/**
 * A support ticket the bundled pack sends to review (`ticket.urgent_without_premium`): low risk
 * by default; `high` adds a VIP customer with a backlog (risk 70, tier `high`).
 */
export function ticket(over: { proposal?: Record<string, unknown>; high?: boolean; customer?: Record<string, unknown> } = {}) {
  n++;
  return {
    action: 'create_support_ticket',
    proposal: {
      proposal_id: randomUUID(), customer_id: `c-${1000 + (n % 50)}`, subject: `printer on floor ${n} is jammed`,
      description: 'the office printer jams on every second page since the firmware update', priority: 'urgent', category: 'technical',
      ...over.proposal,
    },
    context: { customer: { tier: 'standard', open_tickets: over.high ? 3 : 0, sla_hours: 24, vip: Boolean(over.high), ...over.customer } },
  };
}

/** A refund that goes to review (financial, risk `medium`). */
export function refund(amount = 650) {
  return {
    action: 'refund_order',
    proposal: { proposal_id: randomUUID(), order_id: 'o-8812', amount, currency: 'EUR', reason: 'damaged', refund_method: 'original_payment', note: 'photos of the broken screen' },
    context: {
      order: { total: 720, currency: 'EUR', status: 'delivered', placed_at: '2026-11-02T09:12:00Z', delivered_at: '2026-11-06T14:00:00Z' },
      customer: { tier: 'standard', account_age_days: 610, prior_refunds_90d: 1, refunded_total_90d: '42.00' },
    },
  };
}

/** A tier upgrade that skips a tier (`upgrade.skips_a_tier`: review), with the justification given. */
export function upgrade(justification: string) {
  return {
    action: 'tier_upgrade',
    proposal: {
      proposal_id: randomUUID(), customer_id: 'c-1019', current_tier: 'basic', target_tier: 'premium', effective_date: new Date(Date.now() + 3600_000).toISOString(),
      justification, metadata: { source: 'chat', agent_run_id: 'run-77' },
    },
    context: { customer: { tier: 'basic', account_status: 'active', balance_past_due: 0, signup_date: '2024-03-01' }, upgrades_last_30d: 0 },
  };
}
