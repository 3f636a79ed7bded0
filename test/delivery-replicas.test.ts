/** Two gate replicas on one PostgreSQL database, each with its delivery worker: every event reaches the receiver once. */
import { afterAll, describe, expect, it } from 'vitest';
import { DeliveryWorker } from '../adapters/delivery/worker.js';
import { openPostgres } from '../adapters/stores/postgres.js';
import type { Store } from '../adapters/stores/store.js';
import { recordDecision } from '../gate/record.js';
import { HOOKED } from './helpers/delivery.js';
import { compileMini } from './helpers/policy.js';
import { startReceiver } from './helpers/receiver.js';
import { postgres } from './helpers/stores.js';

const policy = compileMini(HOOKED);
const action = policy.actions.get('t')!;

describe.skipIf(Boolean(postgres.skip))(`delivery from two replicas on PostgreSQL${postgres.skip ? ` (${postgres.skip})` : ''}`, () => {
  const closing: (() => Promise<void>)[] = [];
  afterAll(async () => { for (const c of closing) await c(); });

  it('delivers each of 60 events exactly once while both workers poll the same outbox', async () => {
    const a = await postgres.open();
    const b = await openPostgres(a.url);
    const r = await startReceiver([200]);
    closing.push(() => a.store.close(), () => b.close(), () => r.close());
    const now = new Date('2026-11-21T10:00:00.000Z');
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const proposal = { id: `p-${i}`, amount: 10 };
      const rec = await recordDecision({ log: i % 2 ? a.store : b, clock: () => now, idempotencyTtlMs: 3600_000 }, { action, policy, proposal, requestText: JSON.stringify({ action: 't', proposal }), caller: 'svc' });
      if (rec.kind === 'created') ids.push(rec.id);
    }
    expect(ids).toHaveLength(60);
    const worker = (store: Store) => new DeliveryWorker({ outbox: store, env: { HOOK_URL: r.url, HOOK_SECRET: 's' }, fetch: globalThis.fetch, clock: () => now, random: () => 0.5, leaseMs: 30_000, batch: 4 });
    const wa = worker(a.store), wb = worker(b);
    let sent = [0, 0];
    for (let round = 0; round < 40 && sent[0]! + sent[1]! < 60; round++) {
      const [x, y] = await Promise.all([wa.tick(), wb.tick()]);
      sent = [sent[0]! + x, sent[1]! + y];
    }
    expect(sent[0]! + sent[1]!).toBe(60);
    // Both replicas took part, and neither sent an event the other had leased.
    expect(sent[0]).toBeGreaterThan(0);
    expect(sent[1]).toBeGreaterThan(0);
    const keys = r.got.map((g) => g.headers['idempotency-key'] as string);
    expect(keys).toHaveLength(60);
    expect(new Set(keys)).toEqual(new Set(ids));
    expect((await b.deliveries({ status: 'delivered', limit: 100 })).items).toHaveLength(60);
    expect(await b.verify()).toEqual({ ok: true, count: 60 });
  });
});
