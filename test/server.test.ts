/** The gate's HTTP API through app.request(): every status code, idempotency, limits, logs, metrics. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import formatsPlugin from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { StoreUnavailableError, type Store } from '../adapters/stores/store.js';
import { ROOT } from './helpers/cli.js';
import { testGate } from './helpers/gate.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;
const refund = (over: Record<string, unknown> = {}) => ({ action: 'refund_order', proposal: { ...proposal, ...over }, context });

type Json = Record<string, unknown> & { error?: { code: string; message: string; details?: Record<string, unknown> } };
const json = async (r: Response) => (await r.json()) as Json;

describe('POST /v1/decisions', () => {
  it('decides, records, and returns the decision with reasons, risk, trace and revision', async () => {
    const g = testGate();
    const r = await g.post('/v1/decisions', refund());
    expect(r.status).toBe(200);
    const d = await json(r);
    expect(d).toMatchObject({
      action: 'refund_order', outcome: 'review', replayed: false, contract: 'refund_order@2', context: 'refund_order_context@1',
      idempotencyKey: proposal.proposal_id, revision: g.deps.policy.current.revision,
      reasons: [{ kind: 'rule', rule: 'refund.large_needs_person', outcome: 'review', message: 'refund of 650 EUR for a standard customer needs a person' }],
      risk: { score: 40, tier: 'medium', signals: [{ id: 'most_of_order', points: 40, result: 'fired' }] },
    });
    expect(d.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((d.trace as { level: string; rules: { rule: string }[] }).rules.map((x) => x.rule)).toEqual(['refund.large_needs_person']);
    const { review, final, ...stored } = await json(await g.get(`/v1/decisions/${String(d.id)}`));
    expect(stored).toEqual({ ...d, seq: 1, caller: 'admin', request: { proposal, context } });
    // A `review` decision reads with its queue item, still pending, and the outcome to act on so far.
    expect(review).toMatchObject({ id: d.id, queue: 'payments', status: 'pending', rules: ['refund.large_needs_person'] });
    expect(final).toEqual({ outcome: 'review', by: null, at: null, reason: null });
  });

  it('leaves the trace out of the answer when asked, and keeps it in the record', async () => {
    const g = testGate();
    const brief = await json(await g.post('/v1/decisions', { ...refund(), answerTrace: false }));
    expect(brief).toMatchObject({ outcome: 'review', replayed: false, reasons: [{ rule: 'refund.large_needs_person' }] });
    expect(brief).not.toHaveProperty('trace');
    const stored = await json(await g.get(`/v1/decisions/${String(brief.id)}`));
    expect((stored.trace as { rules: { rule: string }[] }).rules.map((x) => x.rule)).toEqual(['refund.large_needs_person']);
    const { trace, seq, caller, request, review, final, ...rest } = stored;
    expect(rest).toEqual(brief);
    expect([review && (review as { status: string }).status, final]).toEqual(['pending', { outcome: 'review', by: null, at: null, reason: null }]);
    expect([seq, caller, request]).toEqual([1, 'admin', { proposal, context }]);
    // A replay answers as its own request asks; the payload, not the answer's form, decides what is a repeat.
    expect(await json(await g.post('/v1/decisions', refund()))).toEqual({ ...brief, trace, replayed: true });
    expect(await json(await g.post('/v1/decisions', { ...refund(), answerTrace: false }))).toEqual({ ...brief, replayed: true });
  });

  it('returns the first decision for a repeat, whatever the member order, spacing and number spelling', async () => {
    const g = testGate();
    const first = await json(await g.post('/v1/decisions', refund()));
    const respelled = `{ "context": ${JSON.stringify(context)},\n "proposal": ${JSON.stringify({ ...proposal }).replace('"amount":650', '"amount":650.00')}, "action": "refund_order" }`;
    const again = await g.post('/v1/decisions', respelled);
    expect(again.status).toBe(200);
    const a = await json(again);
    expect(a).toEqual({ ...first, replayed: true });
  });

  it('keeps the first decision for a repeat even after the policy changed', async () => {
    // The change breaks a test case of the pack on purpose; the reload tests have their own file.
    const g = testGate({ reloadTests: false });
    const first = await json(await g.post('/v1/decisions', refund()));
    g.files.set('rules/refund_order.yaml', g.files.get('rules/refund_order.yaml')!.replace('value: 500 }', 'value: 5000 }'));
    const status = await json(await g.post('/v1/policy/reload', {}));
    expect(status).toMatchObject({ ok: true, errors: [] });
    expect(status.revision).not.toBe(first.revision);
    const again = await json(await g.post('/v1/decisions', refund()));
    expect(again).toEqual({ ...first, replayed: true });
    const fresh = await json(await g.post('/v1/decisions', refund({ proposal_id: '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d' })));
    expect(fresh).toMatchObject({ outcome: 'approve', revision: status.revision, reasons: [] });
  });

  it('answers 409 naming the original decision when the same key comes with another payload', async () => {
    const g = testGate();
    const first = await json(await g.post('/v1/decisions', refund()));
    const r = await g.post('/v1/decisions', refund({ amount: 649 }));
    expect(r.status).toBe(409);
    expect(await json(r)).toEqual({ error: {
      code: 'idempotency_conflict', message: `idempotency key \`${String(proposal.proposal_id)}\` was used for a different refund_order proposal`, details: { decisionId: first.id },
    } });
    const list = await json(await g.get('/v1/decisions'));
    expect((list.items as unknown[]).length).toBe(1);
  });

  it('makes one decision from 200 parallel identical submissions', async () => {
    const g = testGate();
    const rs = await Promise.all(Array.from({ length: 200 }, () => g.post('/v1/decisions', refund())));
    expect(rs.map((r) => r.status)).toEqual(Array(200).fill(200));
    const bodies = await Promise.all(rs.map(json));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies.filter((b) => !b.replayed).length).toBe(1);
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 1 });
  });

  it('uses the Idempotency-Key header for an action whose proposal names no key', async () => {
    const files = new Map(testGate().files);
    files.set('rules.registry.yaml', files.get('rules.registry.yaml')!.replace('    idempotency: { key: /proposal_id }\n    default: approve\n    review:\n      queue: payments', '    default: approve\n    review:\n      queue: payments'));
    const g = testGate({ files });
    const a = await json(await g.post('/v1/decisions', refund(), g.keys.admin, { 'idempotency-key': 'order-8812-refund-1' }));
    const b = await json(await g.post('/v1/decisions', refund(), g.keys.admin, { 'idempotency-key': 'order-8812-refund-1' }));
    const c = await json(await g.post('/v1/decisions', refund()));
    const d = await json(await g.post('/v1/decisions', refund()));
    expect(a).toMatchObject({ idempotencyKey: 'order-8812-refund-1', replayed: false });
    expect(b).toMatchObject({ id: a.id, replayed: true });
    expect(c).toMatchObject({ idempotencyKey: null, replayed: false });
    expect(d.id).not.toBe(c.id);
    expect((await g.post('/v1/decisions', refund(), g.keys.admin, { 'idempotency-key': 'ünïcode' })).status).toBe(400);
  });

  it('records a contract violation as a reject with its errors', async () => {
    const g = testGate();
    const r = await g.post('/v1/decisions', refund({ amount: -3 }));
    expect(r.status).toBe(200);
    expect(await json(r)).toMatchObject({
      outcome: 'reject', reasons: [{ kind: 'contract', outcome: 'reject', message: 'the request does not satisfy its contracts (1 error)' }],
      errors: [{ code: 'contract.exclusive_minimum', pointer: '/proposal/amount', message: '`/proposal/amount` must be > 0' }],
    });
  });
});

describe('errors', () => {
  it('400 for malformed JSON and duplicate members, each limit with its own code; the BOM is allowed', async () => {
    const g = testGate({ limits: { maxDepth: 8, maxStringLength: 100 } });
    const bad = async (body: string) => { const r = await g.post('/v1/decisions', body); return { status: r.status, ...(await json(r)).error }; };
    expect(await bad('{"action": "refund_order", ')).toMatchObject({ status: 400, code: 'malformed_json' });
    expect(await bad('{"action": "refund_order", "action": "tier_upgrade", "proposal": {}}')).toMatchObject({ status: 400, code: 'malformed_json', message: 'member `action` appears twice in one object (offset 27)' });
    expect(await bad('{"a": {"b\\u0022": 1, "b\\"": 2}}')).toMatchObject({ status: 400, code: 'malformed_json', message: 'member `b"` appears twice in one object (offset 21)' });
    expect(await bad(`{"proposal": ${'['.repeat(9)}${']'.repeat(9)}}`)).toMatchObject({ status: 400, code: 'nesting_too_deep', message: 'the body is nested deeper than the limit of 8 levels' });
    expect(await bad(`{"action": "${'x'.repeat(101)}"}`)).toMatchObject({ status: 400, code: 'string_too_long', message: 'a string at offset 11 is longer than the limit of 100 characters' });
    const withBom = await g.post('/v1/decisions', `\uFEFF${JSON.stringify({ action: 'tier_upgrade', proposal: { x: 1 }, context: {} })}`);
    expect(withBom.status).toBe(200);
  });

  it('400 for an envelope of the wrong shape, with the details', async () => {
    const g = testGate();
    const r = await g.post('/v1/decisions', { action: 'refund_order', proposl: {} });
    expect(r.status).toBe(400);
    const e = (await json(r)).error!;
    expect(e.code).toBe('invalid_request');
    expect(e.details).toEqual({ errors: [
      { code: 'contract.required', pointer: '/proposal', message: '`/proposal` is required' },
      { code: 'contract.additional_properties', pointer: '/proposl', message: '`/proposl` is not allowed by the contract' },
    ] });
  });

  it('keeps __proto__ and constructor as plain data', async () => {
    const g = testGate();
    const r = await g.post('/v1/decisions', '{"action": "refund_order", "proposal": {"__proto__": {"polluted": true}, "constructor": {"prototype": {"x": 1}}}, "context": {}}');
    expect(r.status).toBe(200);
    const d = await json(r);
    expect(d.outcome).toBe('reject');
    expect((d.errors as { pointer: string }[]).map((x) => x.pointer)).toContain('/proposal/__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).x).toBeUndefined();
  });

  it('401 without a valid key, 403 without the scope', async () => {
    const g = testGate();
    const none = await g.app.request('/v1/decisions', { method: 'POST', body: JSON.stringify(refund()), headers: { 'content-type': 'application/json' } });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await json(none)).error!.code).toBe('unauthorized');
    // The same key with its last digit changed (to one it is not).
    const wrong = await g.post('/v1/decisions', refund(), `${g.keys.admin.slice(0, -1)}${g.keys.admin.endsWith('0') ? '1' : '0'}`);
    expect((await json(wrong)).error).toEqual({ code: 'unauthorized', message: 'the API key is not valid' });
    const reader = await g.post('/v1/decisions', refund(), g.keys.reader);
    expect(reader.status).toBe(403);
    expect((await json(reader)).error).toEqual({ code: 'forbidden', message: 'API key `reader` lacks scope `decide:refund_order`' });
    expect((await g.post('/v1/decisions', refund(), g.keys.refunds)).status).toBe(200);
    expect((await g.post('/v1/decisions', { action: 'tier_upgrade', proposal: {} }, g.keys.refunds)).status).toBe(403);
    expect((await g.get('/v1/decisions', g.keys.refunds)).status).toBe(403);
    expect((await g.post('/v1/policy/reload', {}, g.keys.service)).status).toBe(403);
    const viaHeader = await g.app.request('/v1/policy', { headers: { 'x-api-key': g.keys.reader } });
    expect(viaHeader.status).toBe(200);
  });

  it('404 for an unknown action, decision, route or contract version', async () => {
    const g = testGate();
    const action = await g.post('/v1/decisions', { action: 'refund_orders', proposal: {} });
    expect(action.status).toBe(404);
    expect((await json(action)).error!.code).toBe('unknown_action');
    expect((await json(await g.get('/v1/decisions/nope'))).error).toEqual({ code: 'not_found', message: 'no decision `nope`' });
    expect((await g.get('/v1/nothing')).status).toBe(404);
    const version = await g.get('/v1/contracts/refund_order/7');
    expect(version.status).toBe(404);
    expect((await json(version)).error).toEqual({
      code: 'unknown_contract_version', message: 'action `refund_order` serves no contract version `7`; it serves `refund_order@1`, `refund_order@2` (current)',
      details: { versions: ['refund_order@1', 'refund_order@2'], current: 'refund_order@2' },
    });
  });

  it('413 for a body over the limit, before it is parsed', async () => {
    const g = testGate();
    const big = JSON.stringify(refund({ note: 'x'.repeat(2 * 1024 * 1024) }));
    const r = await g.post('/v1/decisions', big);
    expect(r.status).toBe(413);
    expect((await json(r)).error).toEqual({ code: 'payload_too_large', message: 'the body is larger than the limit of 1048576 bytes' });
  });

  it('415 for a body that is not JSON', async () => {
    const g = testGate();
    const r = await g.app.request('/v1/decisions', { method: 'POST', body: 'action=refund_order', headers: { authorization: `Bearer ${g.keys.admin}`, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(415);
    expect((await json(r)).error!.code).toBe('unsupported_media_type');
  });

  it('429 with Retry-After when a key is over its rate', async () => {
    const g = testGate();
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await g.post('/v1/decisions', refund({ proposal_id: `0b6f8a2e-4c1d-4e7a-9f3b-2d5c8e1a7b9${i}` }), g.keys.slow));
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(statuses[2]!.headers.get('retry-after')).toBe('1');
    expect((await json(statuses[2]!)).error!.code).toBe('rate_limited');
  });

  it('charges one rate per key across routes, not one per route', async () => {
    const g = testGate();
    const decided = [];
    for (let i = 0; i < 2; i++) decided.push(await g.post('/v1/decisions', refund({ proposal_id: `5c0e1d2f-3a4b-4c5d-8e6f-7a8b9c0d1e2${i}` }), g.keys.slow));
    expect(decided.map((r) => r.status)).toEqual([200, 200]);
    const other = await g.get('/v1/contracts/refund_order', g.keys.slow);
    expect(other.status).toBe(429);
    expect((await json(other)).error!.code).toBe('rate_limited');
  });

  it('503 with Retry-After when the store is unavailable, and /readyz says so', async () => {
    const sqlite = testGate().deps.store;
    const broken: Store = { ...sqlite, append: () => Promise.reject(new StoreUnavailableError('disk full')), ping: () => Promise.reject(new StoreUnavailableError('down')) };
    const g = testGate({ store: broken });
    const r = await g.post('/v1/decisions', refund());
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('1');
    expect((await json(r)).error).toEqual({ code: 'store_unavailable', message: 'the decision store is unavailable, so the decision is not acknowledged; retry with the same idempotency key (if it was recorded after all, the retry replays it)' });
    expect((await g.app.request('/readyz')).status).toBe(503);
    expect(g.logs.some((l) => l.level === 50 && l.msg === 'the decision store is unavailable, so the decision is not acknowledged; retry with the same idempotency key (if it was recorded after all, the retry replays it)')).toBe(true);
  });
});

describe('POST /v1/evaluate', () => {
  it('decides at the given time and records nothing', async () => {
    const g = testGate();
    const body = { action: 'tier_upgrade', proposal: { proposal_id: '3f0c4a52-8a8e-4c3e-9d2a-5b7f1e2d9c10', customer_id: 'c-1', current_tier: 'basic', target_tier: 'standard', effective_date: '2026-11-22T00:00:00Z', justification: 'more seats needed' },
      context: { customer: { tier: 'basic', account_status: 'active', balance_past_due: 0, signup_date: '2024-01-01' }, upgrades_last_30d: 0 } };
    const then = await json(await g.post('/v1/evaluate', { ...body, now: '2026-11-21T10:00:00Z' }, g.keys.evaluator));
    expect(then).toMatchObject({ outcome: 'approve', now: '2026-11-21T10:00:00Z' });
    expect(then.id).toBeUndefined();
    const later = await json(await g.post('/v1/evaluate', { ...body, now: '2027-01-01T00:00:00Z' }, g.keys.evaluator));
    expect(later).toMatchObject({ outcome: 'reject', reasons: [{ rule: 'upgrade.backdated' }] });
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 0 });
    expect((await g.post('/v1/evaluate', body, g.keys.service)).status).toBe(403);
  });
});

describe('reading', () => {
  it('lists decisions newest first, filtered, with a cursor', async () => {
    const g = testGate();
    for (let i = 0; i < 5; i++) await g.post('/v1/decisions', refund({ proposal_id: `0b6f8a2e-4c1d-4e7a-9f3b-2d5c8e1a7b9${i}`, amount: i < 2 ? 650 : 50 }));
    const page = await json(await g.get('/v1/decisions?limit=2', g.keys.reader));
    expect((page.items as { seq: number }[]).map((x) => x.seq)).toEqual([5, 4]);
    const next = await json(await g.get(`/v1/decisions?limit=2&cursor=${String(page.next)}`, g.keys.reader));
    expect((next.items as { seq: number }[]).map((x) => x.seq)).toEqual([3, 2]);
    const reviews = await json(await g.get('/v1/decisions?outcome=review', g.keys.reader));
    expect((reviews.items as { seq: number; outcome: string }[]).map((x) => [x.seq, x.outcome])).toEqual([[2, 'review'], [1, 'review']]);
    expect((await g.get('/v1/decisions?outcome=maybe', g.keys.reader)).status).toBe(400);
    expect((await g.get('/v1/decisions?limit=0', g.keys.reader)).status).toBe(400);
  });

  it('serves contracts for constrained decoding, any version', async () => {
    const g = testGate();
    const current = await json(await g.get('/v1/contracts/refund_order', g.keys.refunds));
    expect(current.title).toBe('refund_order@2: a refund of one order');
    const old = await json(await g.get('/v1/contracts/refund_order/1', g.keys.reader));
    expect(old.title).toMatch(/^refund_order@1/);
    expect((await g.get('/v1/contracts/tier_upgrade', g.keys.refunds)).status).toBe(403);
  });

  it('describes the policy, and keeps serving the old revision when a reload fails', async () => {
    const g = testGate();
    const before = await json(await g.get('/v1/policy', g.keys.reader));
    expect(before).toMatchObject({ revision: g.deps.policy.current.revision, lastReload: { ok: true, errors: [] } });
    expect((before.actions as { name: string; contract: string }[]).map((a) => `${a.name}:${a.contract}`)).toEqual([
      'tier_upgrade:tier_upgrade@1', 'refund_order:refund_order@2', 'send_external_email:send_external_email@1', 'modify_user_permissions:modify_user_permissions@1', 'create_support_ticket:create_support_ticket@1',
    ]);
    g.files.set('rules/refund_order.yaml', g.files.get('rules/refund_order.yaml')!.replace('fact: proposal.amount, operator: greaterThan, value: 500', 'fact: proposal.amout, operator: greaterThan, value: 500'));
    const failed = await json(await g.post('/v1/policy/reload', {}));
    expect(failed).toMatchObject({ ok: false, revision: null, errors: [expect.stringContaining('rules/refund_order.yaml:40:19: unknown_fact')] });
    const after = await json(await g.get('/v1/policy', g.keys.reader));
    expect(after.revision).toBe(before.revision);
    expect(after.lastReload).toEqual(failed);
    expect((await g.post('/v1/decisions', refund())).status).toBe(200);
    expect(g.logs.some((l) => l.msg === 'policy reload failed; still serving the previous revision')).toBe(true);
  });
});

describe('operations', () => {
  it('health, readiness, metrics and OpenAPI need no key', async () => {
    const g = testGate();
    await g.post('/v1/decisions', refund());
    await g.post('/v1/decisions', refund());
    expect(await json(await g.app.request('/healthz'))).toEqual({ status: 'ok' });
    expect(await json(await g.app.request('/readyz'))).toEqual({ status: 'ready', revision: g.deps.policy.current.revision });
    const metrics = await (await g.app.request('/metrics')).text();
    expect(metrics).toContain('arbiter_decisions_total{action="refund_order",outcome="review",replayed="false"} 1');
    expect(metrics).toContain('arbiter_decisions_total{action="refund_order",outcome="review",replayed="true"} 1');
    expect(metrics).toContain('arbiter_rules_fired_total{action="refund_order",rule="refund.large_needs_person",mode="enforce"} 1');
    expect(metrics).toContain(`arbiter_policy_info{revision="${g.deps.policy.current.revision}"} 1`);
    expect(metrics).toMatch(/arbiter_decision_duration_seconds_count\{action="refund_order"\} 2/);
    expect(metrics).toMatch(/arbiter_store_duration_seconds_count\{op="append"\} 2/);
    expect(metrics).toContain('arbiter_http_requests_total{route="/v1/decisions",status="200"} 2');
    const api = await json(await g.app.request('/openapi.json')) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(api.paths)).toEqual(expect.arrayContaining(['/v1/decisions', '/v1/decisions/{id}', '/v1/evaluate', '/v1/contracts/{action}', '/v1/policy', '/metrics']));
    expect(api.components.schemas.DecideRequest).toEqual((await import('../server/wire.js')).schemas.DecideRequest);
  });

  it('embeds every served contract in /openapi.json and types each action\'s request with it', async () => {
    const g = testGate();
    const api = await json(await g.app.request('/openapi.json')) as { paths: Record<string, Record<string, { requestBody: unknown }>>; components: { schemas: Record<string, unknown> } };
    const action = g.deps.policy.current.actions.get('refund_order')!;
    expect([...action.versions.keys()]).toEqual(['refund_order@1', 'refund_order@2']);
    expect(api.components.schemas.RefundOrderV1).toEqual(action.versions.get('refund_order@1')!.use.schema);
    expect(api.components.schemas.RefundOrderV2).toEqual(action.contract.schema);
    expect(api.components.schemas.RefundOrderContextV1).toEqual(action.context!.schema);
    expect(api.components.schemas['DecideRequest.refund_order']).toMatchObject({
      required: ['action', 'proposal'], additionalProperties: false,
      properties: { action: { const: 'refund_order' }, proposal: { anyOf: [{ $ref: '#/components/schemas/RefundOrderV1' }, { $ref: '#/components/schemas/RefundOrderV2' }] }, context: { $ref: '#/components/schemas/RefundOrderContextV1' } },
    });
    const body = api.paths['/v1/decisions']!.post!.requestBody as { content: { 'application/json': { schema: { oneOf: unknown[]; discriminator: { propertyName: string; mapping: Record<string, string> } } } } };
    const { oneOf, discriminator } = body.content['application/json'].schema;
    expect(oneOf).toHaveLength(g.deps.policy.current.actions.size);
    expect(discriminator).toEqual({ propertyName: 'action', mapping: Object.fromEntries([...g.deps.policy.current.actions.keys()].map((a) => [a, `#/components/schemas/DecideRequest.${a}`])) });

    // What the gate decides validates against the typed request; a misspelled enum does not, and says where.
    // ajv knows no discriminator mapping (a hint for generators); the oneOf alone decides here.
    const ajv = formatsPlugin.default(new Ajv2020({ strict: false, allErrors: true }));
    ajv.addSchema(api, 'api');
    const valid = ajv.compile({ $ref: 'api#/paths/~1v1~1decisions/post/requestBody/content/application~1json/schema' });
    expect(valid(refund()), JSON.stringify(valid.errors)).toBe(true);
    expect((await g.post('/v1/decisions', refund())).status).toBe(200);
    expect(valid(refund({ reason: 'damagd' }))).toBe(false);
    expect(valid.errors!.map((e) => `${e.instancePath} ${e.message}`)).toContain('/proposal/reason must be equal to one of the allowed values');
    expect(valid({ ...refund(), action: 'refund_ordr' })).toBe(false);
  });

  it('logs one line per request with request and trace ids, and no proposal unless asked', async () => {
    const g = testGate();
    await g.post('/v1/decisions', refund(), g.keys.service, { 'x-request-id': 'req-42', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    const line = g.logs.find((l) => l.msg === 'request')!;
    expect(line).toMatchObject({ requestId: 'req-42', traceId: '4bf92f3577b34da6a3ce929d0e0e4736', method: 'POST', route: '/v1/decisions', status: 200, key: 'service', action: 'refund_order', outcome: 'review', replayed: false });
    expect(line.decisionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(line.proposal).toBeUndefined();

    const withBodies = testGate({ logProposals: { redact: ['/proposal/note'] } });
    await withBodies.post('/v1/decisions', refund());
    const logged = withBodies.logs.find((l) => l.msg === 'request')!;
    expect(logged.proposal).toMatchObject({ amount: 650, note: '[redacted]' });
  });

  it('sends X-Request-Id back', async () => {
    const g = testGate();
    const r = await g.app.request('/healthz', { headers: { 'x-request-id': 'abc' } });
    expect(r.headers.get('x-request-id')).toBe('abc');
    expect((await g.app.request('/healthz')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
