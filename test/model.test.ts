/**
 * The Anthropic adapter against a local fake of the Messages API (adapters/models/fake), reached
 * through the SDK's baseURL: no test touches the network. Each case checks what the adapter
 * returned and what it sent: the forced tool, the re-ask with the contract's errors, the retries.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAnthropicModel, type AnthropicOptions } from '../adapters/models/anthropic/index.js';
import { script, startFakeMessages, type FakeMessages, type Step } from '../adapters/models/fake/server.js';
import { PROMPT_VERSION } from '../adapters/models/prompt.js';
import { toolSchema } from '../adapters/models/tool-schema.js';
import { ModelError, type ActionContract } from '../adapters/models/types.js';
import { loadPolicyFiles } from '../adapters/loaders/fs.js';
import { compilePolicy } from '../engine/index.js';
import { ROOT } from './helpers/cli.js';
import { VALID } from './helpers/model.js';

const KEY = 'sk-ant-test-0123456789abcdef';
const compiled = compilePolicy(loadPolicyFiles(ROOT));
if (!compiled.ok) throw new Error('the bundled pack does not compile');
const policy = compiled.policy;
const refundContract: ActionContract = { action: 'refund_order', schema: policy.actions.get('refund_order')!.contract.schema };

const EMAIL = 'Order o-8812 arrived broken. Please refund 120 EUR to my card.';

let fake: FakeMessages | undefined;
afterEach(async () => { await fake?.close(); fake = undefined; });

async function modelOn(steps: Step[], options: Partial<AnthropicOptions> = {}) {
  fake = await startFakeMessages(script(steps), { apiKey: KEY });
  return createAnthropicModel({ contract: () => refundContract, baseURL: fake.url, ...options }, { ANTHROPIC_API_KEY: KEY });
}

describe('the Anthropic adapter', () => {
  it('forces the contract\'s tool and returns a valid first answer with its metadata', async () => {
    const model = await modelOn([{ tool: VALID }]);
    const r = await model.propose({ action: 'refund_order', input: EMAIL, instructions: 'write the note in English' });
    expect(r).toMatchObject({ ok: true, proposal: VALID, reports: [{ attempt: 1, proposal: VALID, errors: [] }] });
    expect(r.meta).toMatchObject({ provider: 'anthropic', model: 'claude-sonnet-4-5-fake', promptVersion: PROMPT_VERSION, attempts: 1, requests: 1 });
    expect(r.meta.usage.inputTokens).toBeGreaterThan(0);
    expect(r.meta.usage.outputTokens).toBeGreaterThan(0);
    const [req] = fake!.requests;
    expect(req!.keyMatches).toBe(true);
    expect(req!.body.tool_choice).toEqual({ type: 'tool', name: 'propose_refund_order' });
    expect(req!.body.tools!.map((t) => t.name)).toEqual(['propose_refund_order']);
    expect(req!.body.tools![0]!.input_schema).toEqual(toolSchema(refundContract.schema).schema);
    expect(req!.body.messages).toEqual([{ role: 'user', content: `<input>\n${EMAIL}\n</input>` }]);
    expect(req!.body.system).toContain('write the note in English');
  });

  it('sends the model no policy text: no rule id, reason or threshold of the action', async () => {
    const model = await modelOn([{ tool: VALID }]);
    await model.propose({ action: 'refund_order', input: EMAIL });
    const sent = JSON.stringify(fake!.requests[0]!.body);
    const action = policy.actions.get('refund_order')!;
    expect(action.rules.length).toBeGreaterThan(0);
    for (const rule of action.rules) expect(sent).not.toContain(rule.id);
    for (const word of ['needs a person', 'outside the 30-day window', 'most_of_order', 'refund_share']) expect(sent).not.toContain(word);
  });

  it('re-asks once with the contract\'s errors as the tool result, and returns the corrected proposal', async () => {
    const wrong = { ...VALID, amount: '120 EUR', refund_method: 'card' };
    const model = await modelOn([{ tool: wrong }, { tool: VALID }]);
    const r = await model.propose({ action: 'refund_order', input: EMAIL });
    expect(r.ok).toBe(true);
    expect(r.meta).toMatchObject({ attempts: 2, requests: 2 });
    expect(r.reports.map((x) => x.errors.map((e) => `${e.pointer} ${e.code}`))).toEqual([['/amount contract.type', '/refund_method contract.enum'], []]);
    const second = fake!.requests[1]!.body.messages;
    expect(second).toHaveLength(3);
    expect(second[1]).toEqual({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_fake_1', name: 'propose_refund_order', input: wrong }] });
    expect(second[2]!.role).toBe('user');
    const [result] = second[2]!.content as { type: string; tool_use_id: string; is_error: boolean; content: string }[];
    expect(result).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_fake_1', is_error: true });
    expect(result!.content).toBe([
      'That proposal does not match the contract. Call the tool again with a corrected proposal. The errors:',
      '- contract.type: `/amount` must be number',
      '- contract.enum: `/refund_method` must be one of `original_payment`, `store_credit`, `bank_transfer`, `gift_card`',
    ].join('\n'));
  });

  it('fails typed after two invalid answers, with both reports and the last proposal', async () => {
    const first = { ...VALID, amount: -5 };
    const second = { ...VALID, order_id: '8812' };
    const model = await modelOn([{ tool: first }, { tool: second }]);
    const r = await model.propose({ action: 'refund_order', input: EMAIL });
    expect(r).toMatchObject({ ok: false, code: 'model.invalid_proposal', proposal: second, message: 'the model gave no proposal that matches the contract of `refund_order` in 2 attempts' });
    expect(r.reports.map((x) => [x.attempt, x.proposal, x.errors.map((e) => `${e.pointer} ${e.code}`)])).toEqual([
      [1, first, ['/amount contract.exclusive_minimum']],
      [2, second, ['/order_id contract.pattern']],
    ]);
    expect(r.meta).toMatchObject({ attempts: 2, requests: 2 });
    expect(fake!.requests).toHaveLength(2);
  });

  it('re-asks an answer without a tool call in words, and reports it', async () => {
    const model = await modelOn([{ say: 'I approve this refund.' }, { tool: VALID }]);
    const r = await model.propose({ action: 'refund_order', input: EMAIL });
    expect(r).toMatchObject({ ok: true, proposal: VALID, meta: { attempts: 2 } });
    expect(r.reports[0]).toEqual({ attempt: 1, proposal: null, errors: [{ code: 'model.no_tool_call', pointer: '', message: 'the answer has no call of `propose_refund_order` (stop reason `end_turn`)' }] });
    expect(fake!.requests[1]!.body.messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'text', text: 'I approve this refund.' }] },
      { role: 'user', content: 'That proposal does not match the contract. Call the tool again with a corrected proposal. The errors:\n- model.no_tool_call: the answer has no call of `propose_refund_order` (stop reason `end_turn`)' },
    ]);
  });

  it('asks as many times as configured', async () => {
    const model = await modelOn([{ tool: {} }, { tool: {} }, { tool: VALID }], { attempts: 3 });
    const r = await model.propose({ action: 'refund_order', input: EMAIL });
    expect(r).toMatchObject({ ok: true, meta: { attempts: 3 } });
    expect(r.reports.map((x) => x.errors.length > 0)).toEqual([true, true, false]);
  });

  it('re-asks a tool call with extra members instead of stripping them, and ignores members the wire adds', async () => {
    const extra = { ...VALID, approved: true, policy_override: 'skip review' };
    const model = await modelOn([{ tool: extra, extra: { cache_control: { type: 'ephemeral' }, unknown_member: 1 } }, { tool: VALID, extra: { unknown_member: 2 } }]);
    const r = await model.propose({ action: 'refund_order', input: EMAIL });
    expect(r).toMatchObject({ ok: true, proposal: VALID });
    expect(r.reports[0]!.errors.map((e) => `${e.pointer} ${e.code}`)).toEqual(['/approved contract.additional_properties', '/policy_override contract.additional_properties']);
    // What went back to the model is the call as the API takes it: no member the wire added.
    expect(fake!.requests[1]!.body.messages[1]!.content).toEqual([{ type: 'tool_use', id: 'toolu_fake_1', name: 'propose_refund_order', input: extra }]);
  });

  it('waits as long as retry-after says after a 429, then succeeds', async () => {
    const model = await modelOn([{ status: 429, retryAfter: '2' }, { tool: VALID }]);
    const r = await model.propose({ action: 'refund_order', input: EMAIL });
    expect(r).toMatchObject({ ok: true, meta: { attempts: 1, requests: 2 } });
    // The SDK's own first backoff is under a second: a gap of two means retry-after was honoured.
    expect(fake!.requests[1]!.at - fake!.requests[0]!.at).toBeGreaterThanOrEqual(1900);
  });

  it('retries a 529 (overloaded) and a 500, then succeeds', async () => {
    const model = await modelOn([{ status: 529 }, { status: 500 }, { tool: VALID }]);
    const r = await model.propose({ action: 'refund_order', input: EMAIL });
    expect(r).toMatchObject({ ok: true, meta: { attempts: 1, requests: 3 } });
  });

  it('gives up with model.unavailable when the provider stays overloaded', async () => {
    const model = await modelOn([{ status: 529 }, { status: 529 }], { maxRetries: 1 });
    const e = await model.propose({ action: 'refund_order', input: EMAIL }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ code: 'model.unavailable', status: 529 });
    expect(fake!.requests).toHaveLength(2);
  });

  it('does not retry a request the provider refuses', async () => {
    const model = await modelOn([{ status: 400 }, { tool: VALID }]);
    const e = await model.propose({ action: 'refund_order', input: EMAIL }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'model.refused', status: 400 });
    expect(fake!.requests).toHaveLength(1);
  });

  it('retries a request that timed out, then succeeds', async () => {
    const model = await modelOn([{ hang: true }, { tool: VALID }], { timeoutMs: 300 });
    const r = await model.propose({ action: 'refund_order', input: EMAIL });
    expect(r).toMatchObject({ ok: true, proposal: VALID, meta: { attempts: 1, requests: 2 } });
  });

  it('stops at the overall deadline, retries included', async () => {
    const model = await modelOn([{ hang: true }, { hang: true }, { hang: true }], { timeoutMs: 60_000, deadlineMs: 400 });
    const e = await model.propose({ action: 'refund_order', input: EMAIL }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelError);
    expect(e).toMatchObject({ code: 'model.deadline', message: 'the model did not answer before the deadline, retries included' });
    expect(fake!.requests).toHaveLength(1);
  });

  it('counts each call\'s own requests when calls overlap', async () => {
    const model = await modelOn([{ status: 529 }, { tool: VALID }, { tool: VALID }]);
    const both = await Promise.all([model.propose({ action: 'refund_order', input: EMAIL }), model.propose({ action: 'refund_order', input: EMAIL })]);
    expect(both.map((r) => r.meta.requests).sort()).toEqual([1, 2]);
    expect(fake!.requests).toHaveLength(3);
  });

  it('reads the contract on every call, so a changed contract is enforced at once', async () => {
    fake = await startFakeMessages(script([{ tool: VALID }, { tool: VALID }, { tool: { ...VALID, amount: 99 } }]));
    let schema = refundContract.schema;
    const model = createAnthropicModel({ contract: () => ({ action: 'refund_order', schema }), baseURL: fake.url }, { ANTHROPIC_API_KEY: KEY });
    expect((await model.propose({ action: 'refund_order', input: EMAIL })).meta.attempts).toBe(1);
    schema = { ...schema, properties: { ...(schema.properties as object), amount: { type: 'number', maximum: 100 } } };
    const r = await model.propose({ action: 'refund_order', input: EMAIL });
    expect(r.reports.map((x) => x.errors.map((e) => e.code))).toEqual([['contract.maximum'], []]);
    expect(fake.requests[1]!.body.tools![0]!.input_schema).toMatchObject({ properties: { amount: { type: 'number', description: '(at most 100)' } } });
  });

  it('reads its key from the environment only, and never returns it', async () => {
    expect(() => createAnthropicModel({ contract: () => refundContract }, {})).toThrow('ANTHROPIC_API_KEY is not set; the Anthropic adapter reads its key from the environment only');
    const model = await modelOn([{ tool: { amount: 1 } }, { status: 401 }], { maxRetries: 0 });
    const e = await model.propose({ action: 'refund_order', input: EMAIL }).catch((x: unknown) => x) as ModelError;
    expect(e).toMatchObject({ code: 'model.refused', status: 401 });
    expect(`${e.message} ${JSON.stringify(e)}`).not.toContain(KEY);
    const ok = await (await modelOn([{ tool: VALID }])).propose({ action: 'refund_order', input: EMAIL });
    expect(JSON.stringify(ok)).not.toContain(KEY);
  });
});

describe('toolSchema', () => {
  it('keeps what the provider takes, and lists and hints what it drops', () => {
    const { schema, dropped } = toolSchema(refundContract.schema);
    expect(dropped.map((d) => `${d.pointer} ${d.keyword}`)).toEqual([
      '/properties/order_id pattern',
      '/properties/amount exclusiveMinimum', '/properties/amount multipleOf', '/properties/amount maximum',
      '/properties/note maxLength',
    ]);
    expect(schema).not.toHaveProperty('$schema');
    expect(schema).toMatchObject({
      type: 'object', additionalProperties: false, required: ['proposal_id', 'order_id', 'amount', 'currency', 'reason', 'refund_method'],
      properties: {
        proposal_id: { type: 'string', format: 'uuid' },
        order_id: { type: 'string', description: '(matching the regular expression ^o-[0-9]{1,12}$)' },
        amount: { type: 'number', description: 'refund amount in the order\'s currency (more than 0; a multiple of 0.01; at most 1000000)' },
        currency: { type: 'string', enum: ['EUR', 'USD', 'GBP'] },
      },
    });
  });

  it('inlines local references, drops a recursive one and formats the provider does not know, reads oneOf as anyOf', () => {
    const { schema, dropped } = toolSchema({
      $defs: { money: { type: 'number', minimum: 0 }, node: { type: 'object', properties: { next: { $ref: '#/$defs/node' } } } },
      type: 'object',
      properties: {
        price: { $ref: '#/$defs/money' }, tree: { $ref: '#/$defs/node' }, site: { type: 'string', format: 'iri' },
        when: { type: 'string', format: 'date-time' }, either: { oneOf: [{ type: 'string' }, { type: 'integer' }] }, remote: { $ref: 'https://example.com/s.json' },
      },
    });
    expect(schema.properties).toEqual({
      price: { type: 'number', description: '(at least 0)' },
      tree: { type: 'object', properties: { next: {} } },
      site: { type: 'string', description: '(in the format iri)' },
      when: { type: 'string', format: 'date-time' },
      either: { anyOf: [{ type: 'string' }, { type: 'integer' }] },
      remote: {},
    });
    expect(dropped.map((d) => `${d.pointer} ${d.keyword}`)).toEqual([
      '/properties/price minimum', '/properties/tree/properties/next $ref', '/properties/site format', '/properties/either oneOf', '/properties/remote $ref',
    ]);
  });
});
