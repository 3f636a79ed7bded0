/** A policy whose one action `t` delivers its final decisions: approve up to 100, review above, reject above 1000. */
import type { MiniPolicy } from './policy.js';

export const HOOKED: MiniPolicy = {
  contract: { type: 'object', required: ['id', 'amount'], properties: { id: { type: 'string' }, amount: { type: 'number' } }, additionalProperties: false },
  rules: { rules: [
    { id: 'too_big', outcome: 'reject', when: { fact: 'proposal.amount', operator: 'greaterThan', value: 1000 }, reason: 'amount {proposal.amount} is over 1000' },
    { id: 'needs_person', outcome: 'review', when: { fact: 'proposal.amount', operator: 'greaterThan', value: 100 }, reason: 'amount {proposal.amount} is over 100' },
  ] },
  action: { idempotency: { key: '/id' }, deliver: { url_env: 'HOOK_URL', secret_env: 'HOOK_SECRET', timeout: '2s', max_attempts: 5 }, review: { queue: 'hooks', self_review: 'allow' } },
};
