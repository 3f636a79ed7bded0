/** The typed client against a real gate on a port: decide, evaluate, read, errors, and retries that keep the key. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArbiterError, createClient } from '../server/client.js';
import { ROOT } from './helpers/cli.js';
import { testGate } from './helpers/gate.js';

const proposal = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-proposal.json'), 'utf8')) as Record<string, unknown>;
const context = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/refund-context.json'), 'utf8')) as Record<string, unknown>;

describe('createClient', () => {
  const g = testGate();
  let url = '';
  let close: () => void;
  beforeAll(async () => {
    await new Promise<void>((ok) => {
      const server = serve({ fetch: g.app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => { url = `http://127.0.0.1:${info.port}`; ok(); });
      close = () => server.close();
    });
  });
  afterAll(() => close());

  it('decides, reads back, and evaluates', async () => {
    const gate = createClient({ url, key: g.keys.service });
    const d = await gate.decide({ action: 'refund_order', proposal, context });
    expect(d).toMatchObject({ outcome: 'review', replayed: false, reasons: [{ rule: 'refund.large_needs_person' }] });
    const stored = await gate.getDecision(d.id);
    expect(stored).toMatchObject({ id: d.id, seq: d.id === stored.id ? stored.seq : -1, request: { proposal, context } });
    const ev = createClient({ url, key: g.keys.admin });
    expect(await ev.evaluate({ action: 'refund_order', proposal: { ...proposal, amount: 50 }, context, now: '2026-11-21T10:00:00Z' })).toMatchObject({ outcome: 'approve' });
  });

  it('throws the gate\'s error code, without retrying what retrying cannot fix', async () => {
    let calls = 0;
    const gate = createClient({ url, key: g.keys.reader, fetch: (...a) => { calls++; return fetch(...a); } });
    const e = await gate.decide({ action: 'refund_order', proposal, context }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ArbiterError);
    expect(e).toMatchObject({ status: 403, code: 'forbidden', message: 'API key `reader` lacks scope `decide:refund_order`' });
    expect(calls).toBe(1);
  });

  it('retries a lost response with the same idempotency key, and gets the first decision', async () => {
    const seen: string[] = [];
    let first = true;
    const flaky: typeof fetch = async (input, init) => {
      seen.push(new Headers(init?.headers).get('idempotency-key')!);
      const res = await fetch(input, init);
      if (first) { first = false; throw new TypeError('fetch failed: socket hang up'); }
      return res;
    };
    const gate = createClient({ url, key: g.keys.service, fetch: flaky, backoffMs: 1 });
    const d = await gate.decide({ action: 'refund_order', proposal: { ...proposal, proposal_id: '11111111-2222-4333-8444-555555555555' }, context });
    expect(seen.length).toBe(2);
    expect(seen[0]).toBe(seen[1]);
    expect(d.replayed).toBe(true);
    const list = await (await g.get('/v1/decisions?limit=500')).json() as { items: { id: string }[] };
    expect(list.items.filter((x) => x.id === d.id).length).toBe(1);
  });

  it('gives up after its retries when the gate cannot be reached', async () => {
    const gate = createClient({ url: 'http://127.0.0.1:9', key: g.keys.service, retries: 2, backoffMs: 1 });
    await expect(gate.decide({ action: 'refund_order', proposal, context })).rejects.toThrow(/fetch failed/);
  });
});
