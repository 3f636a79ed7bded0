/** `arbiter propose` in-process, against a local fake Messages API: its usage errors, a decision, a failure routed to review, a provider that refuses. */
import { afterEach, describe, expect, it } from 'vitest';
import { script, startFakeMessages, type FakeMessages, type Step } from '../adapters/models/fake/server.js';
import { main } from '../cli/main.js';
import { VALID } from './helpers/model.js';

let fake: FakeMessages | undefined;
afterEach(async () => { await fake?.close(); fake = undefined; });

async function propose(argv: string[], steps: Step[] = [], env: Record<string, string> = {}) {
  fake = await startFakeMessages(script(steps));
  let out = '', err = '';
  const code = await main(['propose', ...argv], {
    out: (t) => { out += `${t}\n`; }, err: (t) => { err += `${t}\n`; }, stdin: () => 'refund o-8812, 120 EUR',
    env: { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: 'test-key', ...env },
  });
  return { code, out, err };
}

const ARGS = ['--action', 'refund_order', '--input', 'examples/refund-email.txt', '--context', 'examples/refund-context.json', '--now', '2026-11-21T10:00:00Z', '--explain', 'off'];

describe('arbiter propose', () => {
  it('prints the proposal, the reports, the metadata and the decision', async () => {
    const r = await propose(ARGS, [{ tool: VALID }]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(Object.keys(printed)).toEqual(['proposal', 'reports', 'model', 'decision']);
    expect(printed).toMatchObject({ proposal: VALID, reports: [{ attempt: 1, errors: [] }], model: { provider: 'anthropic', attempts: 1 }, decision: { outcome: 'approve', reasons: [], now: '2026-11-21T10:00:00Z' } });
    expect(printed.decision).not.toHaveProperty('trace');
    expect(fake!.requests[0]!.body.messages[0]!.content).toContain('order o-8812 arrived with the shade cracked');
  });

  it('reads the input from standard input with `-`, and passes --instructions and --model on', async () => {
    const r = await propose([...ARGS.slice(0, 2), '--input', '-', '--instructions', 'keep the note short', '--model', 'claude-test'], [{ tool: VALID }]);
    expect(r.code).toBe(0);
    const body = fake!.requests[0]!.body;
    expect(body.model).toBe('claude-test');
    expect(body.system).toContain('keep the note short');
    expect(body.messages[0]!.content).toBe('<input>\nrefund o-8812, 120 EUR\n</input>');
  });

  it('prints a failure and its review when no attempt matches the contract', async () => {
    const r = await propose(ARGS, [{ tool: { ...VALID, amount: 0 } }, { tool: { ...VALID, amount: 0 } }]);
    expect(r.code).toBe(0);
    const printed = JSON.parse(r.out) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(printed.failure).toEqual({ code: 'model.invalid_proposal', message: 'the model gave no proposal that matches the contract of `refund_order` in 2 attempts' });
    expect(printed.reports.map((x: { errors: { code: string }[] }) => x.errors.map((e) => e.code))).toEqual([['contract.exclusive_minimum'], ['contract.exclusive_minimum']]);
    expect(printed.decision).toMatchObject({ outcome: 'review', errors: [{ code: 'model.invalid_proposal' }, { code: 'contract.exclusive_minimum', pointer: '/proposal/amount' }] });
  });

  it('exits 1 with the code when the provider refuses or there is no key', async () => {
    expect(await propose(ARGS, [{ status: 400 }])).toMatchObject({ code: 1, out: '', err: 'arbiter propose: model.refused: the provider answered 400: 400 {"type":"error","error":{"type":"invalid_request_error","message":"fake 400"}}\n' });
    expect(await propose(ARGS, [], { ANTHROPIC_API_KEY: '' })).toMatchObject({ code: 1, out: '', err: 'arbiter propose: model.no_key: ANTHROPIC_API_KEY is not set; the Anthropic adapter reads its key from the environment only\n' });
    expect(fake!.requests).toEqual([]);
  });

  it('refuses arguments it cannot use, with exit 2', async () => {
    const usage = (r: { err: string }) => r.err.split('\n')[0];
    expect(usage(await propose(['--action', 'refund_order']))).toBe('arbiter propose: --input is required');
    expect(usage(await propose([...ARGS, '--gate', 'http://127.0.0.1:1', '--dir', '.']))).toBe('arbiter propose: give --gate or --dir, not both');
    expect(usage(await propose([...ARGS, '--gate', 'http://127.0.0.1:1']))).toBe('arbiter propose: --gate needs the gate\'s API key in ARBITER_KEY');
    expect(usage(await propose([...ARGS, '--attempts', '0']))).toBe('arbiter propose: --attempts is a whole number from 1 to 20, not `0`');
    expect(usage(await propose(['--action', 'refund_orders', '--input', 'examples/refund-email.txt']))).toBe('arbiter propose: action `refund_orders` is not in the registry; it has tier_upgrade, refund_order, send_external_email, modify_user_permissions, create_support_ticket');
    expect(usage(await propose(['--action', 'refund_order', '--input', 'nope.txt']))).toBe('arbiter propose: cannot read input `nope.txt`: ENOENT');
    expect((await propose(['--action', 'refund_order'])).code).toBe(2);
  });
});
