/**
 * Generated policy packs for the scale benchmark: the bundled pack with `refund_order`'s rules
 * replaced by N rules of the kinds its own eight rules are (a comparison with another fact, an
 * enum list, a derived date difference behind a named condition, exact decimal arithmetic, a
 * threshold and a tier), each kind repeated with its own constants. Most rules are keyed to one
 * order or have a threshold few requests pass, as in a large real pack, so a handful fire per
 * decision whatever N is; which ones depends on the request. Requests are drawn from a seeded
 * generator, so every run decides the same ones.
 */
import { join } from 'node:path';
import { loadPolicyFiles } from '../../adapters/loaders/fs.js';
import { Rng } from '../engine/rng.js';

const RULES_FILE = 'rules/refund_order.yaml';

/** A rule for one order: its id first, then one of the bundled pack's comparisons. */
const keyed = (outcome: string, i: number, test: string, reason: string) => `outcome: ${outcome}
    when:
      all:
        - { fact: proposal.order_id, operator: equal, value: "o-${i}" }
        - ${test}
    reason: "${reason}"`;

const KINDS: ((i: number) => string)[] = [
  (i) => keyed('reject', i, '{ fact: proposal.amount, operator: greaterThan, value: { fact: context.order.total } }', 'refund {proposal.amount} is more than the order total {context.order.total}'),
  (i) => keyed('reject', i, '{ fact: proposal.currency, operator: notEqual, value: { fact: context.order.currency } }', 'refund in {proposal.currency} for an order paid in {context.order.currency}'),
  (i) => `outcome: reject
    when:
      all:
        - { fact: proposal.amount, operator: greaterThan, value: ${1500 + (i % 5000)} }
        - { fact: context.order.status, operator: in, value: [placed, cancelled] }
    reason: "the order is {context.order.status}; there is nothing to refund"`,
  (i) => `outcome: review
    when:
      all:
        - { condition: delivered }
        - { fact: days_since_delivery, operator: greaterThan, value: ${45 + (i % 1000)} }
    reason: "delivered {days_since_delivery} days ago"`,
  (i) => `outcome: review
    when:
      all:
        - { fact: proposal.amount, operator: greaterThan, value: ${2000 + (i % 3000)} }
        - { fact: context.customer.tier, operator: notEqual, value: premium }
    reason: "refund of {proposal.amount} {proposal.currency} for a {context.customer.tier} customer"`,
  (i) => keyed('review', i, '{ fact: proposal.refund_method, operator: in, value: [bank_transfer, gift_card] }', 'refund by {proposal.refund_method} instead of the original payment'),
  (i) => `outcome: review
    when: { fact: refunded_with_this, operator: greaterThan, value: ${2500 + (i % 4000)} }
    reason: "this refund brings the customer's 90-day refunds to {refunded_with_this}"`,
  (i) => `outcome: review
    when:
      all:
        - { fact: proposal.reason, operator: equal, value: changed_mind }
        - { condition: delivered }
        - { fact: days_since_delivery, operator: greaterThan, value: ${30 + (i % 1000)} }
    reason: "a change of mind {days_since_delivery} days after delivery"`,
];

/** `n` rules for `rules/refund_order.yaml`, as YAML list items. */
export function generatedRules(n: number): string {
  return Array.from({ length: n }, (_, i) => `  - id: gen.r${i}\n    ${KINDS[i % KINDS.length]!(i)}\n`).join('\n');
}

/** The bundled pack's files with `refund_order`'s rules replaced by `n` generated ones. */
export function generatedPack(root: string, n: number): Map<string, string> {
  const files = new Map(loadPolicyFiles(root));
  const text = files.get(RULES_FILE);
  if (text === undefined) throw new Error(`${join(root, RULES_FILE)} is missing`);
  const from = text.indexOf('\nrules:\n'), to = text.indexOf('\nrisk:\n');
  files.set(RULES_FILE, `${text.slice(0, from)}\nrules:\n${generatedRules(n)}${text.slice(to)}`);
  return files;
}

export interface Request { proposal: Record<string, unknown>; context: Record<string, unknown>; now: string }

const NOW = Date.parse('2026-12-01T12:00:00Z');
const DAY = 86_400_000;

/** `count` valid refund requests; order ids fall in 0..2n, so a keyed rule fires now and then. */
export function requests(n: number, count: number, seed = 1): Request[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, (_, k) => {
    const total = rng.int(20, 2500);
    const delivered = rng.chance(0.85);
    return {
      proposal: {
        proposal_id: `0b6f8a2e-4c1d-4e7a-9f3b-${String(k).padStart(12, '0')}`,
        order_id: `o-${rng.int(0, 2 * n)}`,
        amount: rng.int(100, Math.min(total, 2400) * 100) / 100,
        currency: rng.chance(0.97) ? 'EUR' : 'USD',
        reason: rng.pick(['damaged', 'not_received', 'wrong_item', 'not_as_described', 'changed_mind', 'other']),
        refund_method: rng.pick(['original_payment', 'original_payment', 'store_credit', 'bank_transfer', 'gift_card']),
      },
      context: {
        order: {
          total, currency: 'EUR', status: rng.pick(['shipped', 'delivered', 'delivered', 'delivered', 'returned']),
          placed_at: new Date(NOW - 70 * DAY).toISOString(),
          delivered_at: delivered ? new Date(NOW - rng.int(0, 60) * DAY).toISOString() : null,
        },
        customer: {
          tier: rng.pick(['basic', 'standard', 'premium']), account_age_days: rng.int(0, 2000),
          prior_refunds_90d: rng.int(0, 4), refunded_total_90d: (rng.int(0, 90_000) / 100).toFixed(2),
        },
      },
      now: new Date(NOW + k * 1000).toISOString(),
    };
  });
}
