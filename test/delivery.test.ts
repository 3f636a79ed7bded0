/**
 * Delivery of final decisions: the outbox written with the decision, the leased worker, retries
 * with backoff (a fake clock and injected randomness, no sleeping), dead letters, replays through
 * the API (audited in the chain), and the receiver's signature check.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { backoffMs } from '../adapters/delivery/backoff.js';
import { signWebhook, verifyWebhook } from '../adapters/delivery/webhook.js';
import { DeliveryWorker } from '../adapters/delivery/worker.js';
import type { Store } from '../adapters/stores/store.js';
import { recordDecision, type RecordPorts } from '../gate/record.js';
import { HOOKED } from './helpers/delivery.js';
import { compileMini, miniFiles } from './helpers/policy.js';
import { startReceiver, type Receiver } from './helpers/receiver.js';
import { describeStores, sqlite } from './helpers/stores.js';
import { testGate } from './helpers/gate.js';

const SECRET = 'whsec_test_0123456789';
const policy = compileMini(HOOKED);
const action = policy.actions.get('t')!;

/** A clock the test moves; the worker's backoff reads it. */
function fakeClock(start = '2026-11-21T10:00:00.000Z') {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (ms: number) => { now += ms; } };
}

const receivers: Receiver[] = [];
afterAll(async () => { for (const r of receivers) await r.close(); });
const receiver = async (plan: (number | 'hold')[]) => { const r = await startReceiver(plan); receivers.push(r); return r; };

function workerOn(store: Store, r: Receiver, clock: ReturnType<typeof fakeClock>, random = () => 0.5) {
  return new DeliveryWorker({ outbox: store, env: { HOOK_URL: r.url, HOOK_SECRET: SECRET }, fetch: globalThis.fetch, clock: clock.now, random, leaseMs: 10_000 });
}

async function approve(store: Store, clock: ReturnType<typeof fakeClock>, id: string, amount = 50) {
  const ports: RecordPorts = { log: store, clock: clock.now, idempotencyTtlMs: 3600_000 };
  const proposal = { id, amount };
  return recordDecision(ports, { action, policy, proposal, requestText: JSON.stringify({ action: 't', proposal }), caller: 'svc' });
}

describeStores('the outbox', ({ open }) => {
  it('writes an event with an approve, in its commit; a replayed request and a reject write none', async () => {
    const { store } = await open();
    const clock = fakeClock();
    const first = await approve(store, clock, 'p-1');
    expect(first.kind).toBe('created');
    expect((await approve(store, clock, 'p-1')).kind).toBe('replayed');
    expect((await approve(store, clock, 'p-2', 5000)).kind).toBe('created');
    const page = await store.deliveries({ limit: 10 });
    expect(page.items.map((d) => [d.decisionId, d.status, d.attempts])).toEqual([[first.kind === 'created' ? first.id : '', 'pending', 0]]);
    const body = JSON.parse(page.items[0]!.body) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'decision.final', version: 1, action: 't', outcome: 'approve', decidedBy: null, proposal: { id: 'p-1', amount: 50 } });
  });

  it('leases an event to one claim at a time, takes it again after the lease expires, and records an attempt only under the live lease', async () => {
    const { store } = await open();
    const clock = fakeClock();
    await approve(store, clock, 'p-1');
    const now = clock.now().toISOString();
    const later = new Date(clock.now().getTime() + 5000).toISOString();
    const a = await store.claimDeliveries(now, 'lease-a', later, 10);
    expect(a).toHaveLength(1);
    expect(await store.claimDeliveries(now, 'lease-b', later, 10)).toEqual([]);
    const b = await store.claimDeliveries(later, 'lease-b', new Date(Date.parse(later) + 5000).toISOString(), 10);
    expect(b.map((d) => d.id)).toEqual([a[0]!.id]);
    const attempt = { n: 1, startedAt: now, status: 200, latencyMs: 3, error: null, result: 'delivered' as const };
    expect(await store.completeAttempt({ deliveryId: a[0]!.id, lease: 'lease-a', at: later, next: { status: 'delivered' }, attempt })).toBe(false);
    expect(await store.completeAttempt({ deliveryId: a[0]!.id, lease: 'lease-b', at: later, next: { status: 'delivered' }, attempt })).toBe(true);
    const got = await store.delivery(a[0]!.id);
    expect(got?.delivery.status).toBe('delivered');
    expect(got?.attempts).toEqual([attempt]);
  });
});

describe('the delivery worker', () => {
  it('retries a receiver that fails three times, with full-jitter backoff, until it acknowledges once', async () => {
    const { store } = await sqlite.open();
    const r = await receiver([503, 500, 429, 200]);
    const clock = fakeClock();
    const randoms = [0.25, 0.5, 0.75];
    const w = workerOn(store, r, clock, () => randoms.shift()!);
    const created = await approve(store, clock, 'p-1');
    if (created.kind !== 'created') throw new Error('not created');
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(await w.tick()).toBe(1);
      expect(await w.tick()).toBe(0);  // not due again until its backoff has passed
      const d = (await store.deliveries({ limit: 1 })).items[0]!;
      if (d.status === 'pending') { waits.push(Date.parse(d.nextAt) - clock.now().getTime()); clock.advance(Date.parse(d.nextAt) - clock.now().getTime()); }
    }
    // attempt n waits random × min(cap, 1 s × 2^(n-1))
    expect(waits).toEqual([250, 1000, 3000]);
    expect(r.got.map((g) => g.answered)).toEqual([503, 500, 429, 200]);
    expect(r.acked()).toHaveLength(1);
    expect(new Set(r.got.map((g) => g.headers['idempotency-key']))).toEqual(new Set([created.id]));
    expect(new Set(r.got.map((g) => g.body)).size).toBe(1);
    const found = (await store.delivery((await store.deliveries({ limit: 1 })).items[0]!.id))!;
    expect(found.delivery.status).toBe('delivered');
    expect(found.attempts.map((a) => [a.n, a.status, a.result])).toEqual([[1, 503, 'retry'], [2, 500, 'retry'], [3, 429, 'retry'], [4, 200, 'delivered']]);
    expect(found.attempts[0]!.error).toBe('the receiver answered 503: no');
    await store.close();
  });

  it('dead-letters at once on a 400, and after max_attempts on errors that may pass', async () => {
    const { store } = await sqlite.open();
    const clock = fakeClock();
    const bad = await receiver([400]);
    await approve(store, clock, 'p-1');
    await workerOn(store, bad, clock).tick();
    const dead = (await store.deliveries({ status: 'dead', limit: 5 })).items;
    expect(dead.map((d) => [d.attempts, d.lastError])).toEqual([[1, 'the receiver answered 400: no']]);
    expect(bad.got).toHaveLength(1);

    const { store: s2 } = await sqlite.open();
    const down = await receiver([502]);
    await approve(s2, clock, 'p-2');
    const w = workerOn(s2, down, clock, () => 0);
    for (let i = 0; i < 5; i++) await w.tick();
    expect(await w.tick()).toBe(0);
    const d2 = (await s2.deliveries({ limit: 5 })).items[0]!;
    expect([d2.status, d2.attempts]).toEqual(['dead', 5]);
    expect(d2.lastError).toBe('the receiver answered 502: no (attempt 5 of 5: giving up)');
    expect(down.got).toHaveLength(5);
    await store.close();
    await s2.close();
  });

  it('tells the fallback once, signed, when an event is dead-lettered', async () => {
    const withFallback = compileMini({ ...HOOKED, action: { ...HOOKED.action, deliver: { url_env: 'HOOK_URL', secret_env: 'HOOK_SECRET', max_attempts: 2, fallback: { url_env: 'ONCALL_URL' } } } });
    const { store } = await sqlite.open();
    const clock = fakeClock();
    const down = await receiver([503]);
    const oncall = await receiver([200]);
    const proposal = { id: 'p-1', amount: 20 };
    const rec = await recordDecision({ log: store, clock: clock.now, idempotencyTtlMs: 3600_000 }, { action: withFallback.actions.get('t')!, policy: withFallback, proposal, requestText: JSON.stringify({ action: 't', proposal }), caller: 'svc' });
    const dead: string[] = [];
    const w = new DeliveryWorker({ outbox: store, env: { HOOK_URL: down.url, HOOK_SECRET: SECRET, ONCALL_URL: oncall.url }, fetch: globalThis.fetch, clock: clock.now, random: () => 0, observe: { dead: (d) => dead.push(d.id) } });
    await w.tick();
    expect(oncall.got).toHaveLength(0);
    await w.tick();
    expect(dead).toHaveLength(1);
    expect(oncall.got).toHaveLength(1);
    const note = oncall.got[0]!;
    expect(verifyWebhook(SECRET, note.headers, note.body, { now: Math.floor(clock.now().getTime() / 1000) })).toMatchObject({ ok: true, idempotencyKey: `${rec.kind === 'created' ? rec.id : ''}:dead` });
    expect(JSON.parse(note.body)).toMatchObject({ type: 'delivery.dead', delivery: dead[0], attempts: 2, lastError: 'the receiver answered 503: no (attempt 2 of 2: giving up)', event: { outcome: 'approve', proposal } });
    await store.close();
  });

  it('computes full jitter within the exponential ceiling, capped', () => {
    expect([1, 2, 3, 4].map((n) => backoffMs(n, () => 0.999999))).toEqual([999, 1999, 3999, 7999]);
    expect(backoffMs(30, () => 0.5)).toBe(300_000);
    expect(backoffMs(5, () => 0)).toBe(0);
  });
});

describe('the dead-letter queue over HTTP', () => {
  it('lists a dead letter, shows its attempts, replays it with the same idempotency key, and audits the replay and a purge in the chain', async () => {
    const clock = fakeClock();
    const g = testGate({ files: miniFiles(HOOKED), clock: clock.now });
    const r = await receiver([400, 200]);
    const w = workerOn(g.deps.store, r, clock);
    const decided = await (await g.post('/v1/decisions', { action: 't', proposal: { id: 'p-1', amount: 20 } }, g.keys.service)).json() as { id: string; outcome: string };
    expect(decided.outcome).toBe('approve');
    await w.tick();
    expect((await g.get('/v1/deliveries?status=dead', g.keys.service)).status).toBe(403);
    const list = await (await g.get('/v1/deliveries?status=dead')).json() as { items: { id: string; decisionId: string; status: string }[] };
    expect(list.items.map((d) => [d.decisionId, d.status])).toEqual([[decided.id, 'dead']]);
    const id = list.items[0]!.id;
    const shown = await (await g.get(`/v1/deliveries/${id}`)).json() as { attempts: { status: number; result: string; error: string; latencyMs: number }[]; body: { decision: string } };
    expect(shown.attempts.map((a) => [a.status, a.result, a.error])).toEqual([[400, 'dead', 'the receiver answered 400: no']]);
    expect(shown.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(0);
    expect(shown.body.decision).toBe(decided.id);

    const replayed = await g.post(`/v1/deliveries/${id}/replay`, {});
    expect(replayed.status).toBe(200);
    expect((await replayed.json() as { delivery: { status: string } }).delivery.status).toBe('pending');
    const again = await g.post(`/v1/deliveries/${id}/replay`, {});
    expect(again.status).toBe(409);
    expect((await again.json() as { error: { code: string; details: unknown } }).error).toMatchObject({ code: 'delivery_not_dead', details: { status: 'pending' } });
    await w.tick();
    expect(r.got.map((x) => [x.answered, x.headers['idempotency-key']])).toEqual([[400, decided.id], [200, decided.id]]);
    expect(r.got[0]!.body).toBe(r.got[1]!.body);
    expect((await g.deps.store.delivery(id))?.delivery.status).toBe('delivered');
    expect((await g.app.request(`/v1/deliveries/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${g.keys.admin}` } })).status).toBe(409);

    // A second event, dead and purged.
    await (await g.post('/v1/decisions', { action: 't', proposal: { id: 'p-2', amount: 20 } }, g.keys.service)).json();
    const bad = await receiver([404]);
    await workerOn(g.deps.store, bad, clock).tick();
    const dead2 = (await g.deps.store.deliveries({ status: 'dead', limit: 5 })).items[0]!;
    const purged = await g.app.request(`/v1/deliveries/${dead2.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${g.keys.admin}` } });
    expect(purged.status).toBe(200);
    expect((await g.deps.store.delivery(dead2.id))?.delivery.status).toBe('purged');

    const records: string[] = [];
    for await (const rec of g.deps.store.export()) records.push('kind' in rec ? `${rec.kind}:${rec.kind === 'delivery' ? `${rec.delivery.op}:${rec.caller}` : ''}` : rec.decision.outcome);
    expect(records).toEqual(['approve', 'delivery:replay:admin', 'approve', 'delivery:purge:admin']);
    expect(await g.deps.store.verify()).toEqual({ ok: true, count: 4 });
    const metrics = await (await g.app.request('/metrics')).text();
    expect(metrics).toContain('arbiter_delivery_commands_total{op="replay"} 1');
    await g.deps.store.close();
  });

  it('delivers a decision approved in review, with the reviewer, and a rejection too', async () => {
    const clock = fakeClock();
    const g = testGate({ files: miniFiles(HOOKED), clock: clock.now });
    const r = await receiver([200]);
    const w = workerOn(g.deps.store, r, clock);
    const a = await (await g.post('/v1/decisions', { action: 't', proposal: { id: 'p-1', amount: 200 } }, g.keys.service)).json() as { id: string; outcome: string };
    const b = await (await g.post('/v1/decisions', { action: 't', proposal: { id: 'p-2', amount: 300 } }, g.keys.service)).json() as { id: string; outcome: string };
    expect([a.outcome, b.outcome]).toEqual(['review', 'review']);
    expect(await w.tick()).toBe(0);
    const hash = async (id: string) => ((await (await g.get(`/v1/reviews/${id}`, g.keys.alice)).json()) as { review: { proposalHash: string } }).review.proposalHash;
    expect((await g.post(`/v1/reviews/${a.id}/approve`, { proposalHash: await hash(a.id) }, g.keys.alice)).status).toBe(200);
    expect((await g.post(`/v1/reviews/${b.id}/reject`, { proposalHash: await hash(b.id), reason: { text: 'not owed' } }, g.keys.alice)).status).toBe(200);
    expect(await w.tick()).toBe(2);
    const bodies = r.got.map((x) => JSON.parse(x.body) as { decision: string; outcome: string; decidedBy: string; reason: unknown }).sort((x, y) => x.decision.localeCompare(y.decision));
    expect(bodies.map((x) => [x.decision, x.outcome, x.decidedBy, x.reason])).toEqual([[a.id, 'approve', 'alice', null], [b.id, 'reject', 'alice', { text: 'not owed' }]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))));
    await g.deps.store.close();
  });
});

describe('verifyWebhook', () => {
  const body = '{"type":"decision.final","decision":"d-1"}';
  const t = 1_800_000_000;
  const headers = { 'arbiter-signature': signWebhook(SECRET, body, t), 'idempotency-key': 'd-1' };

  it('accepts the body as signed, within the replay window', () => {
    expect(verifyWebhook(SECRET, headers, body, { now: t + 299 })).toEqual({ ok: true, timestamp: t, idempotencyKey: 'd-1' });
    expect(verifyWebhook(SECRET, new Headers(headers), Buffer.from(body), { now: t - 10 })).toMatchObject({ ok: true });
  });

  it('refuses a tampered body, a stale timestamp, another secret and a missing or malformed header', () => {
    expect(verifyWebhook(SECRET, headers, body.replace('d-1', 'd-2'), { now: t })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook(SECRET, headers, body, { now: t + 301 })).toMatchObject({ ok: false, reason: 'stale_timestamp', message: "the signature's timestamp is 301 s from this clock; at most 300 s are accepted" });
    expect(verifyWebhook('another', headers, body, { now: t })).toMatchObject({ ok: false, reason: 'bad_signature' });
    expect(verifyWebhook(SECRET, {}, body, { now: t })).toMatchObject({ ok: false, reason: 'missing_signature' });
    expect(verifyWebhook(SECRET, { 'arbiter-signature': `t=${t},v1=zz` }, body, { now: t })).toMatchObject({ ok: false, reason: 'malformed_signature' });
    // A fresh timestamp on an old signature does not verify: the timestamp is signed with the body.
    const forged = headers['arbiter-signature'].replace(`t=${t}`, `t=${t + 1000}`);
    expect(verifyWebhook(SECRET, { 'arbiter-signature': forged }, body, { now: t + 1000 })).toMatchObject({ ok: false, reason: 'bad_signature' });
  });
});
