/**
 * The policy repository `arbiter init` writes: one action that passes `check`, `test
 * --min-coverage 100` and `prop` as it stands, written the way the docs recommend (a comparison
 * with the context, a date rule against `now`, a derived share read only behind its zero guard, a
 * risk signal), so that the first edit starts from idiomatic rules. The proposal contract is
 * authored in zod (contracts/index.mjs) and exported to JSON Schema; the context contract is
 * written as JSON Schema directly, to show both ways.
 */
import { exportedText } from '../commands/contracts.js';
import { metaHeader, vscodeSettings } from './editor.js';

const proposalSource = (action: string) => `// The contracts authored in zod. \`npx arbiter contracts export contracts/index.mjs\` writes them to
// schemas/<id>/<version>.schema.json; with --check it fails when a written file is not current.
import { z } from 'zod';

export const proposal = z.strictObject({
  proposal_id: z.uuid().describe('unique per proposal; the idempotency key'),
  order_id: z.string().regex(/^o-[0-9]{1,12}$/),
  amount: z.number().positive().multipleOf(0.01).max(100000).describe("in the order's currency"),
  reason: z.enum(['damaged', 'not_received', 'wrong_item', 'changed_mind']),
  note: z.string().max(500).optional(),
});

export const contracts = [{ id: '${action}', version: 1, schema: proposal }];
`;

const context = (action: string) => ({
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: `${action}_context@1: what the order service knows`,
  type: 'object',
  additionalProperties: false,
  required: ['order', 'customer'],
  properties: {
    order: {
      type: 'object', additionalProperties: false, required: ['total', 'delivered_at'],
      properties: { total: { type: 'number', minimum: 0, multipleOf: 0.01 }, delivered_at: { type: 'string', format: 'date-time' } },
    },
    customer: {
      type: 'object', additionalProperties: false, required: ['account_age_days'],
      properties: { account_age_days: { type: 'integer', minimum: 0 } },
    },
  },
});

const registry = (action: string) => `${metaHeader('registry', '')}
# One entry per action a model may propose: its contracts, its rules, and what happens by default.
version: 1
actions:
  ${action}:
    description: refund all or part of an order
    contract: ${action}@1 # schemas/${action}/1.schema.json, authored in contracts/index.mjs
    context: ${action}_context@1 # schemas/${action}_context/1.schema.json
    rules: [ rules/${action}.yaml ]
    side_effects: financial
    idempotency: { key: /proposal_id }
    default: approve
    review: { queue: ${action}, expires_after: 24h, on_expiry: reject }
`;

const rules = (action: string) => `${metaHeader('rules', '../')}
# A rule that fires moves the outcome away from approve; reject beats review.
version: 1
derive:
  share_of_order: { divide: [ proposal.amount, context.order.total ] }
  days_since_delivery: { divide: [ { subtract: [ now, context.order.delivered_at ] }, { duration: 1d } ] }

rules:
  - id: ${action}.more_than_order_total
    outcome: reject
    when: { fact: proposal.amount, operator: greaterThan, value: { fact: context.order.total } }
    reason: "refund {proposal.amount} is more than the order total {context.order.total}"

  - id: ${action}.outside_window
    outcome: review
    description: refunds more than 30 days after delivery need a person
    when: { fact: days_since_delivery, operator: greaterThan, value: 30 }
    reason: "delivered {days_since_delivery} days ago, outside the 30-day window"

  - id: ${action}.large_needs_person
    outcome: review
    when: { fact: proposal.amount, operator: greaterThan, value: 500 }
    reason: "a refund of {proposal.amount} needs a person"

risk:
  signals:
    - id: most_of_order
      description: a free order (total 0) has no share to speak of, so the share is read only above 0
      when:
        all:
          - { fact: context.order.total, operator: greaterThan, value: 0 }
          - { fact: share_of_order, operator: greaterThan, value: 0.8 }
      points: 40
    - { id: new_customer, when: { fact: context.customer.account_age_days, operator: lessThan, value: 30 }, points: 30 }
  tiers: { medium: 30, high: 60 }
  route: { high: review }
`;

const tests = (action: string) => `${metaHeader('tests', '../')}
# Each case changes the defaults in one place and says what must happen, and why.
action: ${action}
now: "2026-11-21T10:00:00Z"
defaults:
  proposal: { proposal_id: 9b2d6c1e-3f4a-4b5c-8d7e-6f8091a2b3c4, order_id: o-8812, amount: 120, reason: damaged }
  context:
    order: { total: 300, delivered_at: "2026-11-10T15:30:00Z" }
    customer: { account_age_days: 400 }

cases:
  - name: a partial refund of a recent delivery is approved
    expect: { outcome: approve, fired: [], reasons: [], risk_tier: low }

  - name: a refund above the order total is rejected
    proposal: { amount: 350 }
    expect:
      outcome: reject
      fired: [ ${action}.more_than_order_total ]
      reasons: [ "refund 350 is more than the order total 300" ]
      risk_tier: medium

  - name: a refund 40 days after delivery goes to review
    context: { order: { delivered_at: "2026-10-12T10:00:00Z" } }
    expect: { outcome: review, fired: [ ${action}.outside_window ], reasons: [ "delivered 40 days ago, outside the 30-day window" ] }

  - name: a refund exactly 30 days after delivery is inside the window
    context: { order: { delivered_at: "2026-10-22T10:00:00Z" } }
    expect: { outcome: approve, fired: [] }

  - name: a refund above 500 needs a person
    proposal: { amount: 600 }
    context: { order: { total: 1000 } }
    expect: { outcome: review, fired: [ ${action}.large_needs_person ], reasons: [ "a refund of 600 needs a person" ] }

  - name: a refund of exactly 500 does not
    proposal: { amount: 500 }
    context: { order: { total: 1000 } }
    expect: { outcome: approve, fired: [] }

  - name: most of the order is a medium risk, which alone does not need a person
    proposal: { amount: 250 }
    expect: { outcome: approve, fired: [], risk_tier: medium }

  - name: most of the order for a new customer is a high risk, which does
    proposal: { amount: 250 }
    context: { customer: { account_age_days: 10 } }
    expect: { outcome: review, fired: [], risk_tier: high }

  - name: a free order has no share, so any refund of it is over the total and nothing divides by zero
    proposal: { amount: 0.01 }
    context: { order: { total: 0 } }
    expect: { outcome: reject, fired: [ ${action}.more_than_order_total ], risk_tier: low }
`;

const invariants = (action: string) => `${metaHeader('invariants', '../')}
# What must hold for every input, not only the cases; \`arbiter prop\` generates inputs to break them.
action: ${action}
invariants:
  - id: never_more_than_was_paid
    when: { fact: proposal.amount, operator: greaterThan, value: { fact: context.order.total } }
    always: reject
  - id: large_refunds_see_a_person
    when: { fact: proposal.amount, operator: greaterThan, value: 500 }
    never: approve
  - id: a_larger_refund_is_never_safer
    monotonic: { fact: proposal.amount, stricter_as: increases }
  - id: an_older_delivery_is_never_safer
    monotonic: { fact: context.order.delivered_at, stricter_as: decreases }
`;

/** docs/ci.md's pipeline, word for word (a test keeps them equal). */
export const CI_SH = `#!/bin/sh
# ci.sh: the policy checks, in order; stops at the first that fails.
set -e
ARBITER=\${ARBITER:-npx arbiter}
DIR=\${DIR:-.}
$ARBITER check --dir "$DIR"
$ARBITER test --dir "$DIR" --coverage --min-coverage 100 --junit junit.xml
$ARBITER prop --dir "$DIR" --runs 2000
$ARBITER analyze --dir "$DIR"
`;

const packageJson = (name: string, version: string) => `${JSON.stringify({
  name, private: true, type: 'module',
  scripts: { test: 'sh ci.sh', contracts: 'arbiter contracts export contracts/index.mjs --check' },
  dependencies: { 'arbiter-gate': `^${version}` },
}, null, 2)}\n`;

/**
 * The JSON Schema of the proposal contract, exported from contracts/index.mjs itself (imported as a
 * module, with `zod` resolved to the copy this package uses), so the two cannot differ.
 */
async function exportedProposal(action: string): Promise<string> {
  const source = proposalSource(action).replace("from 'zod'", `from '${import.meta.resolve('zod')}'`);
  const module = (await import(`data:text/javascript,${encodeURIComponent(source)}`)) as { contracts: [{ id: string; version: number; schema: unknown }] };
  return exportedText(module.contracts[0]);
}

/** Every file, by path relative to the repository. */
export async function scaffold(action: string, name: string, version: string): Promise<Map<string, string>> {
  return new Map([
    ['rules.registry.yaml', registry(action)],
    ['contracts/index.mjs', proposalSource(action)],
    [`schemas/${action}/1.schema.json`, await exportedProposal(action)],
    [`schemas/${action}_context/1.schema.json`, `${JSON.stringify(context(action), null, 2)}\n`],
    [`rules/${action}.yaml`, rules(action)],
    [`rules/${action}.test.yaml`, tests(action)],
    [`rules/${action}.invariants.yaml`, invariants(action)],
    ['ci.sh', CI_SH],
    ['.gitignore', 'node_modules/\ndata/\njunit.xml\n'],
    ['.vscode/settings.json', vscodeSettings()],
    ['.vscode/extensions.json', `${JSON.stringify({ recommendations: ['redhat.vscode-yaml'] }, null, 2)}\n`],
    ['package.json', packageJson(name, version)],
  ]);
}
