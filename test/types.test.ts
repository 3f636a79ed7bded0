/**
 * `arbiter types` on the bundled pack, then the TypeScript compiler on callers of
 * `createClient<Actions>()`: a correct one compiles, and each wrong one fails with the error that
 * names its mistake. Uses dist/ (run `npm run build` first).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

let dir: string;
let client: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'arbiter-types-'));
  const out = execFileSync(process.execPath, [join(ROOT, 'dist/cli/bin.js'), 'types', '--dir', ROOT, '--out', join(dir, 'arbiter.d.ts')], { encoding: 'utf8' });
  expect(out).toMatch(/^wrote .*arbiter\.d\.ts: 5 actions, policy revision sha256:[0-9a-f]{64}/);
  client = JSON.stringify(join(ROOT, 'dist/server/client.js'));
});

/** Every diagnostic `tsc --strict` gives for a caller beside the generated declarations: `the code it points at: message`. */
function compile(source: string): string[] {
  const file = join(dir, `caller-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, `import { createClient } from ${client};\nimport type { Actions } from './arbiter.js';\n${source}`);
  const program = ts.createProgram([file], {
    strict: true, exactOptionalPropertyTypes: true, noEmit: true, skipLibCheck: true,
    module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: ['node'], typeRoots: [join(ROOT, 'node_modules/@types')],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.text.slice(d.start, d.start! + d.length!) ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

const gate = `const gate = createClient<Actions>({ url: 'http://127.0.0.1:8787', key: 'arb_x_y' });\n`;
const context = `const context = {
  order: { total: 120, currency: 'EUR', status: 'delivered', placed_at: '2026-01-02T10:00:00Z', delivered_at: null },
  customer: { tier: 'standard', account_age_days: 400, prior_refunds_90d: 0, refunded_total_90d: '0.00' },
} as const;\n`;
const v2 = `{ proposal_id: '8f0c2a52-6b1e-4c5e-9a7e-1d2f3a4b5c6d', order_id: 'o-1', amount: 40, currency: 'EUR', reason: 'damaged', refund_method: 'store_credit' }`;

describe('arbiter types and createClient<Actions>()', () => {
  it('compiles a caller that sends what the contracts say, and narrows the decision', () => {
    expect(compile(`${gate}${context}
export async function refund(): Promise<void> {
  const d = await gate.decide({ action: 'refund_order', proposal: ${v2}, context });
  const action: 'refund_order' = d.action;
  const current: 'refund_order@2' = d.contract;
  const received: 'refund_order@1' | 'refund_order@2' = d.receivedContract;
  const ctx: 'refund_order_context@1' = d.context;
  const old = await gate.decide({ action: 'refund_order', contract: 'refund_order@1', context,
    proposal: { proposal_id: '8f0c2a52-6b1e-4c5e-9a7e-1d2f3a4b5c6d', order_id: 'o-1', amount: 40, currency: 'GBP', reason: 'other' } });
  void [action, current, received, ctx, old.outcome === 'approve', d.id];
}
export async function untyped(): Promise<void> {
  const any = createClient({ url: 'http://127.0.0.1:8787', key: 'arb_x_y' });
  const d = await any.decide({ action: 'anything', proposal: 42 });
  const action: string = d.action;
  void action;
}
`)).toEqual([]);
  });

  it.each([
    ['a misspelled enum value', `gate.decide({ action: 'refund_order', context, proposal: { ...${v2}, reason: 'damagd' } });`, /^reason: Type '"damagd"' is not assignable to type '"damaged" \| "not_received"/],
    ['a member the current version requires, left out', `const { refund_method: _, ...p } = ${v2};\ngate.decide({ action: 'refund_order', context, proposal: p });`, /Property 'refund_method' is missing/],
    ['a member an older version does not have', `gate.decide({ action: 'refund_order', contract: 'refund_order@1', context, proposal: ${v2} });`, /^refund_method: Type 'string' is not assignable to type '"original_payment" \| "store_credit"/m],
    ['a contract version the policy does not serve', `gate.decide({ action: 'refund_order', contract: 'refund_order@3', context, proposal: ${v2} });`, /^contract: Type '"refund_order@3"' is not assignable to type '"refund_order@2" \| "refund_order@1" \| undefined'/m],
    ['an action the policy does not define', `gate.decide({ action: 'refund_ordr', context, proposal: ${v2} });`, /^action: Type '"refund_ordr"' is not assignable to type '"tier_upgrade" \| "refund_order" \| /m],
    ['a required context left out', `gate.decide({ action: 'refund_order', proposal: ${v2} });`, /Property 'context' is missing/],
    ['a narrowed decision read as another action', `gate.decide({ action: 'refund_order', context, proposal: ${v2} }).then((d) => { const a: 'tier_upgrade' = d.action; void a; });`, /'"refund_order"' is not assignable to type '"tier_upgrade"'/],
  ])('refuses %s', (_what, call, message) => {
    const errors = compile(`${gate}${context}${call}\n`);
    expect(errors.length, errors.join('\n')).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(message);
  });
});
