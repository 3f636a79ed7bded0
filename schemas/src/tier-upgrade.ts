/**
 * The tier_upgrade contracts, authored in zod. `arbiter contracts export` writes them to
 * schemas/<id>/<version>.schema.json; `npm test` fails when a written file is not current.
 */
import { z } from 'zod';

const Tier = z.enum(['basic', 'standard', 'premium']);

export const tierUpgrade = z.strictObject({
  proposal_id: z.uuid().describe('unique per proposal; the idempotency key'),
  customer_id: z.string().regex(/^c-[0-9]{1,12}$/),
  current_tier: Tier.describe('the tier the model believes the customer is on'),
  target_tier: Tier,
  effective_date: z.iso.datetime({ offset: true }).describe('when the new tier takes effect'),
  justification: z.string().min(10).max(500),
  metadata: z.strictObject({
    source: z.enum(['chat', 'email', 'phone', 'web']).optional(),
    agent_run_id: z.string().max(100).optional(),
  }).optional(),
});

export const tierUpgradeContext = z.strictObject({
  customer: z.strictObject({
    tier: Tier.describe('the tier the account is actually on'),
    account_status: z.enum(['active', 'delinquent', 'suspended', 'closed']),
    balance_past_due: z.number().min(0),
    signup_date: z.iso.date(),
  }),
  upgrades_last_30d: z.int().min(0),
});

export const contracts = [
  { id: 'tier_upgrade', version: 1, schema: tierUpgrade },
  { id: 'tier_upgrade_context', version: 1, schema: tierUpgradeContext },
];
