/** The decision-recording use case called without HTTP: created, replayed, conflict, and a refused key, on every store. */
import { expect, it } from 'vitest';
import { readRecord } from '../adapters/stores/record.js';
import { RecordError, recordDecision, type RecordPorts } from '../gate/record.js';
import { compileMini } from './helpers/policy.js';
import { describeStores } from './helpers/stores.js';

const policy = compileMini({
  contract: { type: 'object', required: ['id', 'amount'], properties: { id: { type: 'string' }, amount: { type: 'number' } }, additionalProperties: false },
  rules: { rules: [{ id: 'big', outcome: 'review', when: { fact: 'proposal.amount', operator: 'greaterThan', value: 100 }, reason: 'amount {proposal.amount} is over 100' }] },
  action: { idempotency: { key: '/id' } },
});
const action = policy.actions.get('t')!;
const NOW = new Date('2026-11-21T10:00:00.000Z');
const request = (proposal: { id: string; amount: number }) => ({ action, policy, proposal, requestText: JSON.stringify({ action: 't', proposal }), caller: 'svc' });

describeStores('recordDecision', ({ open }) => {
  it('decides and records once; the same key replays the first decision, another payload is a conflict', async () => {
    const { store } = await open();
    const ports: RecordPorts = { log: store, clock: () => NOW, idempotencyTtlMs: 3600_000 };
    const first = await recordDecision(ports, request({ id: 'p-1', amount: 250 }));
    expect(first.kind).toBe('created');
    if (first.kind !== 'created') return;
    expect(first.decision.outcome).toBe('review');
    expect(first.decision.reasons.map((r) => [r.rule, r.message])).toEqual([['big', 'amount 250 is over 100']]);
    expect(first.key).toBe('p-1');
    expect((await store.review(first.id))?.status).toBe('pending');
    const again = await recordDecision(ports, request({ id: 'p-1', amount: 250 }));
    expect(again.kind).toBe('replayed');
    if (again.kind === 'replayed') expect(readRecord(again.text).id).toBe(first.id);
    expect(await recordDecision(ports, request({ id: 'p-1', amount: 5 }))).toEqual({ kind: 'conflict', key: 'p-1', originalId: first.id });
    expect(await store.verify()).toEqual({ ok: true, count: 1 });
  });

  it('refuses a key it cannot store, and writes nothing', async () => {
    const { store } = await open();
    const ports: RecordPorts = { log: store, clock: () => NOW, idempotencyTtlMs: 3600_000 };
    const refused = recordDecision(ports, request({ id: 'has space', amount: 1 }));
    await expect(refused).rejects.toThrow(RecordError);
    await expect(refused).rejects.toMatchObject({ code: 'invalid_idempotency_key' });
    expect(await store.verify()).toEqual({ ok: true, count: 0 });
  });
});
