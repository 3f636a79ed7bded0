/**
 * Concurrency across two replicas on one PostgreSQL: 1,000 requests sent at once, 10% of them
 * repeating a key another request carries (spread over both replicas), make one decision per key;
 * simultaneous verdicts on one review item, from both replicas, have exactly one winner. The
 * verdict race also runs on SQLite, where one gate serves. Dead letters replayed by many
 * operators at once, over both replicas, go back to the outbox once and reach the receiver once
 * more, with the idempotency key and body of their first attempt; on SQLite too.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { arbiter } from '../helpers/cli.js';
import { delivering, refund } from '../helpers/crash.js';
import { killAll, serveProcess, type Served } from '../helpers/process.js';
import { startReceiver } from '../helpers/receiver.js';
import { freshPgDatabase, PG_SKIP } from '../helpers/stores.js';

afterEach(killAll);

async function post(s: Served, path: string, body: unknown, key = s.key): Promise<{ status: number; json: Record<string, unknown>; retryAfter: string | null }> {
  const r = await fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: (await r.json()) as Record<string, unknown>, retryAfter: r.headers.get('retry-after') };
}

/** Ten review items, each sent six verdicts at once (approve and reject, over the given gates): one winner each. */
async function verdictRace(gates: Served[]): Promise<{ items: number; verdicts: number; winners: number }> {
  let verdicts = 0;
  let winners = 0;
  for (let i = 0; i < 10; i++) {
    const d = await post(gates[0]!, '/v1/decisions', refund(randomUUID(), 650));
    expect(d.json.outcome).toBe('review');
    const id = String(d.json.id);
    const item = (await (await fetch(`${gates[0]!.url}/v1/reviews/${id}`, { headers: { authorization: `Bearer ${gates[0]!.reviewKey}` } })).json()) as { review: { proposalHash: string } };
    const answers = await Promise.all(Array.from({ length: 6 }, (_, k) => {
      const g = gates[k % gates.length]!;
      const verdict = k % 2 ? 'approve' : 'reject';
      return post(g, `/v1/reviews/${id}/${verdict}`, { proposalHash: item.review.proposalHash, ...(verdict === 'reject' ? { reason: { code: 'wrong_amount' } } : {}) }, g.reviewKey).then((a) => ({ ...a, verdict }));
    }));
    verdicts += answers.length;
    const won = answers.filter((a) => a.status === 200);
    expect(won).toHaveLength(1);
    for (const a of answers.filter((x) => x.status !== 200)) expect((a.json.error as { code: string }).code).toBe('already_decided');
    winners++;
    const other = gates[1 % gates.length]!;
    const final = (await (await fetch(`${other.url}/v1/reviews/${id}`, { headers: { authorization: `Bearer ${other.reviewKey}` } })).json()) as { review: { status: string } };
    expect(final.review.status).toBe(won[0]!.verdict === 'approve' ? 'approved' : 'rejected');
  }
  return { items: 10, verdicts, winners };
}

async function get(s: Served, path: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${s.key}` } })).json()) as Record<string, unknown>;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

const EVENTS = 5;
const REPLAYS = 8;

/**
 * `EVENTS` approved refunds whose deliveries the receiver answers 400 (dead at once), then each
 * dead letter sent `REPLAYS` replays at once over the given gates: one accepted, the others
 * `409 delivery_not_dead`, and the receiver, answering 200 by then, gets each event once more
 * with the same key and body.
 */
async function replayRace(store: string, replicas: number): Promise<{ replays: number; accepted: number; refused: number; received: number }> {
  const r = await startReceiver([...Array.from({ length: EVENTS }, () => 400), 200]);
  const extra = delivering(r, 'race-secret');
  const gates = await Promise.all(Array.from({ length: replicas }, () => serveProcess(['--store', store, ...extra.args], extra.env)));
  const decisions: string[] = [];
  for (let i = 0; i < EVENTS; i++) {
    const d = await post(gates[i % replicas]!, '/v1/decisions', refund(randomUUID(), 120));
    expect(d.json.outcome).toBe('approve');
    decisions.push(String(d.json.id));
  }
  const dead = await until('the dead letters', async () => {
    const items = (await get(gates[0]!, '/v1/deliveries?status=dead')).items as { id: string; decisionId: string; lastError: string }[];
    return items.length === EVENTS ? items : undefined;
  });
  expect(new Set(dead.map((d) => d.decisionId))).toEqual(new Set(decisions));
  expect(r.got.map((g) => g.answered)).toEqual(Array.from({ length: EVENTS }, () => 400));
  let accepted = 0, refused = 0;
  for (const d of dead) {
    const answers = await Promise.all(Array.from({ length: REPLAYS }, (_, k) => post(gates[k % replicas]!, `/v1/deliveries/${d.id}/replay`, {})));
    const won = answers.filter((a) => a.status === 200);
    expect(won, JSON.stringify(answers.map((a) => a.status))).toHaveLength(1);
    expect(won[0]!.json.delivery).toMatchObject({ id: d.id, decisionId: d.decisionId });
    for (const a of answers.filter((x) => x.status !== 200)) {
      expect(a.status).toBe(409);
      expect(a.json.error).toMatchObject({ code: 'delivery_not_dead' });
    }
    accepted += won.length;
    refused += answers.length - won.length;
  }
  await until('the replayed deliveries', async () => {
    const items = (await get(gates[0]!, '/v1/deliveries?status=delivered')).items as unknown[];
    return items.length === EVENTS ? items : undefined;
  });
  // Each replica polls once a second: two more polls each would show a second send if there were one.
  await new Promise((ok) => setTimeout(ok, 2500));
  expect(r.got).toHaveLength(2 * EVENTS);
  for (const id of decisions) {
    const sent = r.got.filter((g) => JSON.parse(g.body).decision === id);
    expect(sent.map((g) => g.answered)).toEqual([400, 200]);
    expect(sent.map((g) => g.headers['idempotency-key'])).toEqual([id, id]);
    expect(sent[1]!.body).toBe(sent[0]!.body);
  }
  for (const g of gates) g.child.kill('SIGTERM');
  for (const g of gates) expect(await g.exited).toBe(0);
  await r.close();
  const verify = await arbiter('audit', 'verify', '--store', store);
  expect(verify.code, verify.out + verify.err).toBe(0);
  return { replays: accepted + refused, accepted, refused, received: r.got.length };
}

describe.skipIf(PG_SKIP !== '')(`two replicas on one PostgreSQL${PG_SKIP ? ` (${PG_SKIP})` : ''}`, () => {
  it('1,000 concurrent mixed requests with 10% repeated keys make one decision per key; simultaneous verdicts have one winner', async () => {
    const store = await freshPgDatabase();
    const gates = await Promise.all([serveProcess(['--store', store]), serveProcess(['--store', store])]);
    const keys = Array.from({ length: 900 }, () => randomUUID());
    // 900 keys, 100 of them sent a second time: 1,000 requests, approves and reviews mixed.
    const sends = [...keys, ...keys.slice(0, 100)].map((k, i) => ({ key: k, gate: gates[(i * 7 + (i >> 3)) % 2]!, amount: keys.indexOf(k) % 3 ? 120 : 650 }));
    const t0 = performance.now();
    const answers = await Promise.all(sends.map((x) => post(x.gate, '/v1/decisions', refund(x.key, x.amount)).then((a) => ({ ...x, ...a }))));
    const ms = performance.now() - t0;
    const statuses = answers.reduce<Record<number, number>>((m, a) => ({ ...m, [a.status]: (m[a.status] ?? 0) + 1 }), {});
    for (const a of answers) {
      if (a.status !== 200) expect(a).toMatchObject({ status: 503, retryAfter: '1' });
    }
    const byKey = new Map<string, Set<unknown>>();
    for (const a of answers.filter((x) => x.status === 200)) byKey.set(a.key, (byKey.get(a.key) ?? new Set()).add(a.json.id));
    for (const [k, ids] of byKey) expect(ids.size, k).toBe(1);
    const c = new pg.Client({ connectionString: store });
    await c.connect();
    const rows = (await c.query<{ key: string; n: string }>('SELECT idempotency_key AS key, count(*) AS n FROM decisions WHERE idempotency_key IS NOT NULL GROUP BY idempotency_key')).rows;
    await c.end();
    expect(rows.filter((r) => Number(r.n) !== 1)).toEqual([]);
    for (const [k, ids] of byKey) expect(rows.some((r) => r.key === k), `${k} (${[...ids].join()}) answered 200 but not stored`).toBe(true);
    const race = await verdictRace(gates);
    console.log(`concurrency, PostgreSQL two replicas: 1000 requests (900 keys, 100 repeated) in ${Math.round(ms)} ms, answers ${JSON.stringify(statuses)}, ${rows.length} records, one per key; verdict race: ${race.items} items x 6 simultaneous verdicts, ${race.winners} winners`);
    for (const g of gates) g.child.kill('SIGTERM');
    for (const g of gates) expect(await g.exited).toBe(0);
    expect((await arbiter('audit', 'verify', '--store', store)).code).toBe(0);
  }, 180_000);

  it(`${REPLAYS} simultaneous replays of each of ${EVENTS} dead letters, over both replicas: one accepted, one more delivery`, async () => {
    const race = await replayRace(await freshPgDatabase(), 2);
    expect(race).toEqual({ replays: EVENTS * REPLAYS, accepted: EVENTS, refused: EVENTS * (REPLAYS - 1), received: 2 * EVENTS });
    console.log(`concurrency, PostgreSQL two replicas: ${EVENTS} dead letters x ${REPLAYS} simultaneous replays, ${race.accepted} accepted, ${race.refused} answered 409 delivery_not_dead, ${race.received} requests received (one dead-lettered and one replayed each)`);
  }, 120_000);
});

describe('one gate on SQLite', () => {
  it('simultaneous verdicts on one review item have one winner', async () => {
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-race-')), 'd.db')}`;
    const g = await serveProcess(['--store', store]);
    const race = await verdictRace([g]);
    expect(race.winners).toBe(10);
    console.log(`concurrency, SQLite: ${race.items} items x 6 simultaneous verdicts, ${race.winners} winners`);
  }, 120_000);

  it(`${REPLAYS} simultaneous replays of each of ${EVENTS} dead letters: one accepted, one more delivery`, async () => {
    const race = await replayRace(`sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-race-')), 'd.db')}`, 1);
    expect(race).toEqual({ replays: EVENTS * REPLAYS, accepted: EVENTS, refused: EVENTS * (REPLAYS - 1), received: 2 * EVENTS });
    console.log(`concurrency, SQLite: ${EVENTS} dead letters x ${REPLAYS} simultaneous replays, ${race.accepted} accepted, ${race.refused} answered 409 delivery_not_dead, ${race.received} requests received (one dead-lettered and one replayed each)`);
  }, 120_000);
});
