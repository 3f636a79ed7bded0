/**
 * Concurrency across two replicas on one PostgreSQL: 1,000 requests sent at once, 10% of them
 * repeating a key another request carries (spread over both replicas), make one decision per key;
 * simultaneous verdicts on one review item, from both replicas, have exactly one winner. The
 * verdict race also runs on SQLite, where one gate serves. Concurrent DLQ replays are not here
 * yet: delivery does not exist on this branch.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { arbiter } from '../helpers/cli.js';
import { refund } from '../helpers/crash.js';
import { killAll, serveProcess, type Served } from '../helpers/process.js';
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
});

describe('one gate on SQLite', () => {
  it('simultaneous verdicts on one review item have one winner', async () => {
    const store = `sqlite:${join(mkdtempSync(join(tmpdir(), 'arbiter-race-')), 'd.db')}`;
    const g = await serveProcess(['--store', store]);
    const race = await verdictRace([g]);
    expect(race.winners).toBe(10);
    console.log(`concurrency, SQLite: ${race.items} items x 6 simultaneous verdicts, ${race.winners} winners`);
  }, 120_000);
});
